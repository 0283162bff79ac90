/**
 * The library (`/decks`) in real Chromium against the real server, for what a presenter edits and
 * sees there: alt text per slide, which a phone then has as its slide image's alt; the LIVE badge
 * beside (never over) the title and the thumbnail; thumbnails with a srcset that stays sharp at 3x;
 * the first row's thumbnails loaded at once, the rest lazily. Screenshots of /decks at phone and
 * desktop size go to artifacts/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import type { DeckSummary } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import {
  imagesSettled, openPhone, openPresenter, PHONES, screenshot, startStage, STEP_MS, type Tab, TALK, talkFiles, TEST_MS, uploadDeck, openLibrary as openLibraryPage, stopStage, sendLive,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;

// One scenario: each step goes on from where the one before left the talk, so they run in order,
// one at a time, and each first checks that it starts where it should.
describe('the library: alt text and polish', { concurrency: 1 }, () => {
  let app: AppProcess;
  let browser: Browser;
  let presenter: Tab;
  let page: Page;
  let key: string;
  let deck: DeckSummary;

  before(async () => {
    ({ app, key, browser } = await startStage());
    presenter = await openPresenter(browser, app);
    page = presenter.page;
    deck = await uploadDeck(app.url, key, await talkFiles(TALK.slice(0, 6)), 'Alt talk');
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  const openLibrary = () => openLibraryPage(page, app.url);

  test('alt text edited in the library is the img alt on the phone, with its slide', TEST, async () => {
    await openLibrary();
    await page.getByRole('button', { name: 'Notes and alt text of Alt talk' }).click({ timeout: STEP_MS });
    const dialog = page.getByRole('dialog', { name: 'Speaker notes and alt text: Alt talk' });
    const field = dialog.getByLabel('Alt text for slide 2', { exact: true });
    await field.waitFor({ timeout: STEP_MS });
    // The default never names the file (the upload's files are called Slide2.png and so on).
    assert.doesNotMatch((await dialog.textContent()) ?? '', /Slide\d/);
    await field.fill('A bar chart: three bars, the last one tallest');
    await dialog.getByRole('button', { name: 'Save alt text of slide 2' }).click({ timeout: STEP_MS });
    await dialog.getByText('Saved. Phones say: “Slide 2 of 6: A bar chart: three bars, the last one tallest”').waitFor({ timeout: STEP_MS });
    assert.equal(await dialog.locator('li').nth(1).locator('img').getAttribute('alt'), 'Slide 2 of 6: A bar chart: three bars, the last one tallest');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await sendLive(app.url, key, { deck: deck.id, slide: 1 });
    const phone = await openPhone(browser, app.url, PHONES.iphone);
    const slideImg = phone.page.locator('main picture img');
    await phone.page.waitForFunction(() => document.querySelector('main picture img')?.getAttribute('alt')?.startsWith('Slide 1 of 6'), undefined, { timeout: STEP_MS });
    assert.doesNotMatch((await phone.page.content()), /A bar chart/, 'slide 2\'s alt is not on the phone before slide 2 is shown');
    await sendLive(app.url, key, { slide: 2 });
    await phone.page.waitForFunction(() => document.querySelector('main picture img')?.getAttribute('alt') === 'Slide 2 of 6: A bar chart: three bars, the last one tallest', undefined, { timeout: STEP_MS });
    assert.equal(await slideImg.getAttribute('alt'), 'Slide 2 of 6: A bar chart: three bars, the last one tallest');
    await phone.context.close();
  });

  test('the LIVE badge covers neither the title nor the thumbnail; the first row loads at once; thumbnails are sharp at 3x', TEST, async () => {
    for (const [i, title] of ['Second deck', 'Third deck', 'Fourth deck', 'Fifth deck', 'A deck with a long title that wraps over two lines in a narrow card'].entries()) {
      await uploadDeck(app.url, key, await talkFiles(TALK.slice(i + 1, i + 2)), title);
    }
    const live = await fetch(`${app.url}/api/live`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as Promise<{ live: boolean; deck?: string }>);
    assert.equal(live.deck, deck.id, 'Alt talk is live (first test)');

    const check = async (tab: Tab, name: string, expectedVariant: RegExp) => {
      const library = tab.page;
      await library.goto(`${app.url}/decks`, { timeout: STEP_MS });
      const cards = library.locator('section[aria-labelledby="library-heading"] li');
      await cards.nth(5).waitFor({ timeout: STEP_MS });
      const images = cards.locator('img');
      const loading = await images.evaluateAll((list) => list.map((img) => img.getAttribute('loading')));
      assert.deepEqual(loading, ['eager', 'eager', 'eager', 'eager', 'lazy', 'lazy'], 'the first row at once, the rest lazily');
      const srcsets = await images.evaluateAll((list) => list.map((img) => img.getAttribute('srcset') ?? ''));
      for (const srcset of srcsets) assert.match(srcset, /-thumb\.webp 320w, \S+-640\.webp 640w, \S+-1280\.webp 1280w$/);

      const liveCard = cards.filter({ has: library.getByRole('heading', { name: 'Alt talk', exact: true }) });
      const badge = liveCard.getByText('Live', { exact: true });
      await badge.waitFor({ timeout: STEP_MS });
      const [badgeBox, titleBox, thumbBox] = await Promise.all([badge.boundingBox(), liveCard.getByRole('heading').boundingBox(), liveCard.locator('img').boundingBox()]);
      for (const [other, what] of [[titleBox, 'the title'], [thumbBox, 'the thumbnail']] as const) {
        assert.ok(badgeBox && other, `${what} and the badge are on screen`);
        const overlap = badgeBox.x < other.x + other.width && other.x < badgeBox.x + badgeBox.width && badgeBox.y < other.y + other.height && other.y < badgeBox.y + badgeBox.height;
        assert.ok(!overlap, `the badge does not cover ${what}: ${JSON.stringify({ badgeBox, other })}`);
      }
      await imagesSettled(library);
      const first = images.first();
      await library.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).currentSrc !== '', await first.elementHandle(), { timeout: STEP_MS });
      const chosen = await first.evaluate((img: HTMLImageElement) => img.currentSrc);
      assert.match(chosen, expectedVariant, `${name}: ${chosen}`);
      await screenshot(library, `library-${name}`);
      await liveCard.scrollIntoViewIfNeeded();
      await imagesSettled(library);
      await screenshot(library, `library-${name}-live-card`);
    };
    await check(presenter, 'desktop-1440x900', /-thumb\.webp$/);
    const phone = await openPresenter(browser, app, { ...PHONES.iphone });
    await check(phone, 'phone-390x844', /-1280\.webp$/);
    await phone.context.close();
  });
});
