/**
 * The slideshow's security policy, driven through a real Bayeux server over HTTP: only presenter
 * sessions publish; the audience may subscribe to /slideshow/change and public namespaces only;
 * a wrong token is refused at handshake; BAYEUX_PUBLIC_CHANNELS can never open /slideshow or /meta.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBayeuxServer, type TestServer } from '../../helpers/bayeux-server';
import { RawBayeux } from '../../helpers/raw-bayeux';
import { PresenterAuth } from '../../../server/slideshow/auth';
import { slideshowPolicy } from '../../../server/slideshow/policy';
import { PublicChannels, within } from '../../../server/slideshow/public-channels';

const KEY = 'a-presenter-key-for-tests-only';

describe('slideshow policy', () => {
  let server: TestServer;
  const auth = new PresenterAuth(KEY);
  before(async () => {
    server = await startBayeuxServer({ timeout: 1000, maxSessionsPerBrowser: 10 });
    server.bayeux.setPolicy(slideshowPolicy(auth, PublicChannels.parse('/chat/**,/demo/room')));
  });
  after(() => server.close());

  const audience = async () => {
    const client = new RawBayeux(server.endpoint);
    assert.equal((await client.handshake()).successful, true);
    return client;
  };
  const presenter = async (token: string) => {
    const client = new RawBayeux(server.endpoint);
    const reply = await client.handshake({ auth: { token } });
    return { client, reply };
  };

  test('a handshake with a valid token makes a presenter, with the key itself too', async () => {
    for (const token of [auth.issueBayeuxToken().token, KEY]) {
      const { client, reply } = await presenter(token);
      assert.equal(reply.successful, true);
      assert.equal((await client.publish('/slideshow/change', { slide: 1 })).successful, true);
      assert.equal((await client.publish('/anything/else', 1)).successful, true);
    }
  });

  test('a handshake with a wrong or expired token is refused and told not to retry', async () => {
    const expired = new PresenterAuth(KEY, () => Date.now() - 3_600_000).issueBayeuxToken().token;
    for (const token of ['wrong', expired, 'v1.9999999999999.nonce.mac']) {
      const started = Date.now();
      const { reply } = await presenter(token);
      assert.ok(Date.now() - started >= 500, 'a wrong token is answered late, so guessing is slow');
      assert.equal(reply.successful, false);
      assert.equal(reply.error, '403::handshake_denied');
      assert.equal(reply.advice.reconnect, 'none');
    }
  });

  test('the audience cannot publish a slide change, and nobody receives a forged one', async () => {
    const watcher = await audience();
    await watcher.connect();
    assert.equal((await watcher.subscribe('/slideshow/change')).successful, true);
    const forger = await audience();
    const reply = await forger.publish('/slideshow/change', { slide: 40 });
    assert.equal(reply.successful, false);
    assert.equal(reply.error, '403:/slideshow/change:publish_denied');
    const { messages } = await watcher.connect({ advice: { timeout: 0 } });
    assert.equal(messages.filter((m) => m.channel === '/slideshow/change').length, 0);
  });

  test('the audience publishes nowhere but in public namespaces', async () => {
    const client = await audience();
    for (const channel of ['/slideshow/audience', '/news', '/service/echo', '/chat', '/demo/room/x']) {
      assert.equal((await client.publish(channel, 1)).successful, false, channel);
    }
    for (const channel of ['/chat/room', '/chat/a/b', '/demo/room']) {
      assert.equal((await client.publish(channel, 1)).successful, true, channel);
    }
  });

  test('the audience subscribes to the slide channel and public namespaces, never to a pattern covering presenter channels', async () => {
    const client = await audience();
    for (const subscription of ['/slideshow/change', '/chat/room', '/chat/*', '/chat/**', '/demo/room']) {
      assert.equal((await client.subscribe(subscription)).successful, true, subscription);
    }
    for (const subscription of ['/slideshow/audience', '/slideshow/*', '/slideshow/**', '/**', '/*', '/demo/*', '/other']) {
      const reply = await client.subscribe(subscription);
      assert.equal(reply.successful, false, subscription);
      assert.equal(reply.error, `403:${subscription}:subscribe_denied`);
    }
  });
});

describe('BAYEUX_PUBLIC_CHANNELS', () => {
  test('accepts namespaces and channels', () => {
    assert.deepEqual(PublicChannels.parse(' /chat/** , /demo/*,/lobby ').patterns, ['/chat/**', '/demo/*', '/lobby']);
    assert.deepEqual(PublicChannels.parse(undefined).patterns, []);
  });

  test('can never open /slideshow/** or /meta/**, nor a pattern covering them', () => {
    for (const entry of ['/slideshow/**', '/slideshow/change', '/slideshow', '/meta/**', '/meta/connect', '/**', '/*']) {
      assert.throws(() => PublicChannels.parse(`/chat/**,${entry}`), /BAYEUX_PUBLIC_CHANNELS/, entry);
    }
    assert.throws(() => PublicChannels.parse('chat'), /not a channel/);
  });

  test('within() compares names and patterns exactly', () => {
    assert.equal(within('/chat/room', '/chat/**'), true);
    assert.equal(within('/chat/a/b', '/chat/**'), true);
    assert.equal(within('/chat/*', '/chat/**'), true);
    assert.equal(within('/chat', '/chat/**'), false);
    assert.equal(within('/chatter/x', '/chat/**'), false);
    assert.equal(within('/chat/room', '/chat/*'), true);
    assert.equal(within('/chat/a/b', '/chat/*'), false);
    assert.equal(within('/chat/**', '/chat/*'), false);
  });
});
