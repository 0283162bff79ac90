/**
 * Sealed prefetch in Chromium against the production server listening on every interface: a
 * phone on localhost (a secure context: WebCrypto) and a phone on the machine's LAN address over
 * plain http (not a secure context: no `crypto.subtle`, so the pure-JavaScript AES, loaded only
 * there) each fetch the next slide's sealed copy once the live slide has painted, and paint that
 * slide from it when the presenter moves on: the `<img>` is a blob: URL and no request for any
 * plain image of that slide is made. A jump past the prefetched slide paints the plain image.
 * The first HTML of `/` carries the shown slide's key only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import type { DeckDetail, LiveState } from '../../lib/slideshow/index';
import type { StoredDeck } from '../../server/slides/index';
import { startApp, tempDataDir, type AppProcess } from '../../support/app-process';
import { assertTalkAt, PHONES, STEP_MS, TEST_MS, deckDetail, imageUrls, openPhone, presenterKeyOf, talkFiles, uploadDeck, waitForPhoneSlide, type Tab, sendLive } from '../../support/slideshow-browser';
import { chromiumLaunchArgs, findChromium } from '../../support/chromium';

const TEST = { timeout: TEST_MS } as const;
/** Used when the machine has no non-loopback IPv4: a name the browser maps to 127.0.0.1 (still not a secure context). */
const LAN_NAME = 'lan.comet-deck.test';

function lanAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((address) => address?.family === 'IPv4' && !address.internal)?.address;
}

interface Phone extends Tab {
  readonly name: string;
  readonly requests: string[];
  /** Paths of the requests that completed with a 2xx answer, body and all. */
  readonly finished: string[];
  /** Bodies of the scripts the page loaded. */
  readonly scripts: Promise<string>[];
}

async function watch(context: BrowserContext, requests: string[], finished: string[], scripts: Promise<string>[]): Promise<void> {
  context.on('request', (request) => void requests.push(new URL(request.url()).pathname));
  context.on('requestfinished', (request) => {
    void request.response().then((response) => response?.ok() && finished.push(new URL(request.url()).pathname));
  });
  context.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.text().catch(() => ''));
  });
}

