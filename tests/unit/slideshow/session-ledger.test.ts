/** Server-side sign-out (server/slideshow/session-ledger.ts, auth.ts): one cookie, or all of them. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PresenterAuth, SESSION_COOKIE } from '../../../server/slideshow/auth';
import { FileSessionLedger, MAX_REVOKED } from '../../../server/slideshow/session-ledger';

const KEY = 'the-presenter-key-1234';
const withCookie = (value: string) => ({ headers: { cookie: `${SESSION_COOKIE}=${value}` } }) as unknown as IncomingMessage;

describe('session ledger', () => {
  test('sign-out revokes that cookie only; sign out everywhere revokes every cookie issued so far', async () => {
    const auth = new PresenterAuth(KEY);
    const [laptop, phone] = [await auth.issueSession(), await auth.issueSession()];
    await auth.signOut(withCookie(laptop));
    assert.equal(await auth.isSignedIn(withCookie(laptop)), false);
    assert.equal(await auth.isSignedIn(withCookie(phone)), true);
    await auth.signOutEverywhere();
    assert.equal(await auth.isSignedIn(withCookie(phone)), false);
    assert.equal(await auth.isSignedIn(withCookie(await auth.issueSession())), true, 'a new sign-in works');
  });

  test('a cookie whose generation or id was edited fails its MAC', async () => {
    const auth = new PresenterAuth(KEY);
    await auth.signOutEverywhere();
    const [v, expires, generation, id, mac] = (await auth.issueSession()).split('.');
    assert.equal(await auth.isSignedIn(withCookie([v, expires, Number(generation) + 5, id, mac].join('.'))), false);
    assert.equal(await auth.isSignedIn(withCookie([v, expires, generation, `${id}x`, mac].join('.'))), false);
    assert.equal(await auth.isSignedIn(withCookie([v, expires, generation, id, mac].join('.'))), true);
  });

  test('kept in the data folder across restarts; expired sign-outs are forgotten', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ledger-')), 'sessions.json');
    let now = 1_000;
    const first = new PresenterAuth(KEY, () => now, { sessions: await FileSessionLedger.open(file, () => now) });
    const [one, two] = [await first.issueSession(), await first.issueSession()];
    await first.signOut(withCookie(one));
    const again = new PresenterAuth(KEY, () => now, { sessions: await FileSessionLedger.open(file, () => now) });
    assert.equal(await again.isSignedIn(withCookie(one)), false, 'still signed out after a restart');
    assert.equal(await again.isSignedIn(withCookie(two)), true);
    await again.signOutEverywhere();
    const third = new PresenterAuth(KEY, () => now, { sessions: await FileSessionLedger.open(file, () => now) });
    assert.equal(await third.isSignedIn(withCookie(two)), false);
    now += 8 * 24 * 3600_000;
    await third.sessions.revoke('another', now + 1_000);
    assert.deepEqual(Object.keys(JSON.parse(await readFile(file, 'utf8')).revoked), ['another']);
  });

  test('a damaged ledger signs everyone out (loudly) rather than honour a revoked cookie', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ledger-')), 'sessions.json');
    const before = new PresenterAuth(KEY, Date.now, { sessions: await FileSessionLedger.open(file) });
    const cookie = await before.issueSession();
    await writeFile(file, '{"generation": "x"');
    const logs: string[] = [];
    const after = new PresenterAuth(KEY, Date.now, { sessions: await FileSessionLedger.open(file, Date.now, (line) => logs.push(line)) });
    assert.equal(await after.isSignedIn(withCookie(cookie)), false);
    assert.match(logs.join('\n'), /sessions\.json is damaged/);
  });

  test('bounded: beyond the remembered sign-outs, everyone is signed out instead', async () => {
    const ledger = FileSessionLedger.inMemory();
    const auth = new PresenterAuth(KEY, Date.now, { sessions: ledger });
    const kept = await auth.issueSession();
    for (let n = 0; n < MAX_REVOKED; n += 1) await ledger.revoke(`id-${n}`, Date.now() + 60_000);
    assert.equal(await auth.isSignedIn(withCookie(kept)), true);
    await ledger.revoke('one-too-many', Date.now() + 60_000);
    assert.equal(await auth.isSignedIn(withCookie(kept)), false);
  });
});
