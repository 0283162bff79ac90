/** The client's address behind trusted proxies (server/slideshow/client-address.ts) and TRUSTED_PROXIES. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { TrustedProxies, bayeuxClientAddress, parseTrustedProxies } from '../../../server/slideshow/client-address';
import { ConfigError, loadConfig } from '../../../server/config';

describe('client address', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', '::1', '127.0.0.1']);

  test('without trusted proxies, X-Forwarded-For is ignored', () => {
    const none = new TrustedProxies();
    assert.equal(none.clientAddress('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), '127.0.0.1');
  });

  test('from a peer that is no trusted proxy, X-Forwarded-For is ignored', () => {
    assert.equal(proxies.clientAddress('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' }), '203.0.113.9');
    assert.equal(proxies.clientAddress('::ffff:203.0.113.9', {}), '203.0.113.9');
  });

  test('from a trusted proxy, the right-most address that is not one of ours is the client', () => {
    assert.equal(proxies.clientAddress('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }), '198.51.100.1');
    // The client wrote "1.2.3.4" itself; our two proxies appended what they saw.
    assert.equal(proxies.clientAddress('10.0.0.2', { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 10.0.0.1' }), '198.51.100.7');
    assert.equal(proxies.clientAddress('::1', { 'x-forwarded-for': ['1.2.3.4', '198.51.100.8'] as unknown as string }), '198.51.100.8');
    assert.equal(proxies.clientAddress('10.0.0.2', { 'x-forwarded-for': '10.0.0.5' }), '10.0.0.5', 'only proxies: the left-most');
    assert.equal(proxies.clientAddress('10.0.0.2', {}), '10.0.0.2');
  });

  test('TRUSTED_PROXIES takes IPs and CIDR ranges, and names every bad entry', () => {
    assert.deepEqual(loadConfig({ TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ,192.168.1.1' }).trustedProxies, ['10.0.0.0/8', '::1', '192.168.1.1']);
    assert.deepEqual(loadConfig({}).trustedProxies, []);
    const problems: string[] = [];
    parseTrustedProxies('proxy.example, 10.0.0.0/33, ::1/129, 1.2.3.4/8/1, 10.0.0.1', problems);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.throws(() => loadConfig({ TRUSTED_PROXIES: 'localhost' }), (error) => error instanceof ConfigError && /TRUSTED_PROXIES: "localhost"/.test(error.message));
  });
});

describe("Bayeux's per-address limits behind trusted proxies", () => {
  const request = (peer: string, forwarded?: string) =>
    ({ socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as unknown as IncomingMessage;

  test('without TRUSTED_PROXIES Bayeux counts the peer itself', () => {
    assert.equal(bayeuxClientAddress([]), undefined);
  });

  test("a trusted proxy's X-Forwarded-For names the client; anyone else's is ignored; IPv6 counts as its /64", () => {
    const address = bayeuxClientAddress(['10.0.0.1'])!;
    assert.equal(address(request('10.0.0.1', '203.0.113.7')), '203.0.113.7');
    assert.equal(address(request('::ffff:10.0.0.1', '198.51.100.1, 203.0.113.9')), '203.0.113.9');
    assert.equal(address(request('192.0.2.50', '203.0.113.7')), '192.0.2.50', 'a forged header from an untrusted peer');
    assert.equal(address(request('10.0.0.1', '2001:db8:0:1::42')), '2001:db8:0:1::/64');
  });
});
