/**
 * The audience page's first HTML, in Chromium against the production server: rendered with the
 * public state (what GET /api/live answers), it holds the live slide's `<img>` and a preload of
 * its image, and no URL of any other slide (neither one shown earlier nor the next, unshown one);
 * it is never kept by a shared cache. Without JavaScript, the waiting title and the live slide
 * show; with it, the page hydrates the same slide (the same `<img>` element, no hydration error)
 * and then follows a change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import {
  assertTalkAt, imageUrls, openPhone, PHONES, shownLog, STEP_MS, talkFiles, TEST_MS, uploadDeckDetail, waitForPhoneSlide, sendLive,
} from '../../support/slideshow-browser';
import { useStage } from '../helpers/use-stage';

const TEST = { timeout: TEST_MS } as const;

type Slide = DeckDetail['slides'][number];

/** Every URL that would give a slide away: its image sizes and its library thumbnail. */
const slideUrls = (slide: Slide) => [...imageUrls(slide), slide.thumbnail];

/** The document as Chromium parses it: every URL in an attribute, and the page's props. */
async function parsedDocument(page: Page, html: string) {
  return page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'text/html');
    const urls = new Set<string>();
    for (const element of doc.querySelectorAll('*')) {
      for (const name of ['src', 'href', 'srcset', 'imagesrcset']) {
        const value = element.getAttribute(name);
        if (value) for (const candidate of value.split(',')) urls.add(candidate.trim().split(/\s+/)[0]!);
      }
    }
    const preload = doc.querySelector('head link[rel="preload"][as="image"]');
    return {
      urls: [...urls],
      img: doc.querySelector('main picture img')?.getAttribute('src') ?? null,
      preload: preload && { srcset: preload.getAttribute('imagesrcset'), priority: preload.getAttribute('fetchpriority') },
      heading: doc.querySelector('h1')?.textContent ?? null,
      props: JSON.parse(doc.getElementById('__NEXT_DATA__')?.textContent ?? 'null')?.props?.pageProps as { state: unknown } | undefined,
    };
  }, html);
}

const live = (app: AppProcess, key: string, command: object) => sendLive(app.url, key, command);

