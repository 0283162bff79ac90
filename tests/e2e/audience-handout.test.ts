/**
 * The handout in Chromium: the presenter ends the talk offering a handout (the End talk dialog's
 * checkbox); the phone's end screen offers "Download the slides (PDF)"; the file it downloads is
 * a PDF of exactly the slides shown (1, 2 and 4 of 4), parsed with pdf-lib, with no byte of the
 * unshown slide 3 in it. axe-core finds nothing on the end screen with the link.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { PDFDocument } from 'pdf-lib';
import type { DeckDetail } from '../../lib/slideshow/index';
import { type AppProcess } from '../../support/app-process';
import {
  openPhone, openPresenter, PHONES, screenshot, startStage, STEP_MS, TALK, talkFiles, TEST_MS, uploadDeckDetail, waitForPhoneSlide, stopStage, sendLive,
} from '../../support/slideshow-browser';

const TEST = { timeout: TEST_MS } as const;

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: path.resolve('node_modules/axe-core/axe.min.js') });
  type Violation = { id: string; nodes: Array<{ target: string[] }> };
  const result = await page.evaluate(async () => await (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe.run());
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the handout on the end screen', () => {
  let app: AppProcess;
  let key: string;
  let browser: Browser;
  let deck: DeckDetail;

  const command = (body: object) => sendLive(app.url, key, body);
  const jpegs = (n: number) => Promise.all(deck.slides[n - 1]!.images.map(async (image) => Buffer.from(await (await fetch(`${app.url}${image.jpeg}`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer())));

  before(async () => {
    ({ app, key, browser } = await startStage());
    deck = await uploadDeckDetail(app.url, key, await talkFiles(TALK.slice(0, 4)), 'Handout talk');
  }, TEST);

  after(() => stopStage({ app, browser }), TEST);

  test('End talk with a handout: the phone downloads a PDF of exactly the slides it was shown', TEST, async () => {
    await command({ deck: deck.id, slide: 1 });
    const phone = await openPhone(browser, app.url, PHONES.iphone);
    for (const n of [2, 4]) {
      await command({ slide: n });
      await waitForPhoneSlide(phone.page, deck.slides[n - 1]!, 4);
    }
    assert.equal(await phone.page.getByRole('link', { name: 'Download the slides (PDF)' }).count(), 0, 'no handout while it is off');

    const presenter = await openPresenter(browser, app);
    await presenter.page.getByRole('button', { name: 'End talk' }).click({ timeout: STEP_MS });
    const dialog = presenter.page.getByRole('dialog', { name: 'End the talk?' });
    await dialog.getByLabel(/Offer a handout/).check({ timeout: STEP_MS });
    await dialog.getByRole('button', { name: 'End talk' }).click({ timeout: STEP_MS });

    const link = phone.page.getByRole('link', { name: 'Download the slides (PDF)' });
    await link.waitFor({ timeout: STEP_MS });
    assert.deepEqual(await axeViolations(phone.page), []);
    await screenshot(phone.page, 'handout-end-screen-phone');
    const [download] = await Promise.all([phone.page.waitForEvent('download', { timeout: STEP_MS }), link.click()]);
    assert.equal(download.suggestedFilename(), 'Handout talk.pdf');
    const bytes = await readFile((await download.path())!);
    const pdf = await PDFDocument.load(bytes);
    assert.equal(pdf.getPageCount(), 3, 'slides 1, 2 and 4');
    for (const n of [1, 2, 4]) assert.ok((await jpegs(n)).some((jpeg) => bytes.includes(jpeg)), `slide ${n} is in the handout`);
    for (const jpeg of await jpegs(3)) {
      const middle = Math.floor(jpeg.length / 2);
      assert.ok(!bytes.includes(jpeg.subarray(middle, middle + 2_048)), 'nothing of slide 3, never shown');
    }
    await presenter.context.close();
    await phone.context.close();
  });
});
