/**
 * An Office presentation uploaded through the deck library (`/decks`) in real Chromium against the
 * real server and the real LibreOffice: the upload panel shows the "Converting the presentation"
 * stage (screenshots at laptop and phone size, axe-core finds nothing), Cancel stops the
 * conversion and leaves nothing behind, and a .pptx becomes an "Office" deck with its slides.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import type { Browser, Page } from '@playwright/test';
import { startApp, tempDataDir, type AppProcess } from '../../support/app-process';
import { axeViolations } from '../helpers/axe';
import { type FodpSlide, officeFile, processesUsing } from '../../support/office-fixtures';
import { until } from '../../support/wait';
import { STEP_MS, launchBrowser, openPresenter, screenshot, stopStage } from '../../support/slideshow-browser';

const TEST = { timeout: 240_000 } as const;
const UPLOAD_MS = 120_000;
const slides = (count: number): FodpSlide[] => Array.from({ length: count }, (_, i) => ({ title: `Quarterly review, slide ${i + 1}`, notes: [`Point ${i + 1}`] }));

/** How long LibreOffice may take to stop, and its temp folder to go. */
const CLEAN_UP_MS = 30_000;

// The steps share one presenter page and its upload form, so they run in order, one at a time; the
// second first checks that the first left no conversion running.
describe('the deck library: an Office presentation', { concurrency: 1 }, () => {
  let app: AppProcess;
  let browser: Browser;
  let page: Page;
  const dataDir = tempDataDir();

  before(async () => {
    app = await startApp({ SLIDES_DIR: dataDir });
    browser = await launchBrowser();
    page = (await openPresenter(browser, app)).page;
  }, TEST);

  after(() => stopStage({ app, browser }, 'SIGKILL'), TEST);

  async function pick(name: string, mimeType: string, buffer: Buffer): Promise<void> {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${app.url}/decks`, { timeout: STEP_MS });
    await page.getByRole('heading', { name: /^Library \(\d+\)$/ }).waitFor({ timeout: STEP_MS });
    await page.locator('#deck-files').setInputFiles([{ name, mimeType, buffer }], { timeout: STEP_MS });
    await page.getByRole('button', { name: 'Upload 1 file' }).click({ timeout: STEP_MS });
  }

  test('the Converting stage at laptop and phone size, accessible; Cancel stops LibreOffice', TEST, async () => {
    // A PowerPoint 97 file is converted twice (to ODP for its notes, then to PDF): a long enough stage to look at.
    await pick('Quarterly review.ppt', 'application/vnd.ms-powerpoint', await officeFile(slides(60), 'ppt'));
    await page.getByText('Converting the presentation').waitFor({ timeout: UPLOAD_MS });
    await screenshot(page, 'upload-converting-laptop');
    assert.deepEqual(await axeViolations(page), []);
    await page.setViewportSize({ width: 390, height: 844 });
    // The library heading sits just under the bars: bring it up so both bars are on the phone's screen.
    await page.getByRole('heading', { name: /^Library \(\d+\)$/ }).scrollIntoViewIfNeeded({ timeout: STEP_MS });
    await page.getByText(/^step [12] of 2 · Quarterly review\.ppt$/).waitFor({ timeout: STEP_MS });
    await screenshot(page, 'upload-converting-phone');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Cancel' }).click({ timeout: STEP_MS });
    await page.getByRole('button', { name: 'Upload 1 file' }).waitFor({ timeout: STEP_MS });
    await until(async () => (await processesUsing(dataDir)).length === 0, 'LibreOffice to be stopped', CLEAN_UP_MS);
    await until(async () => (await readdir(dataDir)).every((name) => !name.startsWith('.tmp-')), async () => `the temp folder to go (now: ${(await readdir(dataDir)).join(', ')})`, CLEAN_UP_MS);
    const decks = await page.evaluate(async () => (await fetch('/api/decks')).json());
    assert.deepEqual(decks, []);
  });

  test('a .pptx becomes an Office deck with its slides', TEST, async () => {
    assert.equal(await page.getByText('Converting the presentation').count(), 0, 'the .pptx upload: needs the cancelled conversion gone from the page');
    assert.deepEqual(await processesUsing(dataDir), [], 'the .pptx upload: needs the cancelled LibreOffice stopped');
    await pick('Launch.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', await officeFile(slides(3), 'pptx'));
    await page.getByRole('status').filter({ hasText: 'Launch is ready: 3 slides.' }).waitFor({ timeout: UPLOAD_MS });
    const card = page.locator('section[aria-labelledby="library-heading"] li').filter({ has: page.getByRole('heading', { name: 'Launch', exact: true }) });
    await card.getByText('Office', { exact: true }).waitFor({ timeout: STEP_MS });
    assert.deepEqual(await axeViolations(page), []);
  });
});
