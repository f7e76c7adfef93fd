import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, startServer, type TestServer } from './harness.ts';
import { addMember, createChatbot, registerUser, type TestUser } from './factories.ts';

interface Hit {
  source: string;
  chunkId: string;
  faqId: string | null;
  itemId: string | null;
  documentId: string | null;
  documentTitle: string;
  page: number | null;
  text: string;
}

const PROFILE = {
  name: 'Pegadaian Cabang Menteng',
  description: 'A pawnshop branch offering gold loans and jewellery safekeeping.',
  industry: 'Pawn services',
  address: 'Jl. Menteng Raya 12, Jakarta',
  phone: '+62 21 555 0100',
  email: 'menteng@example.com',
  website: 'https://menteng.example.com',
  hours: 'Monday to Friday 08:00–15:00',
  facts: { 'Payment methods': 'cash, bank transfer, QRIS', Parking: 'free motorbike parking' },
};

for (const backend of backends()) {
  describe(`[${backend}] business profile and catalogue as knowledge`, () => {
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    let itemId: string;
    const org = () => `/api/v1/orgs/${owner.orgId}`;
    const req = (method: string, path: string, body?: unknown, token = owner.token) =>
      s.request(method, `${org()}${path}`, { token, body });
    const search = async (query: string, extra: Record<string, unknown> = {}, bot = botId, who = owner) => {
      const res = await s.request('POST', `/api/v1/orgs/${who.orgId}/chatbots/${bot}/search`, {
        token: who.token,
        body: { query, ...extra },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.hits as Hit[];
    };

    before(async () => {
      s = await startServer(backend);
      owner = await registerUser(s);
      botId = (await createChatbot(s, owner, { name: 'Shop bot' })).bot.id;
    });
    after(async () => s?.close());

    it('has no profile until one is saved; PUT creates and then replaces it', async () => {
      const empty = await req('GET', '/business');
      assert.equal(empty.status, 200);
      assert.equal(empty.body.profile, null);

      const put = await req('PUT', '/business', PROFILE);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const { updatedAt, ...saved } = put.body.profile;
      assert.deepEqual(saved, PROFILE);
      assert.ok(Date.parse(updatedAt));
      assert.deepEqual((await req('GET', '/business')).body.profile, put.body.profile);

      const replaced = await req('PUT', '/business', { name: 'Temporary', phone: '' });
      assert.equal(replaced.status, 200);
      assert.equal(replaced.body.profile.address, null, 'fields left out are cleared');
      assert.equal(replaced.body.profile.phone, null, 'blank means not given');
      assert.deepEqual(replaced.body.profile.facts, {});
      assert.equal((await req('PUT', '/business', PROFILE)).status, 200);
    });

    it('validates the profile', async () => {
      for (const body of [
        {},
        { ...PROFILE, name: '' },
        { ...PROFILE, email: 'not-an-email' },
        { ...PROFILE, facts: { ok: 1 } },
        { ...PROFILE, logo: 'x.png' },
      ]) {
        const res = await req('PUT', '/business', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'validation_failed');
      }
    });

    it("the profile is searchable by the org's chatbots, rendered as text", async () => {
      const hits = await search('what are your opening hours', { mode: 'keyword' });
      const top = hits[0]!;
      assert.equal(top.source, 'business', JSON.stringify(hits));
      assert.equal(top.documentTitle, PROFILE.name);
      assert.equal(top.documentId, null);
      assert.equal(top.faqId, null);
      assert.equal(top.itemId, null);
      assert.equal(top.page, null);
      assert.match(top.text, /Opening hours: Monday to Friday 08:00–15:00/);
      assert.match(top.text, /Payment methods: cash, bank transfer, QRIS/);
      // A profile change reaches every chatbot of the org, including ones whose index was already built.
      const second = (await createChatbot(s, owner, { name: 'Second bot' })).bot.id;
      assert.equal((await search('opening hours', { mode: 'keyword' }, second))[0]?.source, 'business');
      await req('PUT', '/business', { ...PROFILE, hours: 'Every day 07:00–20:00' });
      for (const bot of [botId, second]) {
        const after = await search('opening hours', { mode: 'keyword' }, bot);
        assert.match(after[0]!.text, /Every day 07:00–20:00/);
      }
    });

    it('creates catalogue items: price normalised to a decimal string, SKU unique per org', async () => {
      const ring = await req('POST', '/business/catalogue', {
        name: 'Gold ring 24 karat',
        description: 'Plain band, 5 grams.',
        sku: 'RING-24K-5G',
        category: 'Jewellery',
        price: 6250000,
        attributes: { Weight: '5 g', Purity: '99.9%' },
        tags: ['gold'],
      });
      assert.equal(ring.status, 201, JSON.stringify(ring.body));
      itemId = ring.body.id;
      assert.match(itemId, /^itm_/);
      assert.equal(ring.body.price, '6250000');
      assert.equal(ring.body.currency, 'IDR');
      assert.equal(ring.body.available, true);

      const laptop = await req('POST', '/business/catalogue', {
        name: 'Used laptop',
        category: 'Electronics',
        price: '3500000.50',
        currency: 'idr',
        available: false,
      });
      assert.equal(laptop.status, 201);
      assert.equal(laptop.body.currency, 'IDR');
      assert.equal(laptop.body.sku, null);
      const another = await req('POST', '/business/catalogue', {
        name: 'Second laptop',
        category: 'Electronics',
      });
      assert.equal(another.status, 201, 'items without SKU do not collide');

      const dup = await req('POST', '/business/catalogue', { name: 'Other ring', sku: 'RING-24K-5G' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.code, 'conflict');
      for (const body of [
        { name: 'x', price: '12,50' },
        { name: 'x', price: -1 },
        { name: 'x', currency: 'RUPIAH' },
        { price: '1' },
        { name: 'x', colour: 'red' },
      ]) {
        const bad = await req('POST', '/business/catalogue', body);
        assert.equal(bad.status, 400, JSON.stringify(body));
        assert.equal(bad.body.error.code, 'validation_failed');
      }
    });

    it('lists the catalogue with filters and cursor pagination', async () => {
      const all = await req('GET', '/business/catalogue');
      assert.equal(all.body.data.length, 3);
      const electronics = await req('GET', '/business/catalogue?category=Electronics');
      assert.equal(electronics.body.data.length, 2);
      const unavailable = await req('GET', '/business/catalogue?available=false');
      assert.deepEqual(
        unavailable.body.data.map((i: { name: string }) => i.name),
        ['Used laptop'],
      );
      const bySku = await req('GET', '/business/catalogue?q=ring-24k');
      assert.deepEqual(
        bySku.body.data.map((i: { id: string }) => i.id),
        [itemId],
      );
      const page1 = await req('GET', '/business/catalogue?limit=2');
      assert.equal(page1.body.data.length, 2);
      const page2 = await req('GET', `/business/catalogue?limit=2&cursor=${page1.body.nextCursor}`);
      assert.equal(page2.body.data.length, 1);
      assert.equal(page2.body.nextCursor, null);
      assert.equal((await req('GET', '/business/catalogue?available=maybe')).status, 400);
    });

    it('catalogue items are searchable with name, category, price, availability and attributes', async () => {
      const hits = await search('how much is the gold ring', { mode: 'hybrid' });
      const ring = hits.find((h) => h.source === 'catalogue')!;
      assert.equal(hits[0]?.source, 'catalogue', JSON.stringify(hits.map((h) => h.documentTitle)));
      assert.equal(ring.itemId, itemId);
      assert.equal(ring.chunkId, itemId);
      assert.equal(ring.documentTitle, 'Gold ring 24 karat');
      assert.equal(ring.documentId, null);
      for (const part of [
        'Category: Jewellery',
        'Price: 6250000 IDR',
        'Availability: available',
        'Purity: 99.9%',
        'Plain band',
      ]) {
        assert.ok(ring.text.includes(part), `${part} in ${ring.text}`);
      }
      const laptop = (await search('used laptop', { mode: 'keyword' }))[0]!;
      assert.match(laptop.text, /not available/);
      const onlyCatalogue = await search('gold', { mode: 'keyword', sources: ['catalogue'] });
      assert.ok(onlyCatalogue.length > 0 && onlyCatalogue.every((h) => h.source === 'catalogue'));
      const tagged = await search('gold ring', { mode: 'keyword', tags: ['gold'] });
      assert.deepEqual(
        tagged.map((h) => h.itemId),
        [itemId],
      );
    });

    it('changes reach search at once; a deleted item is gone', async () => {
      const patch = await req('PATCH', `/business/catalogue/${itemId}`, {
        price: '6500000',
        available: false,
      });
      assert.equal(patch.status, 200, JSON.stringify(patch.body));
      assert.equal(patch.body.name, 'Gold ring 24 karat');
      let ring = (await search('gold ring price', { mode: 'keyword', sources: ['catalogue'] }))[0]!;
      assert.match(ring.text, /Price: 6500000 IDR/);
      assert.match(ring.text, /not available/);
      const taken = await req('POST', '/business/catalogue', { name: 'Bracelet', sku: 'BR-1' });
      assert.equal(taken.status, 201);
      assert.equal(
        (await req('PATCH', `/business/catalogue/${taken.body.id}`, { sku: 'RING-24K-5G' })).status,
        409,
      );
      assert.equal((await req('PATCH', `/business/catalogue/${itemId}`, {})).status, 400);

      assert.equal((await req('DELETE', `/business/catalogue/${itemId}`)).status, 204);
      assert.equal((await req('GET', `/business/catalogue/${itemId}`)).status, 404);
      assert.equal((await req('DELETE', `/business/catalogue/${itemId}`)).status, 404);
      ring = (await search('gold ring 24 karat', { mode: 'hybrid' })).find((h) => h.itemId === itemId)!;
      assert.equal(ring, undefined);
    });

    it('a chatbot with useBusinessProfile false leaves business knowledge out', async () => {
      const res = await s.request('POST', `${org()}/chatbots`, {
        token: owner.token,
        body: { name: 'Docs only', modelSettings: { useBusinessProfile: false } },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const docsOnly = res.body.chatbot.id;
      assert.equal(res.body.chatbot.modelSettings.useBusinessProfile, false);
      assert.deepEqual(await search('opening hours laptop', { mode: 'keyword' }, docsOnly), []);
      const qe = await s.request('POST', `${org()}/chatbots/${docsOnly}/query-expansion`, {
        token: owner.token,
        body: { query: 'laptop' },
      });
      assert.deepEqual(qe.body.expansion, [], 'no feedback from knowledge the chatbot does not use');
      const on = await s.request('PATCH', `${org()}/chatbots/${docsOnly}`, {
        token: owner.token,
        body: { modelSettings: { useBusinessProfile: true } },
      });
      assert.equal(on.status, 200);
      const hits = await search('opening hours', { mode: 'keyword' }, docsOnly);
      assert.equal(hits[0]?.source, 'business');
    });

    it('roles: viewers read, only admins write; another org never sees any of it', async () => {
      const viewer = await addMember(s, owner, 'viewer');
      const member = await addMember(s, owner, 'member');
      assert.equal((await req('GET', '/business', undefined, viewer.token)).status, 200);
      assert.equal((await req('GET', '/business/catalogue', undefined, viewer.token)).status, 200);
      const denied = await req('PUT', '/business', PROFILE, member.token);
      assert.equal(denied.status, 403);
      assert.equal((await req('POST', '/business/catalogue', { name: 'x' }, member.token)).status, 403);

      const stranger = await registerUser(s);
      const strangerBot = (await createChatbot(s, stranger)).bot.id;
      assert.equal((await req('GET', '/business', undefined, stranger.token)).status, 404);
      const items = await req('GET', '/business/catalogue');
      const anyItem = items.body.data[0].id;
      const theirs = await s.request('GET', `/api/v1/orgs/${stranger.orgId}/business/catalogue/${anyItem}`, {
        token: stranger.token,
      });
      assert.equal(theirs.status, 404);
      assert.equal(
        (await s.request('GET', `/api/v1/orgs/${stranger.orgId}/business`, { token: stranger.token })).body
          .profile,
        null,
      );
      assert.deepEqual(
        await search('opening hours laptop gold', { mode: 'hybrid' }, strangerBot, stranger),
        [],
      );
    });

    it('records who changed the business data in the audit log', async () => {
      const logs = await req('GET', '/audit-logs?limit=100');
      assert.equal(logs.status, 200, JSON.stringify(logs.body));
      const actions = new Set(logs.body.data.map((l: { action: string }) => l.action));
      for (const a of [
        'business.create',
        'business.update',
        'catalogue.create',
        'catalogue.update',
        'catalogue.delete',
      ]) {
        assert.ok(actions.has(a), `${a} in ${[...actions].join(', ')}`);
      }
    });
  });
}
