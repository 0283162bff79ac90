/**
 * Presenter sign-in against a real server (docs/security.md, "Presenter sign-in and stored data"):
 * where a sign-in may send the browser, the throttle that slows wrong keys but never refuses the
 * right one, and sign-out that revokes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSlideshowServer, type SlideshowTestServer } from '../helpers/slideshow-server';
import { TEST_MS, within } from '../helpers/slideshow-clients';

/** The reported open-redirect payloads, as they travel in the address. */
const REDIRECT_PAYLOADS = ['/%09/evil.example/x', '/%0A/evil.example/x', '/%0D/evil.example/x', '//evil.example/x', '/%5Cevil.example/x', 'https://evil.example/', '%09//evil.example'];

describe('sign-in: where it may send the browser', () => {
  let server: SlideshowTestServer;
  before(async () => {
    server = await startSlideshowServer();
  });
  after(() => server?.close());

  test('the sign-in link follows `next` only to our own pages', { timeout: TEST_MS }, async () => {
    const link = (next: string) => `${server.url}/sign-in?key=${encodeURIComponent(server.key)}&next=${next}`;
    for (const payload of REDIRECT_PAYLOADS) {
      const response = await within(fetch(link(payload), { redirect: 'manual' }), payload);
      assert.equal(response.status, 303, payload);
      const location = response.headers.get('location')!;
      assert.equal(location, '/presenter', payload);
      assert.equal(new URL(location, server.url).origin, server.url, payload);
    }
    const decks = await fetch(link(encodeURIComponent('/decks')), { redirect: 'manual' });
    assert.equal(decks.headers.get('location'), '/decks');
  });
});
