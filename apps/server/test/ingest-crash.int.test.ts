import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { makeTextPdf } from '../src/modules/knowledge/parsing/test-fixtures.ts';
import { chunkPages } from '../src/modules/knowledge/parsing/chunk.ts';
import { chunkInSlices } from '../src/modules/knowledge/ingest.job.ts';
import { listSearchableChunks } from '../src/modules/knowledge/knowledge.repo.ts';
import { chunkItem, indexCacheKey } from '../src/modules/retrieval/retrieval.service.ts';
import { buildIndex, embedItem, type RetrievalIndex } from '../src/modules/retrieval/engine.ts';
import { EMBEDDING_DIMS } from '../src/modules/retrieval/embedder.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { backends, request, startServer, tmpDir, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uploadFile, waitForDocument, type TestUser } from './factories.ts';

// The real binary on its embedded database, as in restart.int.test.ts: kill -9 is only meaningful for a process.
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const nodeArgs = ['--import', 'tsx', path.join(repoRoot, 'apps/server/src/main.ts'), 'serve'];

interface Kawan {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startKawan(dataDir: string): Promise<Kawan> {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kawan exited early (${child.exitCode}): ${output}`);
    if (Date.now() - started > 90_000) throw new Error(`kawan did not answer /readyz within 90 s: ${output}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url, output: () => output };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

async function upload(url: string, token: string, botPath: string, name: string, bytes: Uint8Array) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
  const res = await fetch(`${url}${botPath}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { document: { id: string } };
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.document;
}

// Plain English words, drawn with a seeded PRNG: prose-like text that chunks and embeds like a real manual.
const WORDS = (
  'account address advice agent amount answer apply balance bank branch budget building business card cash ' +
  'charge check claim client company contract cost country credit customer date delivery deposit detail ' +
  'document due early email fee file form fund gold group holder income insurance interest item letter ' +
  'limit loan market member method money month notice number office order owner page payment period ' +
  'person phone policy price product profit rate receipt record refund report request return rule saving ' +
  'service share staff statement store support tax term time total transfer travel value week year'
).split(' ');

/** A text PDF of `pages` pages; `first` is written on page 1 only and `last` on the last page only. */
async function manual(pages: number, seed: number, first: string, last: string): Promise<Uint8Array> {
  let s = seed;
  const word = () => WORDS[(s = (s * 48271) % 2147483647) % WORDS.length]!;
  const spec = Array.from({ length: pages }, (_, p) => {
    const lines = Array.from({ length: 40 }, (_, l) => {
      const line = Array.from({ length: 13 }, word).join(' ');
      return l % 4 === 3 ? `${line}.` : line;
    });
    if (p === 0) lines[1] = `The ${first} clause explains how the contract starts.`;
    if (p === pages - 1) lines[lines.length - 1] = `The ${last} appendix closes the manual.`;
    return { heading: `Section ${p + 1}`, lines };
  });
  return makeTextPdf(spec, `Manual ${seed}`);
}

describe('ingestion cut off by kill -9 resumes on restart', () => {
  const dataDir = tmpDir('ingest-crash-');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) await stop(c, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('converges to the chunks of a clean ingest, without duplicates, searchable only once indexed', async (t) => {
    let kawan = await startKawan(dataDir);
    children.push(kawan.child);
    const reg = await request(kawan.url, 'POST', '/api/v1/auth/register', {
      body: { email: 'crash@example.com', password: 'crash-password-1', name: 'Crash' },
    });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    const token: string = reg.body.session.accessToken;
    const orgId: string = reg.body.organization.id;
    const newBot = async (name: string) => {
      const res = await request(kawan.url, 'POST', `/api/v1/orgs/${orgId}/chatbots`, {
        token,
        body: { name },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return `/api/v1/orgs/${orgId}/chatbots/${res.body.chatbot.id}`;
    };
    const botPath = await newBot('Crashed');
    const statusOf = async (url: string, bot: string, id: string) =>
      (await request(url, 'GET', `${bot}/documents/${id}`, { token })).body.status as string;
    /** Not found by search, unless it became indexed meanwhile (polling the status and searching race). */
    const assertNotSearchable = async (url: string, bot: string, id: string, query: string) => {
      const hits = await search(url, bot, query);
      if (hits.length > 0)
        assert.equal(await statusOf(url, bot, id), 'indexed', 'found before it was indexed');
    };
    const search = async (url: string, bot: string, query: string) => {
      const res = await request(url, 'POST', `${bot}/search`, { token, body: { query, mode: 'hybrid' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.hits as { documentId: string; page: number; text: string }[];
    };

    // Kill once chunks are being stored (progress past 55 % in 'embedding' is written after a batch of chunks
    // is committed). Should the document finish before a poll sees that, try again with a file twice as long.
    let pdf: Uint8Array | undefined;
    let docId = '';
    let markers = { first: '', last: '' };
    let pages = 0;
    let seen = '';
    for (let attempt = 0; attempt < 4 && !pdf; attempt++) {
      const size = 300 * 2 ** attempt;
      const m = { first: ['quokkaberry', 'wombatfern', 'dingolace', 'emuthistle'][attempt]!, last: '' };
      m.last = `${m.first}zorblax`;
      const bytes = await manual(size, 7 + attempt, m.first, m.last);
      const doc = await upload(kawan.url, token, botPath, `manual-${attempt}.pdf`, bytes);
      for (;;) {
        const res = await request(kawan.url, 'GET', `${botPath}/documents/${doc.id}`, { token });
        const { status, progress } = res.body as { status: string; progress: number };
        seen = `${status} ${progress} %`;
        if (status === 'embedding' && progress > 55) {
          kawan.child.kill('SIGKILL');
          await new Promise((r) => kawan.child.once('exit', r));
          [pdf, docId, markers, pages] = [bytes, doc.id, m, size];
          break;
        }
        assert.notEqual(status, 'failed', JSON.stringify(res.body));
        if (status === 'indexed') break; // too fast to catch: next attempt, larger file
        // Until it is indexed, not even the chunks already stored may be found.
        if (progress > 0) await assertNotSearchable(kawan.url, botPath, doc.id, m.first);
        await new Promise((r) => setTimeout(r, 20));
      }
      t.diagnostic(
        `attempt ${attempt + 1}: ${size} pages, ${pdf ? `killed at ${seen}` : 'indexed before a kill'}`,
      );
    }
    assert.ok(pdf, `never caught the document while it was embedding (last seen ${seen})`);

    // What the kill left behind: part of the chunks, the document not indexed.
    let database = await openDatabase({ dataDir, poolMax: 1 });
    const partial = await database.pool.query(
      `select count(*)::int as n, bool_or(ordinal = 0 and text like '%' || $2 || '%') as has_first
         from chunks where document_id = $1`,
      [docId, markers.first],
    );
    const docRow = await database.pool.query('select status, indexed_version from documents where id = $1', [
      docId,
    ]);
    // As if title and tags were edited between the two runs: the stored chunks' vectors are then out of date.
    const renamed = { title: 'Renamed while the server was down', tags: ['renamed'] };
    await database.pool.query('update documents set title = $2, tags = $3 where id = $1', [
      docId,
      renamed.title,
      renamed.tags,
    ]);
    await database.close();
    t.diagnostic(`after kill -9: ${partial.rows[0].n} chunks stored, document ${docRow.rows[0].status}`);
    assert.ok(partial.rows[0].n > 0, 'the kill landed after some chunks were stored');
    assert.equal(partial.rows[0].has_first, true, "page 1's chunk is in the database");
    assert.equal(docRow.rows[0].indexed_version, null);

    kawan = await startKawan(dataDir);
    children.push(kawan.child);
    let doc: { status: string; chunkCount: number; pageCount: number };
    let searchesBeforeIndexed = 0;
    const until = Date.now() + 60_000;
    for (;;) {
      doc = (await request(kawan.url, 'GET', `${botPath}/documents/${docId}`, { token })).body;
      if (doc.status === 'indexed') break;
      assert.ok(Date.now() < until, `not indexed 60 s after the restart (${doc.status})`);
      // Page 1's chunk is stored, yet it must stay out of search until the version is indexed.
      await assertNotSearchable(kawan.url, botPath, docId, markers.first);
      searchesBeforeIndexed++;
      await new Promise((r) => setTimeout(r, 50));
    }
    t.diagnostic(
      `resumed and indexed: ${doc.chunkCount} chunks; ${searchesBeforeIndexed} searches while it was ingested found nothing`,
    );
    assert.ok(searchesBeforeIndexed > 0, 'searched at least once while the resumed ingestion ran');
    assert.equal(doc.pageCount, pages);
    const lastHits = await search(kawan.url, botPath, `${markers.last} appendix`);
    assert.equal(lastHits[0]?.documentId, docId);
    assert.equal(lastHits[0]?.page, pages);

    // The same file ingested cleanly, in another chatbot (identical content is deduplicated per chatbot only).
    const cleanBot = await newBot('Clean');
    const clean = await upload(kawan.url, token, cleanBot, 'manual.pdf', pdf);
    const cleanDoc = await (async () => {
      for (const limit = Date.now() + 60_000; Date.now() < limit;) {
        const d = (await request(kawan.url, 'GET', `${cleanBot}/documents/${clean.id}`, { token })).body;
        if (d.status === 'indexed' || d.status === 'failed') return d;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('clean ingest not indexed within 60 s');
    })();
    assert.equal(cleanDoc.status, 'indexed');
    assert.equal(doc.chunkCount, cleanDoc.chunkCount);
    await stop(kawan.child, 'SIGTERM');

    database = await openDatabase({ dataDir, poolMax: 1 });
    try {
      const rows = async (id: string) =>
        (
          await database.pool.query(
            `select version, ordinal, page, char_start, char_end, heading, text, token_count, language, embedding
               from chunks where document_id = $1 order by version, ordinal`,
            [id],
          )
        ).rows;
      const resumed = await rows(docId);
      const reference = await rows(clean.id);
      assert.equal(resumed.length, doc.chunkCount, 'no chunk left over from the cut-off run');
      const withoutVectors = (rs: typeof resumed) => rs.map(({ embedding: _, ...r }) => r);
      assert.deepEqual(withoutVectors(resumed), withoutVectors(reference), 'chunk for chunk a clean ingest');
      // Every vector, those stored before the kill included, is the one the index computes with today's title.
      for (const r of resumed) {
        const item = chunkItem({ ...r, id: '', documentId: docId, ...renamed, metadata: {} });
        assert.deepEqual(Float32Array.from(r.embedding), embedItem(item));
      }
      assert.deepEqual(
        resumed.map((r) => r.ordinal),
        resumed.map((_, i) => i),
      );
      const dupes = await database.pool.query(
        `select document_id, version, ordinal from chunks group by 1, 2, 3 having count(*) > 1`,
      );
      assert.deepEqual(dupes.rows, []);
    } finally {
      await database.close();
    }
  });
});

for (const backend of backends()) {
  describe(`[${backend}] search never crosses organizations`, () => {
    let s: TestServer;
    let a: TestUser;
    let b: TestUser;
    let botA: string;
    let botB: string;
    before(async () => {
      s = await startServer(backend);
      a = await registerUser(s);
      b = await registerUser(s);
      botA = (await createChatbot(s, a)).bot.id;
      botB = (await createChatbot(s, b)).bot.id;
    });
    after(async () => s?.close());

    it("returns only the chatbot's own organization's chunks, for the same words", async () => {
      const docs: Record<string, string> = {};
      for (const [user, bot, text] of [
        [a, botA, 'Harbour tariffs: the quay fee for a container is 40 dollars in organization alpha.'],
        [b, botB, 'Harbour tariffs: the quay fee for a container is 55 dollars in organization beta.'],
      ] as const) {
        const up = await uploadFile(s, user.token, `/api/v1/orgs/${user.orgId}/chatbots/${bot}/documents`, {
          name: 'tariffs.txt',
          content: text,
        });
        assert.equal(up.status, 201, JSON.stringify(up.body));
        assert.equal((await waitForDocument(s, user, bot, up.body.document.id)).status, 'indexed');
        docs[bot] = up.body.document.id;
      }
      for (const [user, bot] of [
        [a, botA],
        [b, botB],
      ] as const) {
        for (const mode of ['keyword', 'semantic', 'hybrid']) {
          const res = await s.request('POST', `/api/v1/orgs/${user.orgId}/chatbots/${bot}/search`, {
            token: user.token,
            body: { query: 'harbour quay fee for a container', mode },
          });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.ok(res.body.hits.length > 0, `${mode}: finds its own document`);
          assert.deepEqual(
            [...new Set(res.body.hits.map((h: { documentId: string }) => h.documentId))],
            [docs[bot]],
            mode,
          );
        }
      }
      // Org B naming org A's chatbot, in either org's path, gets nothing.
      for (const orgId of [a.orgId, b.orgId]) {
        const res = await s.request('POST', `/api/v1/orgs/${orgId}/chatbots/${botA}/search`, {
          token: b.token,
          body: { query: 'harbour quay fee' },
        });
        assert.equal(res.status, 404, JSON.stringify(res.body));
      }
    });
  });
}

describe('ingestion chunks a few pages at a time', () => {
  it('yields exactly the chunks of one chunkPages call (ordinals, carried headings)', async () => {
    let seed = 3;
    const word = () => WORDS[(seed = (seed * 48271) % 2147483647) % WORDS.length]!;
    const para = (n: number) => `${Array.from({ length: n }, word).join(' ')}.`;
    // Headings on some pages only, so most slices start under a heading from an earlier slice.
    const pages = Array.from({ length: 95 }, (_, i) => ({
      page: i + 1,
      ocr: false,
      text: [
        i % 37 === 5 ? `# Part ${i}\n\n` : '',
        para(200),
        '\n\n',
        i % 11 === 0 ? `## Note ${i}\n` : '',
        para(150),
      ].join(''),
    }));
    const sliced = await chunkInSlices(pages);
    assert.ok(sliced.length > 95 && sliced.some((c) => c.heading === 'Part 5'));
    assert.deepEqual(sliced, chunkPages(pages));
  });
});

