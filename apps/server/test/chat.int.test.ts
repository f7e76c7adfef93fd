import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import {
  addMember,
  createChatbot,
  registerUser,
  uploadFile,
  waitForDocument,
  type TestUser,
} from './factories.ts';
import { postSse, readSse } from './sse-client.ts';

const HANDBOOK = `# Pawn loans at Toko Emas

## Interest
The monthly interest rate for gold pawn loans is 1.25 percent of the loan amount.
Loans run for a term of 120 days and may be extended twice.

## Documents
Bring your national identity card (KTP) and the gold item. Receipts are not required for jewellery.

## Auction
Items not redeemed within 14 days after the due date are sold at auction.
`;

// The zero-configuration promise: no model, no network — answers are quoted from the documents with citations.
for (const backend of backends()) {
  describe(`[${backend}] chat with the built-in responder`, () => {
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    let botKey: string;
    let base: string;

    before(async () => {
      s = await startServer(backend);
      owner = await registerUser(s);
      const c = await createChatbot(s, owner, { name: 'Pawn helper' });
      botId = c.bot.id;
      botKey = c.secret;
      base = `/api/v1/orgs/${owner.orgId}/chatbots/${botId}`;
      const up = await uploadFile(s, owner.token, `${base}/documents`, {
        name: 'handbook.md',
        content: HANDBOOK,
        type: 'text/markdown',
      });
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const doc = await waitForDocument(s, owner, botId, up.body.document.id);
      assert.equal(doc.status, 'indexed');
    });
    after(async () => s?.close());

    it('streams a cited answer quoted from the document, and stores it', async () => {
      const conv = await s.request('POST', `${base}/conversations`, { token: owner.token, body: {} });
      assert.equal(conv.status, 201, JSON.stringify(conv.body));
      const res = await postSse(`${s.url}${base}/conversations/${conv.body.id}/messages`, owner.token, {
        content: 'What is the monthly interest rate for gold pawn loans?',
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      const events = await readSse(res);
      const kinds = events.map((e) => e.event);
      assert.ok(kinds.filter((k) => k === 'delta').length > 1, `several deltas: ${kinds.join(',')}`);
      assert.deepEqual([...new Set(kinds)], ['delta', 'citation', 'usage', 'done']);
      const text = events
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.text)
        .join('');
      assert.match(text, /1\.25 percent/);
      const citation = events.find((e) => e.event === 'citation')!.data;
      assert.equal(citation.documentTitle.length > 0, true);
      assert.match(citation.quote, /1\.25 percent/);
      assert.ok(HANDBOOK.includes(citation.quote), 'the quote is verbatim');
      const done = events.at(-1)!.data;
      assert.equal(done.message.content, text);
      assert.equal(done.message.grounded, true);
      assert.equal(done.message.status, 'complete');
      assert.equal(done.conversation.messageCount, 2);
      assert.match(done.conversation.title, /interest rate/);

      const history = await s.request('GET', `${base}/conversations/${conv.body.id}/messages?order=asc`, {
        token: owner.token,
      });
      assert.equal(history.status, 200);
      assert.deepEqual(
        history.body.data.map((m: { role: string }) => m.role),
        ['user', 'assistant'],
      );
      assert.equal(history.body.data[1].content, text);
      assert.equal(history.body.data[1].citations.length, done.message.citations.length);
    });

    it('says the documents do not contain an unrelated answer (JSON mode)', async () => {
      const conv = await s.request('POST', `${base}/conversations`, { token: owner.token, body: {} });
      const res = await s.request('POST', `${base}/conversations/${conv.body.id}/messages`, {
        token: owner.token,
        body: { content: 'Who won the football world cup in 1998?' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.message.grounded, false);
      assert.deepEqual(res.body.message.citations, []);
      assert.doesNotMatch(res.body.message.content, /1\.25|KTP|auction/i);
    });

    it('code modes without a model explain how to connect one', async () => {
      const conv = await s.request('POST', `${base}/conversations`, {
        token: owner.token,
        body: { mode: 'code' },
      });
      const res = await s.request('POST', `${base}/conversations/${conv.body.id}/messages`, {
        token: owner.token,
        body: { content: 'Write a function that reverses a string' },
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.message.mode, 'code');
      assert.match(res.body.message.content, /model/i);
    });

    it('lists, searches, renames and deletes conversations; they are private to their owner', async () => {
      const member = await addMember(s, owner, 'member');
      const mine = await s.request('GET', `${base}/conversations?q=interest`, { token: owner.token });
      assert.equal(mine.status, 200);
      assert.equal(mine.body.data.length, 1);
      const convId = mine.body.data[0].id;

      const theirs = await s.request('GET', `${base}/conversations`, { token: member.token });
      assert.equal(theirs.body.data.length, 0);
      const peek = await s.request('GET', `${base}/conversations/${convId}`, { token: member.token });
      assert.equal(peek.status, 404);
      const notAdmin = await s.request('GET', `${base}/conversations?scope=all`, { token: member.token });
      assert.equal(notAdmin.status, 403);
      const all = await s.request('GET', `${base}/conversations?scope=all`, { token: owner.token });
      assert.ok(all.body.data.length >= 3);

      const renamed = await s.request('PATCH', `${base}/conversations/${convId}`, {
        token: owner.token,
        body: { title: 'Interest question' },
      });
      assert.equal(renamed.body.title, 'Interest question');
      const del = await s.request('DELETE', `${base}/conversations/${convId}`, { token: owner.token });
      assert.equal(del.status, 204);
      const gone = await s.request('GET', `${base}/conversations/${convId}/messages`, { token: owner.token });
      assert.equal(gone.status, 404);
    });

    it('records feedback per message and rater; replacing it keeps one row', async () => {
      const conv = await s.request('POST', `${base}/conversations`, { token: owner.token, body: {} });
      const ask = await s.request('POST', `${base}/conversations/${conv.body.id}/messages`, {
        token: owner.token,
        body: { content: 'Which documents do I need to bring?' },
      });
      const msgId = ask.body.message.id;
      const url = `${base}/conversations/${conv.body.id}/messages/${msgId}/feedback`;
      const up = await s.request('PUT', url, { token: owner.token, body: { rating: 'up' } });
      assert.equal(up.status, 200);
      const down = await s.request('PUT', url, {
        token: owner.token,
        body: { rating: 'down', comment: 'too short' },
      });
      assert.deepEqual(down.body, { messageId: msgId, rating: 'down', comment: 'too short' });
      const userMsg = await s.request(
        'PUT',
        `${base}/conversations/${conv.body.id}/messages/${ask.body.userMessage.id}/feedback`,
        {
          token: owner.token,
          body: { rating: 'up' },
        },
      );
      assert.equal(userMsg.status, 404, 'only answers can be rated');
      const history = await s.request('GET', `${base}/conversations/${conv.body.id}/messages?order=asc`, {
        token: owner.token,
      });
      assert.deepEqual(
        history.body.data.map((m: { role: string; feedback: unknown }) => [m.role, m.feedback]),
        [
          ['user', null],
          ['assistant', { rating: 'down', comment: 'too short' }],
        ],
        'the history returns your own rating with each answer',
      );
      const traces = await s.request(
        'GET',
        `${base}/conversations/${conv.body.id}/messages/${msgId}/traces`,
        {
          token: owner.token,
        },
      );
      assert.deepEqual(traces.body.data, [], 'the built-in responder calls no model');
    });

    it("answers on the public endpoint with the chatbot's key", async () => {
      const res = await s.request('POST', `/api/v1/public/chatbots/${botId}/chat`, {
        token: botKey,
        body: { content: 'How long is the loan term?' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.message.content, /120 days/);
      assert.equal(res.body.conversation.channel, 'api');
      const again = await s.request('POST', `/api/v1/public/chatbots/${botId}/chat`, {
        token: botKey,
        body: { content: 'Can it be extended?', conversationId: res.body.conversation.id },
      });
      assert.equal(again.status, 201);
      assert.equal(again.body.conversation.messageCount, 4);
    });

    it('guest demo limit: exactly 10 messages, even under 50 concurrent requests', async () => {
      const open = await s.request('POST', '/api/v1/guest/sessions', { body: { chatbotId: botId } });
      assert.equal(open.status, 201, JSON.stringify(open.body));
      assert.deepEqual(open.body.demo, { limit: 10, used: 0, remaining: 10 });
      const token = open.body.token;
      const first = await s.request('POST', `/api/v1/public/chatbots/${botId}/chat`, {
        token,
        body: { content: 'When are items auctioned?' },
      });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.headers.get('x-demo-remaining'), '9');
      assert.deepEqual(first.body.demo, { limit: 10, used: 1, remaining: 9 });

      const burst = await Promise.all(
        Array.from({ length: 50 }, () =>
          s.request('POST', `/api/v1/public/chatbots/${botId}/chat`, {
            token,
            body: { content: 'Interest rate?' },
          }),
        ),
      );
      const ok = burst.filter((r) => r.status === 201);
      const refused = burst.filter((r) => r.status === 429);
      assert.equal(ok.length, 9, 'the remaining 9 got through');
      assert.equal(refused.length, 41);
      for (const r of refused) {
        assert.equal(r.body.error.code, 'demo_limit_reached');
        assert.equal(r.headers.get('x-demo-remaining'), '0');
      }
      const eleventh = await s.request('POST', `/api/v1/public/chatbots/${botId}/chat`, {
        token,
        body: { content: 'One more?' },
      });
      assert.equal(eleventh.status, 429);

      // a guest session is bound to its chatbot
      const other = await createChatbot(s, owner, { name: 'Other bot' });
      const cross = await s.request('POST', `/api/v1/public/chatbots/${other.bot.id}/chat`, {
        token,
        body: { content: 'hi' },
      });
      assert.equal(cross.status, 404);
    });

    it('refuses guest sessions for chatbots with the demo disabled and from sites not allowed', async () => {
      const closed = await createChatbot(s, owner, { name: 'No guests', demoMessageLimit: 0 });
      const r1 = await s.request('POST', '/api/v1/guest/sessions', { body: { chatbotId: closed.bot.id } });
      assert.equal(r1.status, 404);
      const fenced = await createChatbot(s, owner, {
        name: 'Fenced',
        embed: { allowedDomains: ['shop.example.com'] },
      });
      const r2 = await s.request('POST', '/api/v1/guest/sessions', {
        body: { chatbotId: fenced.bot.id },
        headers: { origin: 'https://evil.example.net' },
      });
      assert.equal(r2.status, 403);
      const r3 = await s.request('POST', '/api/v1/guest/sessions', {
        token: fenced.secret,
        body: { chatbotId: fenced.bot.id },
        headers: { origin: 'https://shop.example.com' },
      });
      assert.equal(r3.status, 201);
      assert.equal(r3.body.kind, 'widget');
    });
  });
}
