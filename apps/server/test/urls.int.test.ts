import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { backends, startServer, type TestServer } from './harness.ts';
import { createChatbot, registerUser, waitForDocument, type TestUser } from './factories.ts';

/**
 * URL ingestion against a local site (node:http on 127.0.0.1). Every request Kawan makes goes to that site;
 * targets outside loopback (10.0.0.1, 169.254.169.254) appear only as addresses the SSRF guard must refuse
 * before connecting, so nothing ever leaves the machine.
 */

const CAP = 64 * 1024; // FETCH_MAX_BYTES of the servers under test

const page = (title: string, text: string, links: string[] = []) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>
<nav><a href="/">Home</a></nav>
<main><article><h1>${title}</h1>
<p>${text}</p>
<p>${text.split(' ').reverse().join(' ')}</p>
<ul>${links.map((l) => `<li><a href="${l}">link to ${l}</a></li>`).join('')}</ul>
</article></main></body></html>`;

const PAGES: Record<string, string> = {
  '/': page(
    'Lighthouse handbook',
    'The saffron lighthouse keeper counts seventeen herons on the northern jetty every dawn before breakfast.',
    [
      '/a',
      '/b#team',
      '/private/secret',
      '/big',
      '/redirect-private',
      '/redirect-ok',
      '/styles.css',
      'mailto:keeper@site.test',
      'http://example.invalid/elsewhere',
    ],
  ),
  '/a': page(
    'Quokka orchard',
    'The quokka orchard grows luminous persimmons that are harvested by moonlight in late autumn.',
    ['/a/deep', '/'],
  ),
  '/a/deep': page(
    'Deep cavern',
    'A subterranean cavern hides turquoise stalactites that hum softly when the tide rises.',
    ['/a/deeper'],
  ),
  '/a/deeper': page(
    'Deeper tunnel',
    'Beyond the cavern a narrow tunnel leads to a forgotten library of barnacle encrusted scrolls.',
  ),
  '/b': page(
    'Bakery roster',
    'The bakery roster assigns cardamom bun duty to the marmalade committee on alternate Thursdays.',
  ),
  '/private/secret': page('Secret', 'Confidential vault combination: never crawl this page.'),
};

interface SiteRequest {
  path: string;
  userAgent: string | undefined;
}

async function startSite() {
  const requests: SiteRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path, userAgent: req.headers['user-agent'] });
    const html = (body: string, status = 200) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    if (path === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('# test site\nUser-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n');
    } else if (PAGES[path]) {
      html(PAGES[path]!);
    } else if (path === '/big') {
      // Chunked, no Content-Length: the cap must be enforced while streaming.
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<!doctype html><html><body><p>');
      const chunk = 'lorem ipsum dolor sit amet '.repeat(400);
      let sent = 0;
      const pump = () => {
        while (sent < CAP * 4) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('</p></body></html>');
      };
      res.on('error', () => {});
      pump();
    } else if (path === '/big-declared') {
      const body = Buffer.alloc(CAP * 2, 'a');
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    } else if (path === '/redirect-private') {
      res.writeHead(302, { location: 'http://10.0.0.1/internal' });
      res.end();
    } else if (path === '/redirect-metadata') {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (path === '/redirect-file') {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    } else if (path === '/redirect-ok') {
      res.writeHead(302, { location: '/b' });
      res.end();
    } else if (path === '/redirect-loop') {
      res.writeHead(302, { location: '/redirect-loop' });
      res.end();
    } else if (path === '/slow') {
      hanging.add(res); // never answers
    } else if (path === '/image.gif') {
      res.writeHead(200, { 'content-type': 'image/gif' });
      res.end(Buffer.from('GIF89a'));
    } else if (path === '/notes.txt') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Plain notes: the walrus choir rehearses sea shanties in the old boathouse.\n');
    } else if (path === '/gzip') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync('Compressed notes: the albatross ledger lists every lantern on the pier.\n'));
    } else if (path === '/gzip-bomb') {
      // ~1 KiB on the wire, 4 × the cap once inflated: the cap counts decompressed bytes.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(Buffer.alloc(CAP * 4, 'a')));
    } else if (path === '/latin1') {
      res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      res.end(
        Buffer.from(
          page(
            'Caf\u00e9 menu',
            'Our caf\u00e9 serves cr\u00e8me br\u00fbl\u00e9e with smoked paprika cocoa.',
          ),
          'latin1',
        ),
      );
    } else {
      html(page('Not found', 'Nothing here.'), 404);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    paths: () => requests.map((r) => r.path),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Site = Awaited<ReturnType<typeof startSite>>;

for (const backend of backends()) {
  describe(`[${backend}] URL ingestion: pages, crawls, limits and the SSRF guard`, () => {
    let site: Site;
    let s: TestServer;
    let owner: TestUser;
    let botId: string;
    const base = (bot = botId) => `/api/v1/orgs/${owner.orgId}/chatbots/${bot}`;
    const ingest = (body: Record<string, unknown>, bot = botId) =>
      s.request('POST', `${base(bot)}/documents/urls`, { token: owner.token, body });

    before(async () => {
      site = await startSite();
      s = await startServer(backend, {
        FETCH_ALLOWED_HOSTS: '127.0.0.1',
        FETCH_MAX_BYTES: String(CAP),
        FETCH_TIMEOUT: '2',
        CRAWL_MAX_PAGES: '20',
        CRAWL_MAX_DEPTH: '3',
      });
      owner = await registerUser(s);
      botId = (await createChatbot(s, owner)).bot.id;
    });
    after(async () => {
      await s?.close();
      await site?.close();
    });

    /** Waits for the crawl's closing audit entry; returns it with the crawl's documents. */
    async function waitForCrawl(bot: string, crawlId: string) {
      const until = Date.now() + 90_000;
      for (;;) {
        const audit = await s.request(
          'GET',
          `/api/v1/orgs/${owner.orgId}/audit-logs?action=crawl.finish&targetId=${crawlId}`,
          { token: owner.token },
        );
        assert.equal(audit.status, 200, JSON.stringify(audit.body));
        if (audit.body.data.length > 0) {
          const list = await s.request('GET', `${base(bot)}/documents?limit=100`, { token: owner.token });
          const docs = (list.body.data as any[]).filter((d) => d.metadata.crawlId === crawlId);
          for (const d of docs) {
            const done = await waitForDocument(s, owner, bot, d.id);
            assert.equal(done.status, 'indexed', JSON.stringify(done));
          }
          return { finish: audit.body.data[0], docs };
        }
        if (Date.now() > until) throw new Error(`crawl ${crawlId} did not finish`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const pathsOf = (docs: { sourceUrl: string }[]) => docs.map((d) => new URL(d.sourceUrl).pathname).sort();

    it('ingests a single page: stored as a URL document, indexed and searchable', async () => {
      const res = await ingest({ url: `${site.url}/a`, tags: ['web'] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const doc = res.body.document;
      assert.equal(res.body.duplicate, false);
      assert.equal(res.body.crawl, null);
      assert.equal(doc.sourceType, 'url');
      assert.equal(doc.sourceUrl, `${site.url}/a`);
      assert.equal(doc.filename, 'a.html');
      assert.equal(doc.mimeType, 'text/html');
      assert.deepEqual(doc.tags, ['web']);
      assert.equal(doc.status, 'queued');

      const done = await waitForDocument(s, owner, botId, doc.id);
      assert.equal(done.status, 'indexed', JSON.stringify(done));
      assert.equal(done.title, 'Quokka orchard', 'the page title replaces the file name');

      const search = await s.request('POST', `${base()}/search`, {
        token: owner.token,
        body: { query: 'luminous persimmons harvested by moonlight', mode: 'keyword' },
      });
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal(search.body.hits[0]?.documentId, doc.id);

      const dl = await fetch(`${s.url}${base()}/documents/${doc.id}/download`, {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      assert.equal(await dl.text(), PAGES['/a']);

      const audit = await s.request(
        'GET',
        `/api/v1/orgs/${owner.orgId}/audit-logs?action=document.create&targetId=${doc.id}`,
        { token: owner.token },
      );
      assert.equal(audit.body.data[0]?.metadata.sourceUrl, `${site.url}/a`);

      const fetched = site.requests.filter((r) => r.path === '/a');
      assert.ok(fetched.length >= 1);
      assert.match(fetched[0]!.userAgent ?? '', /^KawanBot\/0\.1 \(\+http/);
      assert.ok(site.paths().includes('/robots.txt'), 'robots.txt is consulted');
    });

    it('recognises the same content again by its hash, like an upload', async () => {
      const res = await ingest({ url: `${site.url}/a#fragment` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.duplicate, true);
    });

    it('follows an allowed redirect and records where the content came from', async () => {
      const res = await ingest({ url: `${site.url}/redirect-ok`, title: 'Roster' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.document.sourceUrl, `${site.url}/b`);
      assert.equal(res.body.document.title, 'Roster');
    });

    it('ingests plain text, and HTML in a legacy charset as UTF-8', async () => {
      const txt = await ingest({ url: `${site.url}/notes.txt` });
      assert.equal(txt.status, 201, JSON.stringify(txt.body));
      assert.equal(txt.body.document.mimeType, 'text/plain');
      const latin = await ingest({ url: `${site.url}/latin1` });
      assert.equal(latin.status, 201, JSON.stringify(latin.body));
      const done = await waitForDocument(s, owner, botId, latin.body.document.id);
      assert.equal(done.status, 'indexed', JSON.stringify(done));
      assert.equal(done.title, 'Caf\u00e9 menu');
      const chunks = await s.request('GET', `${base()}/documents/${done.id}/chunks`, { token: owner.token });
      assert.match(chunks.body.data.map((c: { text: string }) => c.text).join(' '), /crème brûlée/);
    });

    it('decompresses gzip responses', async () => {
      const res = await ingest({ url: `${site.url}/gzip` });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const dl = await fetch(`${s.url}${base()}/documents/${res.body.document.id}/download`, {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      assert.match(await dl.text(), /albatross ledger/);
    });

    it('refuses pages over FETCH_MAX_BYTES: streamed, declared, or once decompressed', async () => {
      for (const path of ['/big', '/big-declared', '/gzip-bomb']) {
        const res = await ingest({ url: `${site.url}${path}` });
        assert.equal(res.status, 413, JSON.stringify(res.body));
        assert.equal(res.body.error.code, 'payload_too_large');
        assert.match(res.body.error.message, /larger than 64 KiB \(FETCH_MAX_BYTES\)/);
      }
    });

    it('refuses redirects to private and link-local addresses, and to other schemes', async () => {
      const before = site.requests.length;
      for (const [path, why] of [
        ['/redirect-private', /10\.0\.0\.1 is a private-network address/],
        ['/redirect-metadata', /169\.254\.169\.254 is a link-local address/],
        ['/redirect-file', /Only http:\/\/ and https:\/\//],
      ] as const) {
        const res = await ingest({ url: `${site.url}${path}` });
        assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'bad_request');
        assert.match(res.body.error.message, why);
      }
      // Only the redirecting pages themselves were requested (robots.txt is fetched per request).
      assert.deepEqual(
        site.requests
          .slice(before)
          .map((r) => r.path)
          .filter((p) => p !== '/robots.txt'),
        ['/redirect-private', '/redirect-metadata', '/redirect-file'],
      );
    });

    it('obeys robots.txt for a single page too', async () => {
      const res = await ingest({ url: `${site.url}/private/secret` });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.error.message, /robots\.txt .* does not allow KawanBot/);
      assert.ok(!site.paths().includes('/private/secret'));
    });

    it('answers fetch failures with clear 4xx errors', async () => {
      const cases: [string, number, RegExp][] = [
        ['/missing', 400, /answered HTTP 404/],
        ['/redirect-loop', 400, /redirects more than 5 times/],
        ['/slow', 400, /did not answer within 2 s \(FETCH_TIMEOUT\)/],
        ['/image.gif', 415, /image\/gif, which cannot be ingested/],
      ];
      for (const [path, status, message] of cases) {
        const res = await ingest({ url: `${site.url}${path}` });
        assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, message);
      }
      const closed = await ingest({ url: 'http://127.0.0.1:1/nothing-listens' });
      assert.equal(closed.status, 400);
      assert.match(closed.body.error.message, /could not be fetched \(ECONNREFUSED\)/);
    });

    it('validates the body: http(s) only, limits, strict fields', async () => {
      for (const body of [
        { url: 'file:///etc/passwd' },
        { url: 'ftp://127.0.0.1/file.txt' },
        { url: 'javascript:alert(1)' },
        { url: 'not a url' },
        { url: `${site.url}/`, mode: 'page', maxPages: 3 },
        { url: `${site.url}/`, mode: 'site', maxPages: 21 },
        { url: `${site.url}/`, mode: 'site', maxDepth: 4 },
        { url: `${site.url}/`, mode: 'everything' },
        { url: `${site.url}/`, metadata: { a: 1 } },
      ]) {
        const res = await ingest(body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'validation_failed');
      }
    });

    it('crawls a site breadth-first within depth 1, obeying robots.txt and the size cap', async () => {
      const bot = (await createChatbot(s, owner, { name: 'Crawl depth 1' })).bot.id;
      const res = await ingest({ url: `${site.url}/`, mode: 'site', maxDepth: 1, tags: ['site'] }, bot);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const crawl = res.body.crawl;
      assert.match(crawl.id, /^crawl_[0-9a-f]{24}$/);
      assert.deepEqual({ maxPages: crawl.maxPages, maxDepth: crawl.maxDepth }, { maxPages: 20, maxDepth: 1 });
      assert.equal(res.body.document.metadata.crawlId, crawl.id);
      assert.equal(res.body.document.sourceUrl, `${site.url}/`);

      const { finish, docs } = await waitForCrawl(bot, crawl.id);
      assert.deepEqual(pathsOf(docs), ['/', '/a', '/b']);
      assert.ok(docs.every((d) => d.sourceType === 'url' && d.tags.includes('site')));
      assert.deepEqual(docs.map((d) => d.metadata.crawlDepth).sort(), [0, 1, 1]);
      assert.equal(finish.metadata.stoppedBy, 'done');
      const reasons = JSON.stringify(finish.metadata.skipped);
      assert.match(reasons, /private\/secret.*robots\.txt/);
      assert.match(reasons, /big.*FETCH_MAX_BYTES/);
      assert.match(reasons, /10\.0\.0\.1 is a private-network address/);
      assert.match(reasons, /redirect-ok.*already crawled/);

      const paths = site.paths();
      for (const never of ['/private/secret', '/a/deep', '/styles.css', '/elsewhere']) {
        assert.ok(!paths.includes(never), `${never} must not be requested`);
      }
      const search = await s.request('POST', `${base(bot)}/search`, {
        token: owner.token,
        body: { query: 'cardamom bun marmalade committee', mode: 'keyword' },
      });
      assert.equal(search.body.hits[0]?.documentId, docs.find((d) => d.sourceUrl.endsWith('/b'))?.id);
    });

    it('crawls deeper levels up to maxDepth and no further', async () => {
      const bot = (await createChatbot(s, owner, { name: 'Crawl depth 2' })).bot.id;
      const res = await ingest({ url: `${site.url}/`, mode: 'site', maxDepth: 2 }, bot);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const { docs } = await waitForCrawl(bot, res.body.crawl.id);
      // / (0) → /a, /b (1) → /a/deep (2); /a/deeper would be depth 3.
      assert.deepEqual(pathsOf(docs), ['/', '/a', '/a/deep', '/b']);
      assert.ok(!site.paths().includes('/a/deeper'));
      assert.deepEqual(docs.find((d) => d.sourceUrl.endsWith('/a/deep'))?.metadata.crawlDepth, 2);
    });

    it('stops at maxPages (the start page counts)', async () => {
      const bot = (await createChatbot(s, owner, { name: 'Crawl two pages' })).bot.id;
      const res = await ingest({ url: `${site.url}/`, mode: 'site', maxPages: 2, maxDepth: 3 }, bot);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const { finish, docs } = await waitForCrawl(bot, res.body.crawl.id);
      assert.deepEqual(pathsOf(docs), ['/', '/a']);
      assert.equal(finish.metadata.fetched, 2);
      assert.equal(finish.metadata.stoppedBy, 'max_pages');
    });
  });

  describe(`[${backend}] URL ingestion without FETCH_ALLOWED_HOSTS: the SSRF guard`, () => {
    let site: Site;
    let s: TestServer;
    let owner: TestUser;
    let botId: string;

    before(async () => {
      site = await startSite();
      s = await startServer(backend);
      owner = await registerUser(s);
      botId = (await createChatbot(s, owner)).bot.id;
    });
    after(async () => {
      await s?.close();
      await site?.close();
    });

    it('refuses loopback, private and link-local targets before connecting', async () => {
      const p = site.port;
      const targets: [string, RegExp][] = [
        [`http://127.0.0.1:${p}/`, /127\.0\.0\.1 is a loopback address/],
        [`http://localhost:${p}/`, /localhost resolves to .* loopback address|localhost is/],
        [`http://[::1]:${p}/`, /::1 is a loopback address/],
        [`http://[::ffff:127.0.0.1]:${p}/`, /loopback address/],
        [`http://127.1:${p}/`, /127\.0\.0\.1 is a loopback address/],
        [`http://0.0.0.0:${p}/`, /unspecified address/],
        ['http://10.0.0.1/', /10\.0\.0\.1 is a private-network address/],
        ['http://192.168.1.1/admin', /private-network address/],
        ['http://169.254.169.254/latest/meta-data/', /link-local address/],
        ['http://[fe80::1]/', /link-local address/],
        ['http://100.64.0.1/', /carrier-grade NAT/],
      ];
      for (const [url, why] of targets) {
        for (const mode of ['page', 'site']) {
          const res = await s.request(
            'POST',
            `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/documents/urls`,
            {
              token: owner.token,
              body: { url, mode },
            },
          );
          assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error.code, 'bad_request');
          assert.match(res.body.error.message, why);
          assert.match(res.body.error.message, /FETCH_ALLOWED_HOSTS/);
        }
      }
      assert.deepEqual(site.requests, [], 'nothing reached the local site, not even robots.txt');
      const list = await s.request('GET', `/api/v1/orgs/${owner.orgId}/chatbots/${botId}/documents`, {
        token: owner.token,
      });
      assert.equal(list.body.data.length, 0);
    });
  });
}
