import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, uploadFile, waitForDocument, type TestUser } from './factories.ts';

interface Hit {
  source: string;
  chunkId: string;
  faqId: string | null;
  itemId: string | null;
  documentId: string | null;
  documentTitle: string;
  page: number | null;
  text: string;
  highlight: string;
}

for (const backend of backends()) {
  describe(`[${backend}] FAQ entries: CRUD, import, search, query expansion`, () => {
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    let otherBotId: string;
    let faqId: string;
    const base = (bot = botId) => `/api/v1/orgs/${owner.orgId}/chatbots/${bot}`;
    const req = (method: string, path: string, body?: unknown) =>
      s.request(method, `${base()}${path}`, { token: owner.token, body });
    const search = async (query: string, extra: Record<string, unknown> = {}, bot = botId) => {
      const res = await s.request('POST', `${base(bot)}/search`, {
        token: owner.token,
        body: { query, ...extra },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.hits as Hit[];
    };

    before(async () => {
      s = await startServer(backend);
      owner = await registerUser(s);
      botId = (await createChatbot(s, owner, { name: 'FAQ bot' })).bot.id;
      otherBotId = (await createChatbot(s, owner, { name: 'Other bot' })).bot.id;
    });
    after(async () => s?.close());

    it('creates an entry, detects its language and refuses the same question twice', async () => {
      const res = await req('POST', '/faqs', {
        question: 'What are the opening hours of the branch?',
        answer:
          'Branches are open from eight in the morning until four in the afternoon, Monday to Saturday.',
        tags: ['hours'],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      faqId = res.body.id;
      assert.match(faqId, /^faq_/);
      assert.equal(res.body.chatbotId, botId);
      assert.equal(res.body.language, 'en');
      assert.equal(res.body.enabled, true);
      assert.deepEqual(res.body.tags, ['hours']);

      const id = await req('POST', '/faqs', {
        question: 'Apakah saya bisa menebus emas di cabang lain?',
        answer: 'Ya, emas dapat ditebus di cabang mana saja yang ada di kota yang sama dengan cabang asal.',
      });
      assert.equal(id.status, 201);
      assert.equal(id.body.language, 'id');

      const dup = await req('POST', '/faqs', {
        question: '  what are the OPENING hours   of the branch? ',
        answer: 'Another answer',
      });
      assert.equal(dup.status, 409, JSON.stringify(dup.body));
      assert.equal(dup.body.error.code, 'conflict');
    });

    it('rejects invalid input with field-level details', async () => {
      const missing = await req('POST', '/faqs', { question: 'No answer?' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'validation_failed');
      assert.deepEqual(
        missing.body.error.details.map((d: { path: string }) => d.path),
        ['body.answer'],
      );
      const extra = await req('POST', '/faqs', { question: 'q', answer: 'a', priority: 1 });
      assert.equal(extra.status, 400);
      const blank = await req('POST', '/faqs', { question: '   ', answer: 'a' });
      assert.equal(blank.status, 400);
      const emptyPatch = await req('PATCH', `/faqs/${faqId}`, {});
      assert.equal(emptyPatch.status, 400);
      const badId = await req('GET', '/faqs/doc_0000000000abc');
      assert.equal(badId.status, 400);
      const unknown = await req('GET', '/faqs/faq_0000000000nosuchthing');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'not_found');
    });

    it('is searchable at once: an FAQ hit carries its source and id, documentId and page null', async () => {
      for (const mode of ['keyword', 'hybrid'] as const) {
        const hits = await search('when is the branch open', { mode });
        const top = hits[0]!;
        assert.ok(top, `${mode}: no hits`);
        assert.equal(top.source, 'faq');
        assert.equal(top.faqId, faqId);
        assert.equal(top.chunkId, faqId);
        assert.equal(top.itemId, null);
        assert.equal(top.documentId, null);
        assert.equal(top.page, null);
        assert.equal(top.documentTitle, 'What are the opening hours of the branch?');
        assert.match(top.text, /eight in the morning/);
        assert.match(top.highlight, /<mark>/);
      }
      const indonesian = await search('menebus emas cabang lain', { mode: 'keyword' });
      assert.equal(indonesian[0]?.source, 'faq');
      assert.match(indonesian[0]!.text, /cabang mana saja/);
    });

    it('mixes FAQ and document hits; filters by source and by tag', async () => {
      const up = await uploadFile(s, owner.token, `${base()}/documents`, {
        name: 'tariffs.md',
        content: '# Tariffs\n\nThe branch charges an appraisal fee of 1 percent for gold items.',
      });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const docId = up.body.document.id;
      assert.equal((await waitForDocument(s, owner, botId, docId)).status, 'indexed');

      const both = await search('branch', { mode: 'keyword' });
      assert.deepEqual([...new Set(both.map((h) => h.source))].sort(), ['document', 'faq']);
      const doc = both.find((h) => h.source === 'document')!;
      assert.equal(doc.documentId, docId);
      assert.equal(doc.faqId, null);
      assert.match(doc.chunkId, /^chk_/);

      const onlyDocs = await search('branch', { mode: 'keyword', sources: ['document'] });
      assert.ok(onlyDocs.length > 0 && onlyDocs.every((h) => h.source === 'document'));
      const onlyFaqs = await search('branch', { mode: 'keyword', sources: ['faq'] });
      assert.ok(onlyFaqs.length > 0 && onlyFaqs.every((h) => h.source === 'faq'));
      const tagged = await search('branch', { mode: 'keyword', tags: ['hours'] });
      assert.deepEqual(
        tagged.map((h) => h.faqId),
        [faqId],
      );
      // A document filter leaves FAQs out: they belong to no document.
      const byDoc = await search('branch', { mode: 'keyword', documentIds: [docId] });
      assert.ok(byDoc.length > 0 && byDoc.every((h) => h.documentId === docId));
      const badSource = await s.request('POST', `${base()}/search`, {
        token: owner.token,
        body: { query: 'branch', sources: ['webpage'] },
      });
      assert.equal(badSource.status, 400);
    });

    it('updates: search sees the new answer; a disabled entry leaves search and comes back', async () => {
      const patch = await req('PATCH', `/faqs/${faqId}`, {
        answer: 'Branches open at seven thirty and close at three.',
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      assert.equal(patch.body.question, 'What are the opening hours of the branch?');
      let hits = await search('when is the branch open', { mode: 'keyword', sources: ['faq'] });
      assert.match(hits[0]!.text, /seven thirty/);
      assert.ok(hits.every((h) => !h.text.includes('eight in the morning')));

      assert.equal((await req('PATCH', `/faqs/${faqId}`, { enabled: false })).status, 200);
      hits = await search('opening hours', { mode: 'keyword' });
      assert.ok(hits.every((h) => h.faqId !== faqId));
      const listed = await req('GET', '/faqs?enabled=false');
      assert.deepEqual(
        listed.body.data.map((f: { id: string }) => f.id),
        [faqId],
      );
      assert.equal((await req('PATCH', `/faqs/${faqId}`, { enabled: true })).status, 200);
      hits = await search('opening hours', { mode: 'keyword' });
      assert.equal(hits[0]?.faqId, faqId);

      // Renaming onto another entry's question is refused.
      const clash = await req('PATCH', `/faqs/${faqId}`, {
        question: 'apakah saya bisa menebus emas di cabang lain?',
      });
      assert.equal(clash.status, 409);
    });

    it('lists with cursor pagination and search in questions and answers', async () => {
      const first = await req('GET', '/faqs?limit=1');
      assert.equal(first.status, 200);
      assert.equal(first.body.data.length, 1);
      assert.ok(first.body.nextCursor);
      const second = await req('GET', `/faqs?limit=1&cursor=${first.body.nextCursor}`);
      assert.equal(second.body.data.length, 1);
      assert.notEqual(second.body.data[0].id, first.body.data[0].id);
      assert.equal(second.body.nextCursor, null);
      const q = await req('GET', '/faqs?q=seven%20thirty');
      assert.deepEqual(
        q.body.data.map((f: { id: string }) => f.id),
        [faqId],
      );
      const one = await req('GET', `/faqs/${faqId}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.answer, 'Branches open at seven thirty and close at three.');
    });

    it("another chatbot and another org never see the chatbot's FAQs", async () => {
      const hits = await search('when is the branch open', { mode: 'hybrid' }, otherBotId);
      assert.equal(hits.length, 0);
      assert.equal(
        (await s.request('GET', `${base(otherBotId)}/faqs/${faqId}`, { token: owner.token })).status,
        404,
      );
      const stranger = await registerUser(s);
      const theirs = await s.request('GET', `${base()}/faqs/${faqId}`, { token: stranger.token });
      assert.equal(theirs.status, 404);
      const strangerBot = (await createChatbot(s, stranger)).bot.id;
      const via = await s.request(
        'GET',
        `/api/v1/orgs/${stranger.orgId}/chatbots/${strangerBot}/faqs/${faqId}`,
        { token: stranger.token },
      );
      assert.equal(via.status, 404);
      const theirSearch = await s.request(
        'POST',
        `/api/v1/orgs/${stranger.orgId}/chatbots/${strangerBot}/search`,
        {
          token: stranger.token,
          body: { query: 'when is the branch open' },
        },
      );
      assert.equal(theirSearch.body.hits.length, 0);
    });

    it('imports a JSON array idempotently: same question → same entry, changed answer → updated', async () => {
      const bot = (await createChatbot(s, owner, { name: 'Import bot' })).bot.id;
      const entries = [
        { question: 'How long is a gold pawn loan?', answer: 'A gold pawn loan runs for 120 days.' },
        { question: 'Can I extend my loan?', answer: 'Yes, pay the interest to extend it.', tags: ['loan'] },
        { question: 'how long is a GOLD pawn loan?', answer: 'A gold pawn loan runs for 120 days.' },
      ];
      const importAt = (b: unknown) =>
        s.request('POST', `${base(bot)}/faqs/import`, { token: owner.token, body: b });
      const first = await importAt(entries);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        { ...first.body, ids: first.body.ids.length },
        { received: 3, created: 2, updated: 0, unchanged: 0, duplicates: 1, ids: 2 },
      );
      const again = await importAt(entries);
      assert.deepEqual(again.body.ids, first.body.ids);
      assert.equal(again.body.created, 0);
      assert.equal(again.body.unchanged, 2);
      const list = await s.request('GET', `${base(bot)}/faqs`, { token: owner.token });
      assert.equal(list.body.data.length, 2);

      const changed = await importAt([
        { question: 'Can I extend my loan?', answer: 'Yes: pay the interest due.' },
      ]);
      assert.equal(changed.body.updated, 1);
      assert.equal(changed.body.ids[0], first.body.ids[1]);
      const faq = await s.request('GET', `${base(bot)}/faqs/${first.body.ids[1]}`, { token: owner.token });
      assert.equal(faq.body.answer, 'Yes: pay the interest due.');
      assert.deepEqual(faq.body.tags, ['loan'], 'tags not given are kept');
      const hits = await search('extend loan', { mode: 'keyword' }, bot);
      assert.equal(hits[0]?.faqId, first.body.ids[1]);
      assert.match(hits[0]!.text, /interest due/);

      const invalid = await importAt([{ question: 'ok?', answer: 'fine' }, { question: 'no answer?' }]);
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.code, 'validation_failed');
      assert.equal((await s.request('GET', `${base(bot)}/faqs`, { token: owner.token })).body.data.length, 2);
      assert.equal((await importAt([])).status, 400);
    });

    it('imports CSV (text/csv) with quoted fields, idempotently; reports bad rows by line', async () => {
      const bot = (await createChatbot(s, owner, { name: 'CSV bot' })).bot.id;
      const csv = [
        'Question,Answer,Tags',
        '"What is the minimum loan?","The minimum loan is 50,000 rupiah.",loan;minimum',
        'Where do I pay?,At any branch or by bank transfer.,',
      ].join('\n');
      const send = (body: string, type = 'text/csv') =>
        s.request('POST', `${base(bot)}/faqs/import`, {
          token: owner.token,
          body,
          headers: { 'content-type': type },
        });
      const first = await send(csv);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.created, 2);
      const again = await send(csv);
      assert.equal(again.body.created, 0);
      assert.equal(again.body.unchanged, 2);
      const faq = await s.request('GET', `${base(bot)}/faqs/${first.body.ids[0]}`, { token: owner.token });
      assert.equal(faq.body.answer, 'The minimum loan is 50,000 rupiah.');
      assert.deepEqual(faq.body.tags, ['loan', 'minimum']);
      const hits = await search('minimum loan', { mode: 'keyword' }, bot);
      assert.equal(hits[0]?.faqId, first.body.ids[0]);

      const indonesianHeader = await send(
        'pertanyaan;jawaban\nBerapa bunga gadai?;Bunga 1,2 persen per bulan.',
        'text/csv; charset=utf-8',
      );
      assert.equal(indonesianHeader.status, 200, JSON.stringify(indonesianHeader.body));
      assert.equal(indonesianHeader.body.created, 1);

      const noAnswerColumn = await send('question,reply\nA?,B');
      assert.equal(noAnswerColumn.status, 400);
      assert.equal(noAnswerColumn.body.error.code, 'validation_failed');
      const badRow = await send('question,answer\nFine?,Yes\nBroken?,\n');
      assert.equal(badRow.status, 400);
      assert.deepEqual(
        badRow.body.error.details.map((d: { path: string }) => d.path),
        ['body.line 3.answer'],
      );
      assert.equal((await s.request('GET', `${base(bot)}/faqs`, { token: owner.token })).body.data.length, 3);
    });

    it('expands a query offline from the FAQs (the same terms search uses); llm needs a model', async () => {
      const bot = (await createChatbot(s, owner, { name: 'Expansion bot' })).bot.id;
      const imported = await s.request('POST', `${base(bot)}/faqs/import`, {
        token: owner.token,
        body: [
          {
            question: 'What is the gold appraisal rate?',
            answer: 'Gold jewellery is appraised at 94 percent of the karat price.',
          },
          {
            question: 'Is gold jewellery accepted?',
            answer: 'Gold jewellery of 16 karat and above is accepted as collateral.',
          },
          {
            question: 'How is gold jewellery tested?',
            answer: 'Appraisers test the karat of gold jewellery with a touchstone.',
          },
          {
            question: 'Can I pawn a laptop?',
            answer: 'Laptops under five years old are accepted with their charger.',
          },
          {
            question: 'Can I pawn a motorbike?',
            answer: 'Motorbikes are accepted with their registration papers.',
          },
        ],
      });
      assert.equal(imported.status, 200, JSON.stringify(imported.body));
      const expand = (body: unknown) =>
        s.request('POST', `${base(bot)}/query-expansion`, { token: owner.token, body });

      const res = await expand({ query: 'gold' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.method, 'auto');
      assert.deepEqual(res.body.applied, ['feedback']);
      assert.deepEqual(res.body.rewrites, []);
      assert.deepEqual(res.body.terms, ['gold']);
      assert.ok(res.body.expansion.length > 0, JSON.stringify(res.body));
      assert.ok(res.body.feedbackWeight > 0);
      const corpus =
        'gold appraisal rate jewellery appraised 94 percent karat price accepted 16 collateral tested appraisers test touchstone';
      for (const e of res.body.expansion) {
        assert.equal(e.source, 'feedback');
        assert.ok(corpus.includes(e.word.toLowerCase()), `${e.word} comes from the gold FAQs`);
      }
      const weights = res.body.expansion.map((e: { weight: number }) => e.weight);
      assert.deepEqual(
        weights,
        [...weights].sort((a, b) => b - a),
        'strongest first',
      );
      assert.ok(res.body.expandedQuery.startsWith('gold '));
      assert.ok(res.body.expandedQuery.includes(res.body.expansion[0].word));

      // What search reports as its expansion for the same query is exactly this.
      const viaSearch = await s.request('POST', `${base(bot)}/search`, {
        token: owner.token,
        body: { query: 'gold', mode: 'keyword' },
      });
      const byTerm = (xs: { term: string; weight: number }[]) =>
        Object.fromEntries(xs.map((x) => [x.term, Number(x.weight.toFixed(9))]));
      assert.deepEqual(byTerm(viaSearch.body.query.expansion), byTerm(res.body.expansion));

      const feedback = await expand({ query: 'gold', method: 'feedback' });
      assert.deepEqual(feedback.body.applied, ['feedback']);
      const llm = await expand({ query: 'gold', method: 'llm' });
      assert.equal(llm.status, 409);
      assert.equal(llm.body.error.code, 'model_not_configured');
      const unknownWords = await expand({ query: 'zzqx' });
      assert.equal(unknownWords.status, 200);
      assert.deepEqual(unknownWords.body.expansion, []);
      assert.equal(unknownWords.body.expandedQuery, 'zzqx');
      assert.equal((await expand({ query: '' })).status, 400);
      assert.equal((await expand({ query: 'gold', method: 'magic' })).status, 400);
    });

    it('deletes an entry: gone from the list and from search', async () => {
      const del = await req('DELETE', `/faqs/${faqId}`);
      assert.equal(del.status, 204);
      assert.equal((await req('GET', `/faqs/${faqId}`)).status, 404);
      assert.equal((await req('DELETE', `/faqs/${faqId}`)).status, 404);
      const hits = await search('opening hours branch', { mode: 'hybrid' });
      assert.ok(hits.every((h) => h.faqId !== faqId));
    });
  });
}
