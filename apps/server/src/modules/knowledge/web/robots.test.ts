import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RobotsCache, RobotsRules, rulesFromResponse, type RobotsResponse } from './robots.ts';

const allowed = (rules: RobotsRules, path: string) => rules.isAllowed(new URL(path, 'https://site.test'));

describe('robots.txt: groups', () => {
  const text = `# comment line
User-agent: Googlebot
Disallow: /

User-agent: kawanbot/0.1
User-agent: OtherBot
Disallow: /private/   # trailing comment
Allow: /private/public-page
Crawl-delay: 2

User-agent: *
Disallow: /everyone-else/

Sitemap: https://site.test/sitemap.xml
`;

  it('uses the group naming KawanBot (case-insensitive product token)', () => {
    const rules = RobotsRules.parse(text);
    assert.equal(allowed(rules, '/'), true);
    assert.equal(allowed(rules, '/private/x'), false);
    assert.equal(allowed(rules, '/private/public-page'), true);
    assert.equal(
      allowed(rules, '/everyone-else/x'),
      true,
      'the * group does not apply when a group names us',
    );
    assert.equal(rules.crawlDelay, 2);
  });

  it('falls back to the * group, and allows everything when nothing applies', () => {
    const star = RobotsRules.parse(text, 'SomeoneElse');
    assert.equal(allowed(star, '/everyone-else/x'), false);
    assert.equal(allowed(star, '/private/x'), true);
    const nothing = RobotsRules.parse('User-agent: Googlebot\nDisallow: /\n');
    assert.equal(allowed(nothing, '/anything'), true);
    assert.equal(allowed(RobotsRules.parse(''), '/x'), true);
  });

  it('merges several groups for the same agent; rules before any user-agent are ignored', () => {
    const rules = RobotsRules.parse(
      'Disallow: /orphan\nUser-agent: KawanBot\nDisallow: /a\n\nUser-agent: *\nDisallow: /b\n\nUser-agent: KAWANBOT\nDisallow: /c\n',
    );
    assert.equal(allowed(rules, '/orphan'), true);
    assert.equal(allowed(rules, '/a'), false);
    assert.equal(allowed(rules, '/b'), true);
    assert.equal(allowed(rules, '/c/d'), false);
  });

  it('an empty Disallow allows everything; CRLF and a BOM are fine', () => {
    const rules = RobotsRules.parse('\uFEFFUser-agent: *\r\nDisallow:\r\n');
    assert.equal(allowed(rules, '/x'), true);
  });
});

describe('robots.txt: matching', () => {
  it('the longest match wins; Allow wins a tie', () => {
    const rules = RobotsRules.parse(
      'User-agent: *\nDisallow: /shop\nAllow: /shop/catalog\nDisallow: /shop/catalog/secret\nAllow: /tie\nDisallow: /tie\n',
    );
    assert.equal(allowed(rules, '/shop'), false);
    assert.equal(allowed(rules, '/shopping'), false, 'rules are prefixes');
    assert.equal(allowed(rules, '/shop/catalog/item'), true);
    assert.equal(allowed(rules, '/shop/catalog/secret/1'), false);
    assert.equal(allowed(rules, '/tie'), true);
  });

  it('supports * anywhere and $ at the end', () => {
    const rules = RobotsRules.parse(
      'User-agent: *\nDisallow: /*.pdf$\nDisallow: /*/drafts/\nDisallow: /search*q=\nAllow: /$\nDisallow: /\nAllow: /docs\nAllow: /a$b\n',
    );
    assert.equal(allowed(rules, '/'), true, '/$ allows the home page only');
    assert.equal(allowed(rules, '/other'), false);
    assert.equal(allowed(rules, '/docs/guide.pdf'), false);
    assert.equal(allowed(rules, '/docs/guide.pdf?download=1'), true, '$ anchors at the end of path+query');
    assert.equal(allowed(rules, '/docs/2024/drafts/x'), false);
    assert.equal(
      allowed(rules, '/docs/search?x=1&q=2'),
      true,
      '/docs is longer than /search*q= does not match',
    );
    assert.equal(allowed(rules, '/search?lang=en&q=kawan'), false);
    assert.equal(allowed(rules, '/a$b'), true, 'a $ inside a pattern is a literal');
  });

  it('compares percent-encoding case-insensitively and non-ASCII as UTF-8', () => {
    const rules = RobotsRules.parse(
      'User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /ü\nDisallow: /%7Euser\n',
    );
    assert.equal(allowed(rules, '/café/menu'), false);
    assert.equal(allowed(rules, '/über'), false);
    assert.equal(allowed(rules, '/~user/page'), false);
    assert.equal(allowed(rules, '/cafe'), true);
  });

  it('always allows /robots.txt itself', () => {
    assert.equal(allowed(RobotsRules.parse('User-agent: *\nDisallow: /\n'), '/robots.txt'), true);
  });
});

describe('robots.txt: HTTP outcomes and the cache', () => {
  const decide = (r: RobotsResponse) => allowed(rulesFromResponse(r), '/page');
  it('404 and other 4xx allow all; 429, 5xx and unreachable disallow all', () => {
    assert.equal(decide({ status: 404, text: '' }), true);
    assert.equal(decide({ status: 403, text: '' }), true);
    assert.equal(decide({ status: 410, text: '' }), true);
    assert.equal(decide({ status: 429, text: '' }), false);
    assert.equal(decide({ status: 500, text: '' }), false);
    assert.equal(decide({ status: 503, text: '' }), false);
    assert.equal(decide({ status: null, error: 'ECONNREFUSED' }), false);
    assert.equal(decide({ status: 200, text: 'User-agent: *\nDisallow: /page\n' }), false);
  });

  it('fetches robots.txt once per origin', async () => {
    const asked: string[] = [];
    const cache = new RobotsCache(async (u) => {
      asked.push(u.href);
      return { status: 200, text: 'User-agent: *\nDisallow: /no\n' };
    });
    assert.equal(await cache.isAllowed(new URL('https://a.test/yes')), true);
    assert.equal(await cache.isAllowed(new URL('https://a.test/no/1')), false);
    assert.equal(await cache.isAllowed(new URL('https://a.test:8443/no')), false);
    assert.equal(await cache.isAllowed(new URL('http://a.test/x#frag')), true);
    assert.deepEqual(asked, [
      'https://a.test/robots.txt',
      'https://a.test:8443/robots.txt',
      'http://a.test/robots.txt',
    ]);
  });

  it('a fetcher that throws counts as unreachable', async () => {
    const cache = new RobotsCache(async () => {
      throw new Error('boom');
    });
    assert.equal(await cache.isAllowed(new URL('https://b.test/x')), false);
  });
});
