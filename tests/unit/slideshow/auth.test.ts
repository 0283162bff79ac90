import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PresenterAuth, SESSION_COOKIE } from '../../../server/slideshow/auth';
import { loadPresenterKey } from '../../../server/slideshow/presenter-key';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('presenter auth', () => {
  const auth = new PresenterAuth('the-presenter-key-1234');

  test('session cookies verify, and are no Bayeux tokens (and vice versa)', async () => {
    const cookie = await auth.issueSession();
    assert.equal(await auth.isSignedIn(request({ cookie: `x=1; ${SESSION_COOKIE}=${cookie}` })), true);
    assert.equal(auth.checkBayeuxToken(cookie), false);
    const { token } = auth.issueBayeuxToken();
    assert.equal(await auth.isSignedIn(request({ cookie: `${SESSION_COOKIE}=${token}` })), false);
    assert.equal(auth.checkBayeuxToken(token), true);
  });

  test('a token signed with another key, tampered with or expired is refused', () => {
    const other = new PresenterAuth('another-key-entirely-5678').issueBayeuxToken().token;
    assert.equal(auth.checkBayeuxToken(other), false);
    const { token } = auth.issueBayeuxToken();
    const [v, exp, nonce, mac] = token.split('.');
    assert.equal(auth.checkBayeuxToken(`${v}.${Number(exp) + 1}.${nonce}.${mac}`), false);
    const past = new PresenterAuth('the-presenter-key-1234', () => Date.now() - 10 * 60_000).issueBayeuxToken().token;
    assert.equal(auth.checkBayeuxToken(past), false);
  });

  test('Bearer needs the key itself', async () => {
    assert.equal(auth.viaBearer(request({ authorization: 'Bearer the-presenter-key-1234' })), true);
    assert.equal(auth.viaBearer(request({ authorization: 'Bearer the-presenter-key-123' })), false);
    assert.equal(auth.viaBearer(request({ authorization: `Bearer ${await auth.issueSession()}` })), false);
  });
});

describe('presenter key', () => {
  test('is generated once with mode 0600 and reused after a restart; the environment wins', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'key-'));
    const first = await loadPresenterKey(dir, undefined);
    assert.equal(first.source, 'generated');
    assert.ok(first.key.length >= 24);
    assert.equal((await stat(path.join(dir, '.presenter-key'))).mode & 0o777, 0o600);
    const again = await loadPresenterKey(dir, undefined);
    assert.deepEqual(again, { key: first.key, source: 'file' });
    assert.equal((await readFile(path.join(dir, '.presenter-key'), 'utf8')).trim(), first.key);
    assert.deepEqual(await loadPresenterKey(dir, 'from-the-environment-123'), { key: 'from-the-environment-123', source: 'environment' });
  });
});
