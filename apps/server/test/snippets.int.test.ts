import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grantableScopes } from '../src/platform/auth/policy.ts';
import { backends, startServer, type TestServer } from './harness.ts';
import { addMember, createChatbot, createOrgKey, registerUser, type TestUser } from './factories.ts';
import { startLlmTestServer, type LlmTestServer } from './llm-server/server.ts';

const KEY = 'sk-test-snippets';

// An assistant answer with two fenced blocks, as a model writes it (the test server replies with this text).
const ANSWER = [
  'Install the driver:',
  '',
  '```bash',
  'npm install pg',
  '```',
  '',
  'Then **query** the database:',
  '',
  '```ts',
  "import pg from 'pg';",
  'const pool = new pg.Pool();',
  "console.log((await pool.query('select 1')).rows);",
  '```',
].join('\n');

interface Snippet {
  id: string;
  title: string;
  language: string;
  code: string;
  tags: string[];
  messageId: string | null;
  createdAt: string;
  updatedAt: string;
}

for (const backend of backends()) {
  describe(`[${backend}] code snippets: CRUD, search, save from a chat answer, privacy`, () => {
    let s: TestServer;
    let llm: LlmTestServer;
    let owner: TestUser;
    let member: TestUser;
    let other: TestUser; // a second member of the same org
    let botId: string;
    const snippets = (orgId = owner.orgId) => `/api/v1/orgs/${orgId}/snippets`;
    const as = (user: TestUser, method: string, path: string, body?: unknown) =>
      s.request(method, path, { token: user.token, body });

    /** A conversation of `user` in code mode whose assistant answer is `reply` (via the test model). */
    async function answered(user: TestUser, reply: string) {
      const convs = `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/conversations`;
      const conv = await as(user, 'POST', convs, { title: 'Postgres from Node', mode: 'code' });
      assert.equal(conv.status, 201, JSON.stringify(conv.body));
      const turn = await as(user, 'POST', `${convs}/${conv.body.id}/messages`, {
        content: `How do I query Postgres from Node? [[reply:${reply}]]`,
      });
      assert.equal(turn.status, 201, JSON.stringify(turn.body));
      assert.equal(turn.body.message.content, reply, 'the model answer is stored as sent');
      // `ref` is the from-message body naming the answer; `userMessageId` the question before it.
      return {
        ref: {
          chatbotId: botId,
          conversationId: conv.body.id as string,
          messageId: turn.body.message.id as string,
        },
        userMessageId: turn.body.userMessage.id as string,
      };
    }

    before(async () => {
      llm = await startLlmTestServer({ apiKey: KEY, models: [{ id: 'kawan-test-code' }] });
      s = await startServer(backend);
      owner = await registerUser(s);
      member = await addMember(s, owner, 'member');
      other = await addMember(s, owner, 'member');
      const p = await as(owner, 'POST', `/api/v1/orgs/${owner.orgId}/providers`, {
        name: 'Test server',
        preset: 'custom',
        baseUrl: llm.url,
        apiKey: KEY,
        models: [{ id: 'kawan-test-code' }],
      });
      assert.equal(p.status, 201, JSON.stringify(p.body));
      const bot = await createChatbot(s, owner, {
        name: 'Code bot',
        modelSettings: { model: `${p.body.id}/kawan-test-code` },
      });
      botId = bot.bot.id;
    });
    after(async () => {
      await s?.close();
      await llm?.close();
    });

    it('creates, reads, changes and deletes a snippet', async () => {
      const created = await as(member, 'POST', snippets(), {
        title: 'Retry with backoff',
        language: 'TS',
        code: 'for (let i = 0; i < 3; i++) await attempt(i);',
        tags: ['retry', 'async', 'retry'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const snp = created.body as Snippet;
      assert.match(snp.id, /^snp_/);
      assert.equal(snp.language, 'typescript', 'fence aliases are stored by one name');
      assert.deepEqual(snp.tags, ['retry', 'async'], 'repeated tags are dropped');
      assert.equal(snp.messageId, null);

      const got = await as(member, 'GET', `${snippets()}/${snp.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created.body);

      const patched = await as(member, 'PATCH', `${snippets()}/${snp.id}`, {
        code: 'await retry(attempt, { times: 3 });',
        tags: ['retry'],
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.code, 'await retry(attempt, { times: 3 });');
      assert.deepEqual(patched.body.tags, ['retry']);
      assert.equal(patched.body.title, 'Retry with backoff', 'fields not sent are kept');
      assert.ok(patched.body.updatedAt >= snp.updatedAt);

      const del = await as(member, 'DELETE', `${snippets()}/${snp.id}`);
      assert.equal(del.status, 204);
      const gone = await as(member, 'GET', `${snippets()}/${snp.id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error.code, 'not_found');
      assert.equal((await as(member, 'DELETE', `${snippets()}/${snp.id}`)).status, 404);
    });

    it('rejects invalid input with field-level details', async () => {
      const missing = await as(member, 'POST', snippets(), { title: 'No code', language: 'ts' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'validation_failed');
      assert.ok(missing.body.error.details.some((d: { path: string }) => d.path.includes('code')));

      const blank = await as(member, 'POST', snippets(), { title: 'Blank', code: '   \n  ' });
      assert.equal(blank.status, 400);
      const unknown = await as(member, 'POST', snippets(), { title: 'x', code: 'x', owner: 'someone' });
      assert.equal(unknown.status, 400, 'unknown fields are refused');
      const longTitle = await as(member, 'POST', snippets(), { title: 'x'.repeat(201), code: 'x' });
      assert.equal(longTitle.status, 400);

      const ok = await as(member, 'POST', snippets(), { title: 'Plain', code: 'echo hi' });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.language, 'text', 'no language given → text');
      assert.equal((await as(member, 'PATCH', `${snippets()}/${ok.body.id}`, {})).status, 400);
      assert.equal((await as(member, 'GET', `${snippets()}/not-a-snippet`)).status, 400);
      assert.equal((await as(member, 'GET', `${snippets()}?limit=0`)).status, 400);
      await as(member, 'DELETE', `${snippets()}/${ok.body.id}`);
    });

    it('lists newest first with search in title and code, tag and language filters, and cursor pages', async () => {
      const user = await addMember(s, owner, 'member'); // a clean collection
      const make = async (title: string, language: string, code: string, tags: string[] = []) => {
        const res = await as(user, 'POST', snippets(), { title, language, code, tags });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.id as string;
      };
      const a = await make('Parse CSV rows', 'py', 'import csv\nrows = list(csv.reader(f))', ['csv']);
      const b = await make('Debounce', 'javascript', 'const debounce = (fn, ms) => {};', ['ui']);
      const c = await make('Percent sign', 'sql', "select '100%' as full_load;", ['csv', 'sql']);
      const d = await make('Fetch JSON', 'js', 'const data = await (await fetch(url)).json();', ['ui']);

      const list = async (query: string) => {
        const res = await as(user, 'GET', `${snippets()}${query}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body as { data: Snippet[]; nextCursor: string | null };
      };
      assert.deepEqual(
        (await list('')).data.map((x) => x.id),
        [d, c, b, a],
      );
      assert.deepEqual(
        (await list('?q=DEBOUNCE')).data.map((x) => x.id),
        [b],
        'title, any case',
      );
      assert.deepEqual(
        (await list('?q=csv.reader')).data.map((x) => x.id),
        [a],
        'code',
      );
      assert.deepEqual(
        (await list('?q=%25')).data.map((x) => x.id),
        [c],
        '% is a literal, not a wildcard',
      );
      assert.deepEqual(
        (await list('?tag=csv')).data.map((x) => x.id),
        [c, a],
      );
      assert.deepEqual(
        (await list('?language=js')).data.map((x) => x.id),
        [d, b],
        'alias of javascript',
      );
      assert.deepEqual(
        (await list('?language=python&tag=csv')).data.map((x) => x.id),
        [a],
      );
      assert.deepEqual((await list('?q=nothing-like-this')).data, []);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((x) => x.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 2);
      assert.deepEqual(seen, [d, c, b, a]);
    });

    it('saves every fenced block of an answer as its own snippet, language from the fence', async () => {
      const { ref: msg } = await answered(member, ANSWER);
      const res = await as(member, 'POST', `${snippets()}/from-message`, {
        ...msg,
        tags: ['postgres'],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const saved = res.body.data as Snippet[];
      assert.deepEqual(
        saved.map((x) => [x.title, x.language, x.code, x.tags, x.messageId]),
        [
          ['Install the driver', 'bash', 'npm install pg', ['postgres'], msg.messageId],
          [
            'Then query the database',
            'typescript',
            "import pg from 'pg';\nconst pool = new pg.Pool();\nconsole.log((await pool.query('select 1')).rows);",
            ['postgres'],
            msg.messageId,
          ],
        ],
      );
      const listed = await as(member, 'GET', `${snippets()}?tag=postgres`);
      assert.deepEqual(
        listed.body.data.map((x: Snippet) => x.id),
        saved.map((x) => x.id).reverse(),
      );

      // One block by index, with the caller's title; several with one title are numbered.
      const one = await as(member, 'POST', `${snippets()}/from-message`, { ...msg, index: 1, title: 'Pool' });
      assert.equal(one.status, 201, JSON.stringify(one.body));
      assert.deepEqual(
        one.body.data.map((x: Snippet) => [x.title, x.language]),
        [['Pool', 'typescript']],
      );
      const titled = await as(member, 'POST', `${snippets()}/from-message`, { ...msg, title: 'Setup' });
      assert.deepEqual(
        titled.body.data.map((x: Snippet) => x.title),
        ['Setup (1)', 'Setup (2)'],
      );

      const outOfRange = await as(member, 'POST', `${snippets()}/from-message`, { ...msg, index: 2 });
      assert.equal(outOfRange.status, 400, JSON.stringify(outOfRange.body));
      assert.equal(outOfRange.body.error.code, 'validation_failed');
      assert.match(outOfRange.body.error.message, /blocks 0–1/);
    });

    it("falls back to the conversation's title; an answer without code or a user message cannot be saved", async () => {
      const bare = await answered(member, '```\nSELECT now();\n```');
      const res = await as(member, 'POST', `${snippets()}/from-message`, bare.ref);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.data.map((x: Snippet) => [x.title, x.language, x.code]),
        [['Postgres from Node', 'text', 'SELECT now();']],
      );

      const prose = await answered(member, 'Use the pg package and a connection pool.');
      const none = await as(member, 'POST', `${snippets()}/from-message`, prose.ref);
      assert.equal(none.status, 400, JSON.stringify(none.body));
      assert.equal(none.body.error.code, 'bad_request');
      assert.match(none.body.error.message, /no fenced code blocks/);

      const userMsg = await as(member, 'POST', `${snippets()}/from-message`, {
        ...bare.ref,
        messageId: bare.userMessageId,
      });
      assert.equal(userMsg.status, 404, 'only assistant answers');
      const wrongConv = await as(member, 'POST', `${snippets()}/from-message`, {
        ...bare.ref,
        conversationId: prose.ref.conversationId,
      });
      assert.equal(wrongConv.status, 404, 'the message must belong to the named conversation');
    });

    it('snippets and conversations are private: another member (or the owner) sees nothing of mine', async () => {
      const mine = await as(member, 'POST', snippets(), { title: 'My secret helper', code: 'helper()' });
      assert.equal(mine.status, 201);
      const url = `${snippets()}/${mine.body.id}`;
      for (const intruder of [other, owner]) {
        assert.equal((await as(intruder, 'GET', url)).status, 404);
        assert.equal((await as(intruder, 'PATCH', url, { title: 'taken' })).status, 404);
        assert.equal((await as(intruder, 'DELETE', url)).status, 404);
        const list = await as(intruder, 'GET', `${snippets()}?q=secret%20helper`);
        assert.equal(list.status, 200);
        assert.deepEqual(list.body.data, []);
      }
      const still = await as(member, 'GET', url);
      assert.equal(still.body.title, 'My secret helper', 'untouched by the failed writes');

      const { ref: msg } = await answered(member, ANSWER);
      const steal = await as(other, 'POST', `${snippets()}/from-message`, msg);
      assert.equal(steal.status, 404, "another member's conversation is not found");
      assert.equal(steal.body.error.code, 'not_found');
    });

    it('refuses API keys with 403 (snippets have no key owner) and viewers (chat:use)', async () => {
      const key = await createOrgKey(s, owner, grantableScopes);
      for (const [method, path, body] of [
        ['GET', snippets(), undefined],
        ['POST', snippets(), { title: 'By key', code: 'x' }],
      ] as const) {
        const res = await s.request(method, path, { token: key.secret, body });
        assert.equal(res.status, 403, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'forbidden');
        assert.match(res.body.error.message, /signed-in users/);
      }
      const viewer = await addMember(s, owner, 'viewer');
      assert.equal((await as(viewer, 'GET', snippets())).status, 403);
    });

    it("another org's snippets and conversations are a 404", async () => {
      const mine = await as(member, 'POST', snippets(), { title: 'Org A only', code: 'a()' });
      const outsider = await registerUser(s);
      const onA = await as(outsider, 'GET', `${snippets()}/${mine.body.id}`);
      assert.equal(onA.status, 404, "A's path");
      const onB = await as(outsider, 'GET', `${snippets(outsider.orgId)}/${mine.body.id}`);
      assert.equal(onB.status, 404, "A's snippet named in B's path");
      const patchOnB = await as(outsider, 'PATCH', `${snippets(outsider.orgId)}/${mine.body.id}`, {
        title: 'x',
      });
      assert.equal(patchOnB.status, 404);
      const { ref: msg } = await answered(member, ANSWER);
      const fromA = await as(outsider, 'POST', `${snippets(outsider.orgId)}/from-message`, msg);
      assert.equal(fromA.status, 404, "A's conversation named from org B");
      assert.deepEqual((await as(outsider, 'GET', snippets(outsider.orgId))).body.data, []);
    });
  });
}