for (const backend of backends()) {
  describe(`[${backend}] the search index reuses the stored chunk vectors`, () => {
    let s: TestServer;
    let u: TestUser;
    let botId: string;
    const base = () => `/api/v1/orgs/${u.orgId}/chatbots/${botId}`;
    before(async () => {
      s = await startServer(backend);
      u = await registerUser(s);
      botId = (await createChatbot(s, u)).bot.id;
    });
    after(async () => s?.close());

    /** The chatbot's index as searches use it, and the vectors the index computes itself for the same chunks. */
    async function indexAndReference() {
      const res = await s.request('POST', `${base()}/search`, {
        token: u.token,
        body: { query: 'interest' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { index } = s.rt.indexCache.get<{ index: RetrievalIndex }>(indexCacheKey(u.orgId, botId))!;
      const rows = await listSearchableChunks(s.rt.db, u.orgId, botId);
      const reference = buildIndex(rows.map(chunkItem)); // no `vector`: every sentence vector computed
      const vectorOf = (ix: RetrievalIndex, id: string) => {
        const slot = ix.byId.get(id)!;
        return ix.vectors.slice(slot * EMBEDDING_DIMS, (slot + 1) * EMBEDDING_DIMS);
      };
      return { rows, index, reference, vectorOf };
    }

    it('stores at ingestion exactly the vector the index would compute, and the index uses it', async () => {
      const text = Array.from(
        { length: 30 },
        (_, i) =>
          `## Clause ${i + 1}\nThe monthly interest on a gold pawn loan is charged per fifteen days. ${'Customers redeem their gold at any branch before the due date. '.repeat(12)}`,
      ).join('\n\n');
      for (const [name, content, tags] of [
        ['handbook.md', `# Pawn handbook\n\n${text}`, 'gold, loans'],
        [
          'panduan.txt',
          'Bunga pinjaman gadai emas dihitung setiap lima belas hari di semua cabang kami.',
          '',
        ],
      ]) {
        const up = await uploadFile(
          s,
          u.token,
          `${base()}/documents`,
          { name: name!, content: content! },
          { tags: tags! },
        );
        assert.equal(up.status, 201, JSON.stringify(up.body));
        assert.equal((await waitForDocument(s, u, botId, up.body.document.id)).status, 'indexed');
      }
      const { rows, index, reference, vectorOf } = await indexAndReference();
      assert.ok(rows.length > 5);
      // Read in batches of whole documents (the first batch always takes one): same rows for any batch size.
      assert.deepEqual(await listSearchableChunks(s.rt.db, u.orgId, botId, 3), rows);
      for (const r of rows) {
        assert.equal(r.vectorCurrent, true);
        assert.equal(r.embedding?.length, EMBEDDING_DIMS);
        assert.deepEqual(r.embedding, vectorOf(reference, r.id), 'stored = computed, bit for bit');
        assert.deepEqual(vectorOf(index, r.id), vectorOf(reference, r.id));
        assert.equal(index.hasVector[index.byId.get(r.id)!], reference.hasVector[reference.byId.get(r.id)!]);
      }
      assert.ok(
        rows.some((r) => r.language === 'id' && r.embedding!.every((x) => x === 0)),
        'no vector for Indonesian',
      );

      // Proof that the build reads the stored vector rather than recomputing it: plant one in the database.
      const planted = rows.find((r) => r.language === 'id')!;
      const unit = Array.from({ length: EMBEDDING_DIMS }, (_, d) => (d === 0 ? 1 : 0));
      const setEmbedding = (v: number[]) =>
        s.rt.database.pool.query('update chunks set embedding = $2 where id = $1', [planted.id, v]);
      await setEmbedding(unit);
      s.rt.indexCache.invalidate(indexCacheKey(u.orgId, botId));
      const after = await indexAndReference();
      assert.deepEqual(Array.from(after.vectorOf(after.index, planted.id)), unit);
      await setEmbedding(Array.from(planted.embedding!));
      s.rt.indexCache.invalidate(indexCacheKey(u.orgId, botId));
    });

    it('computes the vectors again once a title or tag edit made the stored ones stale', async () => {
      const list = await s.request('GET', `${base()}/documents?q=handbook`, { token: u.token });
      const docId = list.body.data[0].id;
      const patch = await s.request('PATCH', `${base()}/documents/${docId}`, {
        token: u.token,
        body: { title: 'Harbour freight tariffs', tags: ['shipping'] },
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      const { rows, index, reference, vectorOf } = await indexAndReference();
      const edited = rows.filter((r) => r.documentId === docId);
      assert.ok(edited.length > 0 && edited.every((r) => !r.vectorCurrent));
      assert.ok(
        edited.some((r) => !vectorOf(reference, r.id).every((x, d) => x === r.embedding![d])),
        'the new title changes the vectors',
      );
      for (const r of rows) assert.deepEqual(vectorOf(index, r.id), vectorOf(reference, r.id));
    });
  });
}
