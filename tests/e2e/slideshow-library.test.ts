/**
 * The deck library (`/decks`) in real Chromium against the real server: a presenter signed in
 * through the printed link uploads through the page's file input (as "Choose files…" would) and
 * watches the deck appear with the right slide count:
 *
 * - several images, PNG and JPEG mixed, picked in no particular order: slides in natural name
 *   order (Slide2 before Slide10), in the library and in the presenter's thumbnails;
 * - one ZIP of images; one multi-page PDF (a slide per page, with its text);
 * - a file the page refuses before uploading, and a damaged image the server refuses: each error
 *   is shown next to the file it is about.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from '@playwright/test';
import type { DeckDetail } from '../../lib/slideshow/index';
import { startApp, type AppProcess } from '../../support/app-process';
import { makePdf } from '../helpers/pdf-fixtures';
import { STEP_MS, TEST_MS, launchBrowser, makeTalkSlide, openPresenter, screenshot, type Tab, openLibrary as openLibraryPage, stopStage } from '../../support/slideshow-browser';
import { makeZip } from '../../support/zip-writer';

const TEST = { timeout: TEST_MS } as const;
/** Rendering a deck on a busy 2-core machine can take a while; still bounded. */
const UPLOAD_MS = 40_000;

interface Picked {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Slide n is `960 + 8n` pixels wide: the tests tell the rendered slides apart by width. */
const widthOf = (n: number) => 960 + 8 * n;

async function slideImage(n: number, format: 'png' | 'jpeg'): Promise<Buffer> {
  return makeTalkSlide({ title: `Slide ${n}`, lines: [format.toUpperCase()] }, n, { width: widthOf(n), height: 540, format });
}

// The steps share one presenter page and its upload form, so they run in order, one at a time.
describe('the deck library: uploads through the page', { concurrency: 1 }, () => {
  let app: AppProcess;
  let browser: Browser;
  let presenter: Tab;
  let page: Page;

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
    presenter = await openPresenter(browser, app);
    page = presenter.page;
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  const openLibrary = () => openLibraryPage(page, app.url);

  const selectedRows = () => page.getByRole('list', { name: 'Selected files' }).getByRole('listitem');
  const rowOf = (name: string) => selectedRows().filter({ has: page.getByText(name, { exact: true }) });
  const libraryCard = (title: string): Locator =>
    page.locator('section[aria-labelledby="library-heading"] li').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  /** Pick files, give a title, press Upload; wait for "ready" and the card in the library. */
  async function upload(files: Picked[], title: string, count: number, source: 'Images' | 'ZIP' | 'PDF'): Promise<DeckDetail> {
    await openLibrary();
    await page.locator('#deck-files').setInputFiles(files, { timeout: STEP_MS });
    assert.equal(await selectedRows().count(), files.length);
    await page.locator('#deck-title').fill(title);
    await page.getByRole('button', { name: `Upload ${files.length} ${files.length === 1 ? 'file' : 'files'}` }).click({ timeout: STEP_MS });
    await page.getByRole('status').filter({ hasText: `${title} is ready: ${count} slides.` }).waitFor({ timeout: UPLOAD_MS });
    const card = libraryCard(title);
    await card.getByText(`${count} slides`, { exact: true }).waitFor({ timeout: STEP_MS });
    await card.getByText(source, { exact: true }).waitFor({ timeout: STEP_MS });
    // The selection is cleared once the deck exists.
    assert.equal(await page.getByRole('list', { name: 'Selected files' }).count(), 0);
    // What the library shows is what the server keeps: the same deck, first slide as thumbnail.
    const decks = await page.evaluate(async () => (await fetch('/api/decks')).json() as Promise<Array<{ id: string; title: string }>>);
    const id = decks.find((deck) => deck.title === title)?.id;
    assert.ok(id, `${title} is in GET /api/decks`);
    const detail = await page.evaluate(async (id) => (await fetch(`/api/decks/${id}`)).json() as Promise<DeckDetail>, id);
    assert.equal(detail.count, count);
    assert.equal(await card.locator('img').getAttribute('src'), detail.slides[0]!.thumbnail);
    return detail;
  }

  test('several PNG and JPEG images become one deck in natural order (Slide2 before Slide10)', TEST, async () => {
    const picked: Picked[] = [];
    // Picked in no useful order, as a file dialog may hand them over; JPEG and PNG mixed.
    for (const n of [10, 3, 12, 1, 7, 2, 11, 5, 9, 4, 8, 6]) {
      const format = n % 3 === 0 ? 'jpeg' : 'png';
      picked.push({ name: `Slide${n}.${format === 'jpeg' ? 'jpg' : 'png'}`, mimeType: `image/${format}`, buffer: await slideImage(n, format) });
    }
    const detail = await upload(picked, 'Natural order', 12, 'Images');
    const expected = Array.from({ length: 12 }, (_, i) => `Slide${i + 1}.${(i + 1) % 3 === 0 ? 'jpg' : 'png'}`);
    assert.deepEqual(detail.slides.map((slide) => slide.name), expected);
    assert.deepEqual(detail.slides.map((slide) => slide.width), expected.map((_, i) => widthOf(i + 1)), 'each slide is its own image');
    await screenshot(page, 'library');

    // Present it from the library: the presenter's thumbnails run Slide1, Slide2, … Slide10 …
    await libraryCard('Natural order').getByRole('button', { name: 'Present' }).click({ timeout: STEP_MS });
    await page.waitForURL((url) => url.pathname === '/presenter', { timeout: STEP_MS });
    const thumbnails = page.getByRole('navigation', { name: 'All slides' }).getByRole('button');
    await thumbnails.nth(11).waitFor({ timeout: STEP_MS });
    const labels = await thumbnails.evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label')));
    assert.deepEqual(labels, expected.map((name, i) => `Go to slide ${i + 1}: ${name}`));
    assert.ok(labels.indexOf('Go to slide 2: Slide2.png') < labels.indexOf('Go to slide 10: Slide10.png'));
    const sources = await thumbnails.locator('img').evaluateAll((images) => images.map((image) => image.getAttribute('src')));
    assert.deepEqual(sources, detail.slides.map((slide) => slide.thumbnail));
  });

  test('a ZIP of images becomes one deck, entries in natural order', TEST, async () => {
    const zip = makeZip([
      { name: 'export/slide-10.png', data: await slideImage(10, 'png') },
      { name: 'export/slide-2.jpg', data: await slideImage(2, 'jpeg') },
      { name: 'export/slide-1.png', data: await slideImage(1, 'png'), deflate: true },
      { name: 'export/slide-3.png', data: await slideImage(3, 'png'), deflate: true },
    ]);
    const detail = await upload([{ name: 'Exported slides.zip', mimeType: 'application/zip', buffer: zip }], 'From a ZIP', 4, 'ZIP');
    assert.deepEqual(detail.slides.map((slide) => slide.width), [1, 2, 3, 10].map(widthOf));
    assert.equal(detail.source, 'zip');
  });

  test('a PDF becomes one slide per page, with its text', TEST, async () => {
    const pages = ['Welcome to Comet Deck', 'Agenda', 'Results', 'Thank you'];
    const detail = await upload([{ name: 'talk.pdf', mimeType: 'application/pdf', buffer: makePdf(pages) }], 'From a PDF', 4, 'PDF');
    assert.equal(detail.source, 'pdf');
    assert.deepEqual(detail.slides.map((slide) => slide.text), pages);
    assert.deepEqual(detail.slides.map((slide) => slide.alt), pages.map((text, i) => `Slide ${i + 1} of 4: ${text}`));
    assert.deepEqual(detail.slides.map((slide) => slide.width / slide.height), pages.map(() => 960 / 540));
  });

  test('a bad file gets a clear error next to its name', TEST, async () => {
    await openLibrary();
    const decksBefore = await page.getByRole('heading', { name: /^Library \(\d+\)$/ }).textContent();
    const good = await slideImage(1, 'png');

    // Not a slide at all: refused by the page before anything is sent.
    await page.locator('#deck-files').setInputFiles(
      [
        { name: 'Slide1.png', mimeType: 'image/png', buffer: good },
        { name: 'speaker notes.txt', mimeType: 'text/plain', buffer: Buffer.from('remember to breathe') },
      ],
      { timeout: STEP_MS },
    );
    await rowOf('speaker notes.txt').getByText('Not a PNG, JPEG, WebP or GIF image, a ZIP or a PDF.').waitFor({ timeout: STEP_MS });
    assert.ok(await page.getByRole('button', { name: 'Upload 2 files' }).isDisabled());
    assert.doesNotMatch((await rowOf('Slide1.png').textContent()) ?? '', /Not a PNG/);
    await page.getByRole('button', { name: 'Remove speaker notes.txt' }).click({ timeout: STEP_MS });
    assert.ok(await page.getByRole('button', { name: 'Upload 1 file' }).isEnabled());

    // An image that is damaged inside (a truncated PNG): refused by the server, naming the file.
    const damaged = (await slideImage(2, 'png')).subarray(0, 2_000);
    await page.locator('#deck-files').setInputFiles(
      [
        { name: 'Slide2.png', mimeType: 'image/png', buffer: damaged },
        { name: 'Slide3.png', mimeType: 'image/png', buffer: await slideImage(3, 'png') },
      ],
      { timeout: STEP_MS },
    );
    await page.getByRole('button', { name: 'Upload 3 files' }).click({ timeout: STEP_MS });
    const alert = page.getByRole('alert').filter({ hasText: 'Problem with Slide2.png' });
    await alert.waitFor({ timeout: UPLOAD_MS });
    assert.match((await alert.textContent()) ?? '', /Problem with Slide2\.png\s*The image is damaged or cannot be read\./);
    await rowOf('Slide2.png').getByText('The image is damaged or cannot be read.').waitFor({ timeout: STEP_MS });
    for (const name of ['Slide1.png', 'Slide3.png']) assert.doesNotMatch((await rowOf(name).textContent()) ?? '', /damaged/, `${name} is fine`);
    await screenshot(page, 'library-upload-error');

    // No deck was made; the files stay selected to fix and retry.
    assert.equal(await page.getByRole('heading', { name: /^Library \(\d+\)$/ }).textContent(), decksBefore);
    assert.equal(await selectedRows().count(), 3);
  });
});
