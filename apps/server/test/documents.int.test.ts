import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uploadFile, waitForDocument, type TestUser } from './factories.ts';

const HANDBOOK = `# Pawn loan handbook

## Interest
The monthly interest on a gold pawn loan is 1.2 percent of the loan value. Interest is charged per fifteen days.

## Redemption
Customers redeem their gold by paying the loan and the interest at any branch before the due date of 120 days.

## Auctions
Items that are not redeemed or extended after the due date are auctioned publicly.
`;

for (const backend of backends()) {
  describe(`[${backend}] documents: upload → ingest → search → replace → delete`, () => {
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    let docId: string;
    const base = () => `/api/v1/orgs/${owner.orgId}/chatbots/${botId}`;
    const search = (query: string, extra: Record<string, unknown> = {}) =>
      s.request('POST', `${base()}/search`, { token: owner.token, body: { query, ...extra } });

    before(async () => {
      s = await startServer(backend);
      owner = await registerUser(s);
      botId = (await createChatbot(s, owner)).bot.id;
    });
    after(async () => s?.close());

    it('uploads a Markdown file and indexes it in the background', async () => {
      const up = await uploadFile(
        s,
        owner.token,
        `${base()}/documents`,
        { name: 'handbook.md', content: HANDBOOK },
        { title: 'Handbook', tags: 'policy, gold' },
      );
      assert.equal(up.status, 201, JSON.stringify(up.body));
      assert.equal(up.body.document.status, 'queued');
      assert.deepEqual(up.body.document.tags, ['policy', 'gold']);
      docId = up.body.document.id;
      const doc = await waitForDocument(s, owner, botId, docId);
      assert.equal(doc.status, 'indexed', JSON.stringify(doc));
      assert.equal(doc.progress, 100);
      assert.equal(doc.indexedVersion, 1);
      assert.ok(doc.chunkCount >= 1);
      assert.equal(doc.mimeType, 'text/markdown');
    });

    it('shows the chunks with offsets that point into the text', async () => {
      const res = await s.request('GET', `${base()}/documents/${docId}/chunks`, { token: owner.token });
      assert.equal(res.status, 200);
      const all = res.body.data.map((c: { text: string }) => c.text).join('\n');
      assert.match(all, /1\.2 percent/);
      for (const c of res.body.data) assert.ok(c.charEnd > c.charStart);
    });

    it('recognises identical content by its hash', async () => {
      const again = await uploadFile(s, owner.token, `${base()}/documents`, {
        name: 'copy.md',
        content: HANDBOOK,
      });
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.document.id, docId);
    });

    it('finds the passage by keyword and hybrid search', async () => {
      for (const mode of ['keyword', 'hybrid'] as const) {
        const res = await search('how much is the interest on a gold loan', { mode });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const top = res.body.hits[0];
        assert.equal(top.documentId, docId);
        assert.match(top.text, /1\.2 percent/);
        assert.ok(typeof top.scores === 'object');
      }
      const none = await search('photosynthesis in chloroplasts', { mode: 'keyword' });
      assert.equal(none.status, 200);
      assert.equal(none.body.hits.length, 0);
    });

    it('downloads the original bytes', async () => {
      const res = await fetch(`${s.url}${base()}/documents/${docId}/download`, {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), HANDBOOK);
      assert.match(res.headers.get('content-disposition') ?? '', /handbook\.md/);
    });

    it('edits metadata and filters the list by tag and status', async () => {
      const patch = await s.request('PATCH', `${base()}/documents/${docId}`, {
        token: owner.token,
        body: { title: 'Gold handbook', tags: ['gold'] },
      });
      assert.equal(patch.status, 200);
      assert.equal(patch.body.title, 'Gold handbook');
      const list = await s.request('GET', `${base()}/documents?tag=gold&status=indexed`, {
        token: owner.token,
      });
      assert.deepEqual(
        list.body.data.map((d: { id: string }) => d.id),
        [docId],
      );
      const none = await s.request('GET', `${base()}/documents?tag=policy`, { token: owner.token });
      assert.equal(none.body.data.length, 0);
    });

    it('replaces the file: a new version is indexed and the old text leaves search', async () => {
      const res = await uploadFile(
        s,
        owner.token,
        `${base()}/documents/${docId}`,
        { name: 'handbook-v2.txt', content: 'Gold pawn loans now carry 0.9 percent monthly interest.' },
        {},
        'PUT',
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.version, 2);
      const doc = await waitForDocument(s, owner, botId, docId);
      assert.equal(doc.indexedVersion, 2);
      const hits = (await search('interest gold loan', { mode: 'keyword' })).body.hits;
      assert.ok(hits.length > 0);
      assert.ok(hits.every((h: { text: string }) => !h.text.includes('1.2 percent')));
    });

    it('refuses files it cannot parse, and empty ones, with a 4xx code', async () => {
      const exe = await uploadFile(s, owner.token, `${base()}/documents`, {
        name: 'tool.exe',
        content: new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0, 0, 0, 0xff, 0xfe]),
      });
      assert.equal(exe.status, 415);
      assert.equal(exe.body.error.code, 'unsupported_media_type');
      const empty = await uploadFile(s, owner.token, `${base()}/documents`, {
        name: 'empty.txt',
        content: '',
      });
      assert.equal(empty.status, 400);
      const json = await s.request('POST', `${base()}/documents`, {
        token: owner.token,
        body: { file: 'nope' },
      });
      assert.equal(json.status, 415);
    });

    it('marks a corrupt PDF failed with a reason, without crashing', async () => {
      const bad = await uploadFile(s, owner.token, `${base()}/documents`, {
        name: 'broken.pdf',
        content: '%PDF-1.7\n1 0 obj <<>> garbage without xref',
      });
      assert.equal(bad.status, 201);
      const doc = await waitForDocument(s, owner, botId, bad.body.document.id);
      assert.equal(doc.status, 'failed');
      assert.ok(doc.error.code && doc.error.message, JSON.stringify(doc.error));
    });

    it('deletes a document: gone from the list, the chunks and search', async () => {
      const del = await s.request('DELETE', `${base()}/documents/${docId}`, { token: owner.token });
      assert.equal(del.status, 204);
      assert.equal(
        (await s.request('GET', `${base()}/documents/${docId}`, { token: owner.token })).status,
        404,
      );
      assert.equal((await search('gold pawn interest', { mode: 'keyword' })).body.hits.length, 0);
    });

    it("never returns another chatbot's chunks", async () => {
      const other = (await createChatbot(s, owner, { name: 'Other bot' })).bot.id;
      const up = await uploadFile(s, owner.token, `/api/v1/orgs/${owner.orgId}/chatbots/${other}/documents`, {
        name: 'other.txt',
        content: 'Zebra crossings are painted white and black.',
      });
      await waitForDocument(s, owner, other, up.body.document.id);
      const res = await search('zebra crossings', { mode: 'hybrid' });
      assert.equal(res.body.hits.length, 0);
    });
  });
}
