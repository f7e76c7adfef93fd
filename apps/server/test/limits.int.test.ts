import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uploadFile, waitForDocument, type TestUser } from './factories.ts';
import { docxParts, makeDocx, makeTextPdf, makeZip } from '../src/modules/knowledge/parsing/test-fixtures.ts';

/**
 * Upload limits and hostile files, end to end over HTTP with small configured limits: every refusal is a 4xx
 * with a stable code, and files that only reveal their problem while parsing end as a failed document with a
 * readable reason while the server keeps serving.
 */
const MAX_UPLOAD_BYTES = 256 * 1024;
const MAX_DOCUMENTS_PER_CHATBOT = 3;
const MAX_PAGES_PER_DOCUMENT = 3;

for (const backend of backends()) {
  describe(`[${backend}] upload limits and hostile files`, () => {
    let s: TestServer;
    let owner: TestUser;
    const docsOf = (botId: string) => `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/documents`;
    const newBot = async () => (await createChatbot(s, owner, { name: 'Limits bot' })).bot.id;

    before(async () => {
      s = await startServer(backend, {
        MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
        MAX_DOCUMENTS_PER_CHATBOT: String(MAX_DOCUMENTS_PER_CHATBOT),
        MAX_PAGES_PER_DOCUMENT: String(MAX_PAGES_PER_DOCUMENT),
      });
      owner = await registerUser(s);
    });
    after(async () => s?.close());

    it('refuses a file over MAX_UPLOAD_BYTES with 413 payload_too_large and stores nothing', async () => {
      const botId = await newBot();
      const big = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'big.txt',
        content: 'a'.repeat(MAX_UPLOAD_BYTES + 1),
      });
      assert.equal(big.status, 413, JSON.stringify(big.body));
      assert.equal(big.body.error.code, 'payload_too_large');
      assert.equal(typeof big.body.error.message, 'string');
      assert.match(big.body.error.requestId, /\S/);
      const list = await s.request('GET', docsOf(botId), { token: owner.token });
      assert.equal(list.body.data.length, 0);
      // Exactly at the limit is still accepted.
      const edge = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'edge.txt',
        content: 'word '.repeat(MAX_UPLOAD_BYTES / 5),
      });
      assert.equal(edge.status, 201, JSON.stringify(edge.body));
    });

    it(`refuses document number ${MAX_DOCUMENTS_PER_CHATBOT + 1} of a chatbot with 409 limit_reached`, async () => {
      const botId = await newBot();
      for (let i = 0; i < MAX_DOCUMENTS_PER_CHATBOT; i++) {
        const up = await uploadFile(s, owner.token, docsOf(botId), {
          name: `n${i}.txt`,
          content: `Document number ${i} about limits.`,
        });
        assert.equal(up.status, 201, JSON.stringify(up.body));
      }
      const over = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'one-too-many.txt',
        content: 'This one does not fit.',
      });
      assert.equal(over.status, 409, JSON.stringify(over.body));
      assert.equal(over.body.error.code, 'limit_reached');
      assert.match(over.body.error.message, new RegExp(String(MAX_DOCUMENTS_PER_CHATBOT)));
      // The same content as an existing document is recognised, not refused: it adds nothing.
      const again = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'copy.txt',
        content: 'Document number 0 about limits.',
      });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.duplicate, true);
      // Deleting one makes room again.
      const list = await s.request('GET', docsOf(botId), { token: owner.token });
      assert.equal(list.body.data.length, MAX_DOCUMENTS_PER_CHATBOT);
      const del = await s.request('DELETE', `${docsOf(botId)}/${list.body.data[0].id}`, {
        token: owner.token,
      });
      assert.equal(del.status, 204);
      const fits = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'fits.txt',
        content: 'Room again.',
      });
      assert.equal(fits.status, 201, JSON.stringify(fits.body));
    });

    it('fails a PDF over MAX_PAGES_PER_DOCUMENT with code too_many_pages; one at the limit is indexed', async () => {
      const botId = await newBot();
      const page = (n: number) => ({ lines: [`Page ${n} of the pawn tariff booklet.`] });
      const long = await makeTextPdf([1, 2, 3, 4].map(page));
      assert.ok(long.byteLength < MAX_UPLOAD_BYTES);
      const up = await uploadFile(s, owner.token, docsOf(botId), { name: 'long.pdf', content: long });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const doc = await waitForDocument(s, owner, botId, up.body.document.id);
      assert.equal(doc.status, 'failed');
      assert.equal(doc.error.code, 'too_many_pages');
      assert.match(doc.error.message, /4 pages/);
      assert.equal(doc.indexedVersion, null);

      const ok = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'short.pdf',
        content: await makeTextPdf([1, 2, 3].map(page)),
      });
      const indexed = await waitForDocument(s, owner, botId, ok.body.document.id);
      assert.equal(indexed.status, 'indexed', JSON.stringify(indexed));
      assert.equal(indexed.pageCount, MAX_PAGES_PER_DOCUMENT);
    });

    it('refuses an unsupported file type with 415, whatever the name and declared type claim', async () => {
      const botId = await newBot();
      const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0]);
      for (const name of ['program.bin', 'disguised.pdf']) {
        const res = await uploadFile(s, owner.token, docsOf(botId), {
          name,
          content: elf,
          type: 'application/pdf',
        });
        assert.equal(res.status, 415, `${name}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'unsupported_media_type');
      }
      const list = await s.request('GET', docsOf(botId), { token: owner.token });
      assert.equal(list.body.data.length, 0);
    });

    it('fails zip-bomb DOCX files with a clear code, and keeps serving', async () => {
      const botId = await newBot();
      // A part that inflates far past the size its headers declare (5 MB of zeros, declared 1 KB).
      const liar = makeZip([
        ...docxParts([{ p: 'Innocent looking text.' }]),
        { name: 'word/media/pad.bin', data: new Uint8Array(5_000_000), declaredSize: 1000 },
      ]);
      // Thousands of tiny parts (a bomb made of many files).
      const many = makeZip([
        ...docxParts([{ p: 'x' }]),
        ...Array.from({ length: 2100 }, (_, i) => ({ name: `word/x${i}.xml`, data: '' })),
      ]);
      for (const [name, bytes, code] of [
        ['liar.docx', liar, 'too_large_uncompressed'],
        ['many.docx', many, 'too_many_entries'],
      ] as const) {
        assert.ok(bytes.byteLength < MAX_UPLOAD_BYTES, `${name} is ${bytes.byteLength} bytes`);
        const up = await uploadFile(s, owner.token, docsOf(botId), { name, content: bytes });
        assert.equal(up.status, 201, `${name}: ${JSON.stringify(up.body)}`);
        const doc = await waitForDocument(s, owner, botId, up.body.document.id);
        assert.equal(doc.status, 'failed', name);
        assert.equal(doc.error.code, code, `${name}: ${JSON.stringify(doc.error)}`);
        assert.ok(doc.error.message.length > 10, doc.error.message);
      }
      assert.equal((await s.request('GET', '/healthz')).status, 200);
      // A well-formed DOCX still goes through on the same server.
      const good = await uploadFile(s, owner.token, docsOf(botId), {
        name: 'good.docx',
        content: makeDocx([{ heading: 1, text: 'Tariffs' }, { p: 'Gold is appraised at 94 percent.' }]),
      });
      const doc = await waitForDocument(s, owner, botId, good.body.document.id);
      assert.equal(doc.status, 'indexed', JSON.stringify(doc));
    });
  });
}