// One scenario: each step goes on from where the one before left the talk, so they run in order,
// one at a time, and each first checks that it starts where it should.
describe('the live slide in the first HTML of the audience page', { concurrency: 1 }, () => {
  const stage = useStage(async ({ app, key }) => ({ deck: await uploadDeckDetail(app.url, key, (await talkFiles()).slice(0, 4), 'First HTML') }));

  test('before a talk, without JavaScript: the waiting title', TEST, async () => {
    await assertTalkAt(stage.app.url, 'idle', 'before a talk');
    const context = await stage.browser.newContext({ ...PHONES.iphone, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${stage.app.url}/`, { timeout: STEP_MS });
    await page.getByRole('heading', { name: 'The talk will start soon' }).waitFor({ timeout: STEP_MS });
    assert.equal(await page.locator('main picture img').count(), 0);
    await context.close();
  });

  test('during a talk: the live slide and its preload, no other slide, not cached', TEST, async () => {
    await assertTalkAt(stage.app.url, 'idle', 'going live');
    await live(stage.app, stage.key, { deck: stage.deck.id, slide: 1 });
    const state = await live(stage.app, stage.key, { step: 1 });
    assert.equal(state.live && state.slide, 2);
    const [shown, liveSlide, next, ...rest] = [stage.deck.slides[0]!, stage.deck.slides[1]!, stage.deck.slides[2]!, ...stage.deck.slides.slice(3)];

    const response = await fetch(`${stage.app.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /no-store/);
    assert.match(response.headers.get('cache-control') ?? '', /private/);
    const html = await response.text();

    const context = await stage.browser.newContext({ javaScriptEnabled: true });
    const parsed = await parsedDocument(await context.newPage(), html);
    await context.close();
    assert.equal(parsed.img, liveSlide.src, 'the <img> is the live slide');
    assert.ok(parsed.preload, 'a preload of the live slide image');
    assert.equal(parsed.preload.priority, 'high');
    assert.deepEqual(parsed.preload.srcset, liveSlide.images.map((image) => `${image.webp} ${image.width}w`).join(', '));
    const current = await (await fetch(`${stage.app.url}/api/live`)).json();
    assert.deepEqual(parsed.props, { state: current }, 'the page is given exactly what GET /api/live answers');
    const slideImages = parsed.urls.filter((url) => url.includes('/img/'));
    assert.ok(slideImages.length > 0);
    for (const url of slideImages) assert.ok(imageUrls(liveSlide).includes(url), `only the live slide's images: ${url}`);
    for (const other of [shown, next, ...rest]) {
      for (const url of slideUrls(other)) assert.ok(!html.includes(url.split('/').pop()!), `slide ${other.slide} is not in the HTML (${url})`);
    }
  });

  test('during a talk, without JavaScript: the live slide shows', TEST, async () => {
    await assertTalkAt(stage.app.url, 2, 'the live slide without JavaScript');
    const liveSlide = stage.deck.slides[1]!;
    const context = await stage.browser.newContext({ ...PHONES.iphone, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${stage.app.url}/`, { timeout: STEP_MS });
    const img = page.locator('main picture img');
    await img.waitFor({ timeout: STEP_MS });
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('main picture img');
      return image !== null && image.complete && image.naturalWidth > 0;
    }, undefined, { timeout: STEP_MS });
    const currentSrc = await img.evaluate((image: HTMLImageElement) => image.currentSrc);
    assert.ok(imageUrls(liveSlide).some((url) => currentSrc.endsWith(url)), `the live slide loaded (${currentSrc})`);
    assert.equal(await img.getAttribute('alt'), liveSlide.alt);
    await context.close();
  });

  test('with JavaScript: hydrates the same slide without an error, then follows a change', TEST, async () => {
    await assertTalkAt(stage.app.url, 2, 'hydrating the live slide');
    const [liveSlide, next] = [stage.deck.slides[1]!, stage.deck.slides[2]!];
    const errors: string[] = [];
    const tab = await openPhone(stage.browser, stage.app.url, PHONES.iphone, {
      before: async (context) => {
        context.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
        context.on('weberror', (error) => void errors.push(error.error().message));
        // Marks the server-rendered <img> once the HTML is parsed, before the deferred scripts run:
        // hydration that kept the server's DOM still has this element.
        await context.addInitScript({
          content: `document.addEventListener('readystatechange', () => {
            if (document.readyState !== 'interactive') return;
            const image = document.querySelector('main picture img');
            if (image) image.dataset.fromServer = '1';
          });`,
        });
      },
    });
    const { page } = tab;
    await page.getByRole('status').getByText('Connected').waitFor({ state: 'attached', timeout: STEP_MS });
    await waitForPhoneSlide(page, liveSlide, stage.deck.slides.length);
    assert.equal(await page.locator('main picture img').getAttribute('data-from-server'), '1', 'the server-rendered <img> was hydrated, not replaced');
    const before = await shownLog(page);
    // While the HTML is parsed the image may not be there yet; once it is, it stays, and is the live slide.
    const firstImage = before.findIndex((entry) => entry.src !== null);
    assert.ok(firstImage >= 0 && before.slice(firstImage).every((entry) => entry.src === liveSlide.src), `only the live slide, never a flash: ${JSON.stringify(before)}`);
    // (Empty only while the parser has the live region but not yet its text.)
    assert.ok(before.every((entry) => !entry.text || entry.text.startsWith(`Slide ${liveSlide.slide} of`)), `announced as the live slide only: ${JSON.stringify(before)}`);
    assert.equal(await page.getByText('Joining the talk').count(), 0);
    // Its image loaded (maybe before hydration): the blurred placeholder under it goes.
    await page.locator('main img[aria-hidden="true"]').waitFor({ state: 'detached', timeout: STEP_MS });

    const since = Date.now();
    await live(stage.app, stage.key, { step: 1 });
    await waitForPhoneSlide(page, next, stage.deck.slides.length, { since });
    assert.deepEqual(errors, [], 'no error in the console (hydration errors included)');
    await tab.context.close();
  });
});
