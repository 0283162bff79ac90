/**
 * The room display (/room) end to end, in real Chromium against the real server: a signed-in
 * presenter (desktop) opens it with "Open the slideshow window" (a popup in the presenter's
 * browser, as on a laptop with a projector), and a second room display runs in a browser that
 * never signed in (a projector's own computer).
 *
 * - while waiting it shows the join QR and link; it follows the talk like a phone; a blackout is
 *   pure black; the presenter's "Show full screen" puts the QR over the slide; after the end it
 *   says "The talk has ended" and the QR is back;
 * - the first →, PageDown, Space or on-screen Next while the QR or a blackout is up only takes it
 *   down, the next one moves;
 * - the room never requested, and its DOM never named, an image of a slide before it was shown;
 * - it is an audience client (no presenter token, subscribed to /slideshow/change only), even in
 *   the presenter's browser; a click in it makes it full screen;
 * - axe-core finds nothing in the room display nor in the presenter view;
 * - screenshots at 1920x1080 and 1280x720 (artifacts/screenshots/; the waiting screen is README's
 *   docs/screenshots/room.png), and of the room and presenter views on a laptop and a phone.
 *
 * The tests run in order and share one talk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page, Request } from '@playwright/test';
import sharp from 'sharp';
import type { DeckDetail } from '../../lib/slideshow/index';
import { startApp, type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import {
  assertTalkAt, docsScreenshot, imagesSettled, launchBrowser, newContext, openPresenter, presenterKeyOf, pressKey, screenshot, STEP_MS, type Tab, TALK, talkFiles, TEST_MS, uploadDeckDetail, waitForPresenterSlide, stopStage,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;
const TITLE = 'Room display talk';
const SLIDES = TALK.slice(0, 6);
const count = SLIDES.length;
type Sizes = Record<string, { width: number; height: number }>;
const SIZES: Sizes = { '1920x1080': { width: 1920, height: 1080 }, '1280x720': { width: 1280, height: 720 } };
/** The presenter's pages, and the room display once, on a laptop and on a phone. */
const LAPTOP_AND_PHONE: Sizes = { '1440x900': { width: 1440, height: 900 }, '390x844': { width: 390, height: 844 } };

/** The slide token in an image path (`/img/<deck>/<token>-<width|thumb>.<ext>`). */
const tokenOf = (url: string) => /\/img\/[^/]+\/(.+)-(?:\d+|thumb)\.(?:webp|jpg)$/.exec(new URL(url, 'http://x').pathname)?.[1];

/** In every /room page: each /img/ URL its DOM ever names, with the time it first did. */
const DOM_RECORDER = `globalThis.__name ??= (fn) => fn;
if (location.pathname === '/room') {
  const seen = new Map();
  window.__imageRefs = seen;
  const scan = () => {
    for (const match of document.documentElement.outerHTML.matchAll(/\\/img\\/[^"'\\s,)&]+/g)) if (!seen.has(match[0])) seen.set(match[0], Date.now());
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}`;

/** The room shows slide `n` (its announcement and image), the slide not covered. */
async function roomOn(page: Page, deck: DeckDetail, n: number): Promise<void> {
  const src = deck.slides[n - 1]!.src;
  await page
    .waitForFunction(
      ({ text, src }) => document.querySelector('main > p[aria-live]')?.textContent === text && document.querySelector('main picture img')?.getAttribute('src') === src,
      { text: `Slide ${n} of ${deck.count}.`, src },
      { timeout: STEP_MS, polling: 20 },
    )
    .catch(async (error: Error) => {
      throw new Error(`room ${page.url()} not on slide ${n} (${src}): ${error.message}\n${await page.locator('main').innerHTML()}`);
    });
}

