import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractLinks, normalizeUrl } from './crawl.ts';
import { fileNameFor } from './fetch-page.ts';

describe('crawl: links', () => {
  const page = new URL('https://site.test/docs/intro?x=1');

  it('resolves, normalises and deduplicates links; drops non-http ones', () => {
    const html = `<html><body>
      <a href="guide">guide</a>
      <a href="/docs/guide#section">same, with a fragment</a>
      <a href="../about?">about</a>
      <a href="HTTPS://SITE.TEST:443/pricing">pricing</a>
      <a href="mailto:x@site.test">mail</a><a href="javascript:void(0)">js</a><a href="tel:123">tel</a>
      <a href="ftp://site.test/file">ftp</a><a href="  ">blank</a><a>no href</a>
      <map><area href="/map-target"></map>
      <a href="https://other.test/">external</a>
    </body></html>`;
    const { links, nofollow } = extractLinks(html, page);
    assert.equal(nofollow, false);
    assert.deepEqual(
      links.map((l) => l.href),
      [
        'https://site.test/docs/guide',
        'https://site.test/about',
        'https://site.test/pricing',
        'https://site.test/map-target',
        'https://other.test/',
      ],
    );
  });

  it('honours <base href> and meta robots nofollow', () => {
    const based = extractLinks('<head><base href="https://site.test/v2/"></head><a href="a">a</a>', page);
    assert.deepEqual(
      based.links.map((l) => l.href),
      ['https://site.test/v2/a'],
    );
    const nf = extractLinks(
      '<head><meta name="robots" content="noindex, NOFOLLOW"></head><a href="/a">a</a>',
      page,
    );
    assert.deepEqual(nf, { links: [], nofollow: true });
  });

  it('normalizeUrl strips fragments and refuses other schemes', () => {
    assert.equal(normalizeUrl('http://Site.test:80/a#b')?.href, 'http://site.test/a');
    assert.equal(normalizeUrl('file:///etc/passwd'), null);
    assert.equal(normalizeUrl('not a url'), null);
  });
});

describe('fetch: file names', () => {
  const none = new Uint8Array();
  it('derives a file name from the URL with the extension of the content', () => {
    assert.equal(
      fileNameFor(new URL('https://x.test/docs/Getting%20Started'), 'text/html', none),
      'Getting-Started.html',
    );
    assert.equal(fileNameFor(new URL('https://x.test/report.PDF'), 'application/pdf', none), 'report.pdf');
    assert.equal(fileNameFor(new URL('https://x.test/data.json'), 'text/plain', none), 'data.txt');
    assert.equal(fileNameFor(new URL('https://x.test/'), 'text/html', none), 'x.test.html');
    assert.equal(fileNameFor(new URL('https://x.test/notes.md'), '', none), 'notes.md');
    const html = new TextEncoder().encode('<!doctype html><title>t</title>');
    assert.equal(fileNameFor(new URL('https://x.test/page'), 'application/octet-stream', html), 'page.html');
  });
});
