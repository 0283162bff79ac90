/**
 * Every byte the audience side can receive, collected for a search: each response of the audience
 * pages (HTML, JS chunks, CSS, images, Bayeux long polls), every WebSocket frame they receive, and
 * any extra URL fetched without presenter credentials. To search another audience page, add it to
 * AUDIENCE_PAGES (a page that answers 404 on this build is skipped, and said so).
 */
import type { Browser, BrowserContextOptions, Page, Response } from '@playwright/test';
import { newContext } from '../../support/slideshow-browser';

/** The pages anyone may open: the phones' page, and the room display when the build has it. */
export const AUDIENCE_PAGES = ['/', '/room'];

export interface AudienceBytes {
  /** The phone page announces slide `n`. */
  waitForSlide(n: number): Promise<void>;
  /** Fetch these paths as the audience would (no cookie, no key) and keep the answers. */
  fetchExtra(paths: string[]): Promise<void>;
  all(): Promise<{ text: string; count: number; bayeuxMessages: number; skipped: string[]; whereFound(marker: string): string }>;
  close(): Promise<void>;
}

export async function collectAudienceBytes(browser: Browser, baseUrl: string, device: BrowserContextOptions): Promise<AudienceBytes> {
  const context = await newContext(browser, device);
  const pending: Array<Promise<{ where: string; text: string }>> = [];
  let bayeuxMessages = 0;
  const keep = (response: Response) =>
    void pending.push(response.body().then((body) => ({ where: response.url(), text: body.toString('latin1') }), () => ({ where: response.url(), text: '' })));
  context.on('response', (response) => {
    if (response.url().includes('/bayeux')) bayeuxMessages++;
    keep(response);
  });
  const watch = (page: Page) =>
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        bayeuxMessages++;
        pending.push(Promise.resolve({ where: `ws ${socket.url()}`, text: typeof payload === 'string' ? payload : payload.toString('latin1') }));
      }),
    );
  const skipped: string[] = [];
  let phone: Page | undefined;
  for (const path of AUDIENCE_PAGES) {
    const page = await context.newPage();
    watch(page);
    const response = await page.goto(`${baseUrl}${path}`);
    if (response?.status() === 404) {
      skipped.push(path);
      await page.close();
    } else phone ??= page;
  }
  return {
    async waitForSlide(n) {
      await phone!.waitForFunction((slide) => document.querySelector('main > p[aria-live]')?.textContent?.startsWith(`Slide ${slide} of`) ?? false, n, { timeout: 15_000 });
    },
    async fetchExtra(paths) {
      for (const path of paths) {
        const url = path.startsWith('http') ? path : `${baseUrl}${path}`;
        const response = await fetch(url);
        pending.push(response.arrayBuffer().then((body) => ({ where: url, text: Buffer.from(body).toString('latin1') })));
      }
    },
    async all() {
      const bodies = await Promise.all(pending);
      // Text is searched as latin1 (one char per byte) and as UTF-8: the marker is ASCII, so either finds it.
      const text = bodies.map((body) => body.text).join('\n');
      return {
        text, count: bodies.length, bayeuxMessages, skipped,
        whereFound: (marker) => bodies.filter((body) => body.text.includes(marker)).map((body) => body.where).join(', '),
      };
    },
    close: () => context.close(),
  };
}