/** Screenshots `name-<size>` at each size; the page is left at the last one. */
async function shots(page: Page, name: string, sizes: Sizes = SIZES): Promise<Buffer[]> {
  const taken: Buffer[] = [];
  for (const [size, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    await imagesSettled(page);
    taken.push(await screenshot(page, `${name}-${size}`));
  }
  return taken;
}
const roomShots = (page: Page, name: string) => shots(page, `room-${name}`);
/** The presenter view at a phone's size and back on the laptop, where the test drives it. */
const presenterShots = (page: Page, name: string) => shots(page, `presenter-${name}`, { '390x844': LAPTOP_AND_PHONE['390x844']!, '1440x900': LAPTOP_AND_PHONE['1440x900']! });

// One scenario: each step goes on from where the one before left the talk (and the room window it
// opened), so they run in order, one at a time, and each first checks that it starts where it should.
describe('the room display: the live slide for the projector, nothing more', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;
  let presenter: Tab;
  let room: Page;
  let projector: Tab;
  /** The audience link (the server's own address here: no PUBLIC_URL, whose host would also serve the images). */
  let joinUrl: string;
  /** When each slide was first shown (test clock, taken just before the press that showed it). */
  const shownAt = new Map<string, number>();
  const requests: Array<{ token: string | undefined; t: number; url: string }> = [];
  const record = (request: Request) => {
    if (new URL(request.url()).pathname.startsWith('/img/')) requests.push({ token: tokenOf(request.url()), t: Date.now(), url: request.url() });
  };
  /** Every Bayeux message the room displays sent over WebSocket. */
  const roomSent: unknown[] = [];
  const listenToBayeux = (page: Page) =>
    page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => typeof payload === 'string' && roomSent.push(...[JSON.parse(payload)].flat())));
  const reveal = (n: number, t: number) => {
    const token = tokenOf(deck.slides[n - 1]!.src)!;
    if (!shownAt.has(token)) shownAt.set(token, t);
  };
  /** A presenter key that moves to slide `n`, everyone following. */
  const moveWith = async (keyName: string, n: number) => {
    reveal(n, Date.now());
    await pressKey(presenter.page, keyName);
    await Promise.all([roomOn(room, deck, n), roomOn(projector.page, deck, n), waitForPresenterSlide(presenter.page, n, count)]);
  };

  before(async () => {
    app = await startApp();
    joinUrl = `${app.url}/`;
    key = await presenterKeyOf(app);
    browser = await launchBrowser();
    deck = await uploadDeckDetail(app.url, key, await talkFiles(SLIDES), TITLE);
    presenter = await openPresenter(browser, app);
    await presenter.context.addInitScript({ content: DOM_RECORDER });
    // Only image requests are looked at (never a navigation, whose frame may not exist yet).
    // Listening from the moment a popup exists, before any of its scripts run.
    presenter.context.on('page', listenToBayeux);
    presenter.context.on('request', (request) => request.resourceType() === 'image' && request.frame().page() !== presenter.page && record(request));
    projector = { context: await newContext(browser, { viewport: SIZES['1280x720'] }), page: undefined as unknown as Page };
    await projector.context.addInitScript({ content: DOM_RECORDER });
    projector.context.on('request', record);
    projector.page = await projector.context.newPage();
    listenToBayeux(projector.page);
    await projector.page.goto(`${app.url}/room`, { timeout: STEP_MS });
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  test('"Open the slideshow window" opens the room display, which shows the join link and QR while waiting', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'opening the room display');
    await presenter.context.grantPermissions(['window-management']).catch(() => undefined);
    const [popup] = await Promise.all([
      presenter.context.waitForEvent('page', { timeout: STEP_MS }),
      presenter.page.getByRole('button', { name: 'Open the slideshow window' }).click({ timeout: STEP_MS }),
    ]);
    room = popup;
    await room.waitForURL((url) => url.pathname === '/room', { timeout: STEP_MS });
    await room.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
    // A popup's first document may come before the context's init scripts reach it: install the
    // recorder here if it is missing (nothing is live yet, so it misses nothing).
    if (!(await room.evaluate(() => '__imageRefs' in window))) await room.evaluate(DOM_RECORDER);
    await room.getByRole('img', { name: `QR code for ${joinUrl}` }).locator('svg').waitFor({ timeout: STEP_MS });
    await room.getByText(app.url.replace('http://', ''), { exact: true }).waitFor({ timeout: STEP_MS });
    // A browser that never signed in (the projector's own computer) shows the link it reached.
    await projector.page.getByRole('img', { name: `QR code for ${joinUrl}` }).locator('svg').waitFor({ timeout: STEP_MS });
    assert.equal(await room.locator('button, a[href], input, select, textarea').count(), 0, 'no controls');
    assert.equal(await room.evaluate(() => getComputedStyle(document.querySelector('main')!).cursor), 'none');
    const [, waiting] = await roomShots(room, 'waiting');
    await docsScreenshot(waiting!, 'room');
    await shots(room, 'room-waiting', LAPTOP_AND_PHONE);
    await presenterShots(presenter.page, 'idle-room-button');
    assert.deepEqual(await axeViolations(room), []);
    assert.deepEqual(await axeViolations(presenter.page), []);
  });

  test('the room display follows the talk like a phone, and shows nothing else', TEST, async () => {
    assert.ok(room && !room.isClosed(), 'following the talk: needs the room display the step before opened');
    await assertTalkAt(app.url, 'idle', 'following the talk');
    const card = presenter.page.getByRole('listitem').filter({ has: presenter.page.getByRole('heading', { name: TITLE }) });
    reveal(1, Date.now());
    await card.getByRole('button', { name: 'Present' }).click({ timeout: STEP_MS });
    await Promise.all([roomOn(room, deck, 1), roomOn(projector.page, deck, 1), waitForPresenterSlide(presenter.page, 1, count)]);
    await presenter.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await moveWith('ArrowRight', 2);
    assert.equal(await room.locator('main img:not([aria-hidden])').count(), 1, 'one slide on screen: the live one');
    await roomShots(room, 'live');
    assert.deepEqual(await axeViolations(room), []);
    assert.deepEqual(await axeViolations(presenter.page), []);
  });

  test('a blackout is pure black on the room display; the first press only brings the slide back', TEST, async () => {
    assert.ok(room && !room.isClosed(), 'the blackout: needs the room display');
    await assertTalkAt(app.url, 2, 'the blackout');
    await pressKey(presenter.page, 'b');
    await room.locator('main img').first().waitFor({ state: 'detached', timeout: STEP_MS });
    await presenterShots(presenter.page, 'blackout');
    for (const png of await roomShots(room, 'blackout')) {
      const { channels } = await sharp(png).stats();
      assert.ok(channels.every((channel) => channel.max === 0), `pure black, got channel maxima ${channels.map((c) => c.max).join(', ')}`);
    }
    await pressKey(presenter.page, 'ArrowRight');
    await Promise.all([roomOn(room, deck, 2), roomOn(projector.page, deck, 2)]);
    await presenter.page.getByText('Audience sees a black screen').waitFor({ state: 'detached', timeout: STEP_MS });
    await waitForPresenterSlide(presenter.page, 2, count);
    await moveWith('PageDown', 3);

    // The on-screen Next button clears first too; then Space moves on.
    await pressKey(presenter.page, 'b');
    await room.locator('main img').first().waitFor({ state: 'detached', timeout: STEP_MS });
    await presenter.page.getByRole('button', { name: 'Next', exact: true }).click({ timeout: STEP_MS });
    await Promise.all([roomOn(room, deck, 3), roomOn(projector.page, deck, 3)]);
    await waitForPresenterSlide(presenter.page, 3, count);
    await moveWith('Space', 4);
  });

  test('"Show full screen" puts the QR over the slide on the room display; the first press only takes it down', TEST, async () => {
    assert.ok(room && !room.isClosed(), 'the QR over the slide: needs the room display');
    await assertTalkAt(app.url, 4, 'the QR over the slide');
    await presenter.page.getByRole('button', { name: /^Join:/ }).click({ timeout: STEP_MS });
    await presenter.page.getByRole('button', { name: 'Show full screen' }).click({ timeout: STEP_MS });
    const qr = (page: Page) => page.getByRole('img', { name: /^QR code for / });
    await Promise.all([qr(room).locator('svg').waitFor({ timeout: STEP_MS }), qr(projector.page).locator('svg').waitFor({ timeout: STEP_MS })]);
    await presenter.page.getByRole('dialog', { name: 'Join QR code, full screen' }).waitFor({ timeout: STEP_MS });
    assert.equal(await room.getByRole('img', { name: `QR code for ${joinUrl}` }).count(), 1);
    await roomShots(room, 'qr');
    await presenterShots(presenter.page, 'qr');
    assert.deepEqual(await axeViolations(room), []);

    await pressKey(presenter.page, 'ArrowRight');
    await Promise.all([qr(room).waitFor({ state: 'detached', timeout: STEP_MS }), qr(projector.page).waitFor({ state: 'detached', timeout: STEP_MS })]);
    await presenter.page.getByRole('dialog', { name: 'Join QR code, full screen' }).waitFor({ state: 'detached', timeout: STEP_MS });
    await Promise.all([roomOn(room, deck, 4), roomOn(projector.page, deck, 4), waitForPresenterSlide(presenter.page, 4, count)]);
    await moveWith('ArrowRight', 5);
  });

  test('after the end, the room display says the talk has ended and shows the join link and QR again', TEST, async () => {
    assert.ok(room && !room.isClosed(), 'the end: needs the room display');
    await assertTalkAt(app.url, 5, 'the end');
    await presenter.page.getByRole('button', { name: 'End talk' }).click({ timeout: STEP_MS });
    await presenter.page.getByRole('dialog').getByRole('button', { name: 'End talk' }).click({ timeout: STEP_MS });
    await room.getByRole('heading', { name: 'The talk has ended' }).waitFor({ timeout: STEP_MS });
    await room.getByRole('img', { name: `QR code for ${joinUrl}` }).locator('svg').waitFor({ timeout: STEP_MS });
    await projector.page.getByRole('img', { name: `QR code for ${joinUrl}` }).locator('svg').waitFor({ timeout: STEP_MS });
    assert.deepEqual(await axeViolations(room), []);
    assert.equal(await room.locator('main img').count(), 0);
    // A click in it makes it full screen (a page may only ask on a user's press).
    await room.mouse.click(20, 20);
    await room.waitForFunction(() => document.fullscreenElement === document.documentElement, undefined, { timeout: STEP_MS });
  });

  test('the room display is an audience client: no presenter token, only the slideshow channel', TEST, async () => {
    const messages = roomSent as Array<{ channel?: string; ext?: Record<string, unknown>; subscription?: string }>;
    const handshakes = messages.filter((m) => m.channel === '/meta/handshake');
    assert.ok(handshakes.length >= 2, `both room displays handshook over WebSocket (${handshakes.length})`);
    for (const handshake of handshakes) assert.equal(handshake.ext?.auth, undefined, 'no presenter token in the handshake');
    const subscriptions = new Set(messages.filter((m) => m.channel === '/meta/subscribe').map((m) => m.subscription));
    assert.deepEqual([...subscriptions], ['/slideshow/change']);
    assert.equal(messages.filter((m) => m.channel?.startsWith('/slideshow/') && m.channel !== undefined).length, 0, 'it never published');
  });

  test('the room display never requested, nor named in its DOM, a slide before it was shown', TEST, async () => {
    const unshown = tokenOf(deck.slides[5]!.src)!;
    assert.ok(requests.length >= 5, `the rooms loaded the slides shown (${requests.length} requests)`);
    for (const { token, t, url } of requests) {
      assert.ok(token && token !== unshown, `requested ${url}: slide 6 was never shown`);
      assert.ok(t >= shownAt.get(token)!, `requested ${url} before its slide was shown`);
    }
    for (const page of [room, projector.page]) {
      const refs = await page.evaluate(() => {
        const seen = (window as unknown as { __imageRefs?: Map<string, number> }).__imageRefs;
        return seen ? [...seen.entries()] : undefined;
      });
      assert.ok(refs && refs.length > 0, `the recorder in ${page === room ? 'the presenter\'s room window' : 'the projector'} saw the slides`);
      for (const [url, t] of refs) {
        const token = tokenOf(url);
        assert.ok(token && shownAt.has(token), `the DOM named ${url}, of a slide never shown`);
        assert.ok(t >= shownAt.get(token)!, `the DOM named ${url} before its slide was shown`);
      }
    }
  });
});
