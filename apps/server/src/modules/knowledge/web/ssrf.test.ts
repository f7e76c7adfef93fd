import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import {
  classifyIp,
  parseAllowlist,
  parseCidr,
  parseIp,
  pinnedLookup,
  resolveTarget,
  UrlNotAllowedError,
  type LookupAll,
} from './ssrf.ts';

const none = parseAllowlist('');
/** A resolver that answers from a table and records what it was asked: no real DNS in unit tests. */
function fakeDns(table: Record<string, string[]>) {
  const asked: string[] = [];
  const lookup: LookupAll = async (host) => {
    asked.push(host);
    const addrs = table[host];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, asked };
}

describe('ssrf: address classification', () => {
  const cases: [string, string][] = [
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    // IPv6
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'], // Teredo
    // IPv4 embedded in IPv6: classified by the IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:100.64.0.1', 'cgnat'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'], // IPv4-translated
    ['::127.0.0.1', 'loopback'], // IPv4-compatible (deprecated)
    ['::10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'], // NAT64
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', 'private'], // 6to4 of 192.168.1.1
    ['2002:808:808::1', 'public'],
    ['[::1]', 'loopback'],
  ];
  for (const [ip, expected] of cases) {
    it(`${ip} is ${expected}`, () => assert.equal(classifyIp(ip), expected));
  }

  it('treats text that is not an IP address as reserved', () => {
    assert.equal(classifyIp('localhost'), 'reserved');
    assert.equal(classifyIp('1.2.3'), 'reserved');
    assert.equal(classifyIp('::ffff:1.2.3.999'), 'reserved');
  });

  it('parses IPv6 forms to the same bytes', () => {
    assert.deepEqual(parseIp('::ffff:127.0.0.1'), parseIp('0:0:0:0:0:ffff:7f00:0001'));
    assert.deepEqual(parseIp('fe80::'), parseIp('fe80:0:0:0:0:0:0:0'));
    assert.equal(parseIp('1::2::3'), null);
  });

  it('parses CIDRs and refuses bad ones', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8')?.bits, 8);
    assert.deepEqual(parseCidr('fd00::/8')?.bits, 8);
    assert.deepEqual(parseCidr('127.0.0.1')?.bits, 32);
    assert.equal(parseCidr('10.0.0.0/33'), null);
    assert.equal(parseCidr('::/129'), null);
    assert.equal(parseCidr('10.0.0.0/8/1'), null);
    assert.equal(parseCidr('example.com/8'), null);
  });
});

describe('ssrf: resolveTarget', () => {
  const refuses = async (url: string, allow = none, lookup?: LookupAll) => {
    await assert.rejects(resolveTarget(new URL(url), allow, lookup), (err: unknown) => {
      assert.ok(err instanceof UrlNotAllowedError, String(err));
      return true;
    });
  };

  it('refuses non-http schemes and URLs with credentials', async () => {
    await refuses('file:///etc/passwd');
    await refuses('ftp://example.com/file.txt');
    await refuses('gopher://example.com/');
    await refuses('http://user:secret@example.com/');
  });

  it('refuses private, loopback and link-local literals without resolving anything', async () => {
    const { lookup, asked } = fakeDns({});
    for (const url of [
      'http://127.0.0.1/',
      'http://127.1/',
      'http://2130706433/', // decimal form of 127.0.0.1, normalised by the URL parser
      'http://0x7f.0.0.1/',
      'http://10.0.0.1:8080/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://0.0.0.0/',
      'http://100.64.0.1/',
      'https://192.168.0.1/',
    ]) {
      await refuses(url, none, lookup);
    }
    assert.deepEqual(asked, []);
  });

  it('resolves names and refuses when any address is not public', async () => {
    const { lookup } = fakeDns({
      localhost: ['127.0.0.1', '::1'],
      'public.test': ['93.184.215.14'],
      'mixed.test': ['93.184.215.14', '10.0.0.5'],
      'metadata.test': ['169.254.169.254'],
      'mapped.test': ['::ffff:192.168.0.1'],
    });
    const ok = await resolveTarget(new URL('https://public.test/a'), none, lookup);
    assert.deepEqual(ok.addresses, [{ address: '93.184.215.14', family: 4 }]);
    assert.equal(ok.hostname, 'public.test');
    assert.equal(ok.isIpLiteral, false);
    await refuses('http://localhost:2026/', none, lookup);
    await refuses('http://mixed.test/', none, lookup);
    await refuses('http://metadata.test/', none, lookup);
    await refuses('http://mapped.test/', none, lookup);
    await refuses('http://nowhere.test/', none, lookup); // does not resolve
  });

  it('lets the allowlist admit host names, exact addresses and CIDRs', async () => {
    const { lookup } = fakeDns({
      'intranet.example.com': ['10.1.2.3'],
      'wiki.corp.test': ['192.168.7.7'],
      'other.test': ['10.9.9.9'],
      'v6.test': ['fd00::5'],
    });
    const allow = parseAllowlist(' Intranet.Example.com ,127.0.0.1, *.corp.test, 10.9.0.0/16, fd00::/8 ');
    await resolveTarget(new URL('http://intranet.example.com/'), allow, lookup);
    await resolveTarget(new URL('http://wiki.corp.test/'), allow, lookup);
    await resolveTarget(new URL('http://other.test/'), allow, lookup);
    await resolveTarget(new URL('http://v6.test/'), allow, lookup);
    await resolveTarget(new URL('http://127.0.0.1:9999/'), allow, lookup);
    await resolveTarget(new URL('http://[::ffff:127.0.0.1]/'), allow, lookup); // mapped form of a listed IPv4
    await resolveTarget(new URL('http://10.9.200.1/'), allow, lookup);
    await refuses('http://127.0.0.2/', allow, lookup);
    await refuses('http://10.8.0.1/', allow, lookup);
    await refuses('http://[::1]/', allow, lookup);
    await refuses('http://169.254.169.254/', allow, lookup);
    await refuses('http://corp.test.evil.test/', allow, lookup);
  });

  it('the pinned lookup answers with the checked addresses only', async () => {
    const target = {
      hostname: 'public.test',
      isIpLiteral: false,
      addresses: [
        { address: '93.184.215.14', family: 4 as const },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 as const },
      ],
    };
    const lookup = pinnedLookup(target);
    const call = (opts: dns.LookupOptions) =>
      new Promise<unknown>((resolve, reject) =>
        lookup('public.test', opts, (err, address, family) =>
          err ? reject(err) : resolve(family === undefined ? address : [address, family]),
        ),
      );
    assert.deepEqual(await call({}), ['93.184.215.14', 4]);
    assert.deepEqual(await call({ family: 6 }), ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', 6]);
    assert.deepEqual(await call({ all: true }), target.addresses);
    const v4only = pinnedLookup({ ...target, addresses: [target.addresses[0]!] });
    await assert.rejects(
      new Promise((resolve, reject) =>
        v4only('public.test', { family: 6 }, (err, a) => (err ? reject(err) : resolve(a))),
      ),
      /No checked IPv6 address/,
    );
  });
});