// One scenario: each step goes on from where the one before left the talk, so they run in order,
// one at a time, and each first checks that it starts where it should.
describe('sealed prefetch in Chromium: painted from ciphertext fetched ahead', { concurrency: 1 }, () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;
  let stored: StoredDeck;
  let phones: Phone[];
  const dataDir = tempDataDir();

  const command = async (body: object) => (await sendLive(app.url, key, body)) as LiveState;

  /** The phone paints `slide` (1-based) from a blob: URL; the image has decoded. */
  async function paintedFromBlob(phone: Phone, slide: number): Promise<string> {
    const src = deck.slides[slide - 1]!.src;
    const handle = await phone.page.waitForFunction((plain) => {
      const img = document.querySelector<HTMLImageElement>('main picture img');
      return img?.getAttribute('data-plain-src') === plain && img.complete && img.naturalWidth > 0 ? img.getAttribute('src') : false;
    }, src, { timeout: STEP_MS, polling: 20 });
    return (await handle.jsonValue()) as string;
  }

  /** The phone has fetched `state.next`'s sealed copy (one of its variants) and has it in full. */
  async function prefetched(phone: Phone, state: LiveState): Promise<void> {
    const urls = new Set(state.next!.sealed.map((image) => image.webp));
    const deadline = Date.now() + STEP_MS;
    while (!phone.finished.some((url) => urls.has(url))) {
      assert.ok(Date.now() < deadline, `${phone.name}: the sealed copy of slide ${state.next!.slide} was not fetched ahead: ${phone.requests.join(' ')}`);
      await phone.page.waitForEvent('requestfinished', { timeout: STEP_MS }).catch(() => undefined);
    }
  }

  before(async () => {
    const lan = lanAddress();
    app = await startApp({ HOST: '0.0.0.0', SLIDES_DIR: dataDir });
    const port = new URL(app.url).port;
    key = await presenterKeyOf(app);
    const executablePath = findChromium();
    assert.ok(executablePath, 'Chromium not found: install it or set CHROMIUM_PATH');
    const args = lan ? chromiumLaunchArgs : [...chromiumLaunchArgs, `--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`];
    browser = await chromium.launch({ executablePath, args, headless: true, timeout: 20_000 });
    deck = await deckDetail(`http://127.0.0.1:${port}`, key, (await uploadDeck(`http://127.0.0.1:${port}`, key, (await talkFiles()).slice(0, 5), 'Sealed ahead')).id);
    stored = JSON.parse(await readFile(path.join(dataDir, deck.id, 'deck.json'), 'utf8')) as StoredDeck;
    const origins = [['localhost', `http://localhost:${port}`], ['LAN address', `http://${lan ?? LAN_NAME}:${port}`]] as const;
    phones = await Promise.all(origins.map(async ([name, url]) => {
      const requests: string[] = [];
      const finished: string[] = [];
      const scripts: Promise<string>[] = [];
      const tab = await openPhone(browser, url, PHONES.iphone, { before: (context) => watch(context, requests, finished, scripts) });
      return { ...tab, name, requests, finished, scripts };
    }));
    for (const { page } of phones) await page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('localhost is a secure context with WebCrypto; the LAN address over plain http has no crypto.subtle', TEST, async () => {
    const [local, lan] = phones as [Phone, Phone];
    assert.deepEqual(await local.page.evaluate(() => [window.isSecureContext, !!globalThis.crypto?.subtle]), [true, true]);
    assert.deepEqual(await lan.page.evaluate(() => [window.isSecureContext, !!globalThis.crypto?.subtle]), [false, false]);
  });

  test('moving on paints the next slide from its prefetched ciphertext, with no request for its plain image', TEST, async () => {
    await assertTalkAt(app.url, 'idle', 'the first move');
    const first = await command({ deck: deck.id, slide: 1 });
    for (const phone of phones) await waitForPhoneSlide(phone.page, deck.slides[0]!, deck.slides.length);
    await Promise.all(phones.map((phone) => prefetched(phone, first)));
    for (const phone of phones) assert.ok(!phone.requests.some((url) => imageUrls(deck.slides[1]!).includes(url)), `${phone.name}: no plain request for slide 2 before it is shown`);

    const second = await command({ slide: 2 });
    for (const phone of phones) {
      const src = await paintedFromBlob(phone, 2);
      assert.match(src, /^blob:/, `${phone.name}: slide 2 painted from a blob`);
      const plain = imageUrls(deck.slides[1]!);
      assert.deepEqual(phone.requests.filter((url) => plain.includes(url)), [], `${phone.name}: no request for slide 2's plain image`);
    }
    // And again: slide 3 was fetched ahead while slide 2 was shown.
    await Promise.all(phones.map((phone) => prefetched(phone, second)));
    await command({ slide: 3 });
    for (const phone of phones) {
      assert.match(await paintedFromBlob(phone, 3), /^blob:/, `${phone.name}: slide 3 painted from a blob`);
      assert.deepEqual(phone.requests.filter((url) => imageUrls(deck.slides[2]!).includes(url)), [], `${phone.name}: no request for slide 3's plain image`);
    }
  });

  test('the pure-JavaScript AES is loaded on the LAN address only', TEST, async () => {
    const [local, lan] = phones as [Phone, Phone];
    const hasAes = async (phone: Phone) => (await Promise.all(phone.scripts)).some((body) => body.includes('polyval'));
    assert.equal(await hasAes(local), false, 'localhost opened with WebCrypto alone');
    assert.equal(await hasAes(lan), true, 'the LAN page loaded @noble/ciphers');
  });

  test('a jump past the prefetched slide paints the plain image', TEST, async () => {
    await assertTalkAt(app.url, 3, 'the jump past the prefetched slide');
    await command({ slide: 5 });
    for (const phone of phones) await waitForPhoneSlide(phone.page, deck.slides[4]!, deck.slides.length);
    for (const phone of phones) {
      const src = await phone.page.evaluate(() => document.querySelector('main picture img')?.getAttribute('src'));
      assert.equal(src, deck.slides[4]!.src, `${phone.name}: plain`);
      assert.ok(!phone.requests.some((url) => imageUrls(deck.slides[3]!).includes(url)), `${phone.name}: slide 4, prefetched but never shown, was never asked for in plain`);
    }
  });

  test('the first HTML of / carries the shown slide\'s key, and no other', TEST, async () => {
    await assertTalkAt(app.url, 5, 'the first HTML');
    await command({ slide: 2 });
    const html = await (await fetch(`${app.url}/`)).text();
    assert.ok(html.includes(stored.slides[1]!.key!), 'the shown slide\'s key, for the page to open what it fetched ahead');
    assert.ok(!html.includes(stored.slides[3]!.key!), 'slide 4 (never shown) has its key nowhere in the page');
    assert.ok(!html.includes(stored.slides[2]!.key!), 'only the shown slide\'s key, not even of slides shown before');
  });
});
