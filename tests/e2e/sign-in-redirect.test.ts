/**
 * Signing in and out in real Chromium against the production build: after the key is typed, the
 * reported open-redirect payloads (`/sign-in?next=/%09/evil.example/x`, `%0A`, ...) land on our
 * own presenter view, never on another origin; a `next` of our own is followed; the library's
 * "Sign out everywhere" signs every other browser out too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from '@playwright/test';
import { type AppProcess } from '../../support/app-process';
import { newContext, startStage, STEP_MS, TEST_MS, stopStage } from '../../support/slideshow-browser';

const PAYLOADS = ['/%09/evil.example/x', '/%0A/evil.example/x', '/%0D/evil.example/x', '/%5C/evil.example/x', '//evil.example/x', '/%09%09/evil.example'];

describe('sign-in form: where it goes after the key', () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;

  before(async () => {
    ({ app, key, browser } = await startStage());
  }, { timeout: TEST_MS });

  after(() => stopStage({ app, browser }, 'SIGKILL'), { timeout: TEST_MS });

  test('"Sign out everywhere" in the library signs out every browser, this one too', { timeout: TEST_MS }, async () => {
    const [laptop, other] = await Promise.all([1, 2].map(() => newContext(browser, { viewport: { width: 1280, height: 800 } })));
    try {
      for (const context of [laptop!, other!]) {
        const page = await context.newPage();
        await page.goto(`${app.url}/sign-in?key=${encodeURIComponent(key)}&next=%2Fdecks`, { timeout: STEP_MS });
        await page.waitForURL((url) => url.pathname === '/decks', { timeout: STEP_MS });
      }
      const page = laptop!.pages()[0]!;
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.waitForURL((url) => url.pathname === '/sign-in', { timeout: STEP_MS });
      const otherPage = other!.pages()[0]!;
      const status = await otherPage.evaluate(async () => (await (await fetch('/api/session')).json()) as { presenter: boolean });
      assert.equal(status.presenter, false, 'the other browser is signed out');
      await otherPage.goto(`${app.url}/decks`, { timeout: STEP_MS });
      await otherPage.waitForURL((url) => url.pathname === '/sign-in', { timeout: STEP_MS });
    } finally {
      await Promise.all([laptop?.close(), other?.close()]);
    }
  });

  async function signInAt(next: string): Promise<URL> {
    const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      // Any request to another host would be a redirect out: refuse it and remember it.
      const foreign: string[] = [];
      await context.route((url) => url.origin !== app.url, (route) => {
        foreign.push(route.request().url());
        return route.abort();
      });
      await page.goto(`${app.url}/sign-in?next=${next}`, { timeout: STEP_MS });
      await page.getByLabel('Presenter key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname !== '/sign-in', { timeout: STEP_MS });
      assert.deepEqual(foreign, [], `${next}: no request left our origin`);
      return new URL(page.url());
    } finally {
      await context.close();
    }
  }

  test('each reported payload lands on /presenter of our origin', { timeout: TEST_MS }, async () => {
    for (const payload of PAYLOADS) {
      const landed = await signInAt(payload);
      assert.equal(landed.origin, app.url, payload);
      assert.equal(landed.pathname, '/presenter', payload);
    }
  });

  test('a page of ours is followed', { timeout: TEST_MS }, async () => {
    const landed = await signInAt(encodeURIComponent('/decks'));
    assert.equal(landed.origin, app.url);
    assert.equal(landed.pathname, '/decks');
  });
});
