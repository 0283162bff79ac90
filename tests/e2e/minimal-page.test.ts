/**
 * The 2007 promise: a page that does no more than handshake, subscribe to `/slideshow/change` and
 * set an `<img>`'s `src` to `message.data.src` follows the talk. Here that page is an unmodified
 * Dojo 1.6 dojox.cometd page served from another origin (so it speaks callback-polling, JSON-P),
 * against the real application with PUBLIC_URL set, so `src` is absolute and loads from anywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startApp, type AppProcess } from '../../support/app-process';
import { chromiumLaunchArgs, findChromium } from '../../support/chromium';
import { dojoPageRoute } from '../helpers/dojo-static';
import { makeImage } from '../helpers/slide-fixtures';
import { freePort } from '../../support/ports';

const KEY = 'minimal-page-presenter-key-0123';

const page = (bayeux: string) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>2007</title>
<script>var djConfig = { baseUrl: '/js/dojo/', modulePaths: { dojox: '../dojox' } };</script>
<script src="/js/dojo/dojo.js"></script>
<script>
  dojo.require('dojox.cometd');
  dojo.addOnLoad(function () {
    dojox.cometd.init(${JSON.stringify(bayeux)});
    dojox.cometd.subscribe('/slideshow/change', function (message) {
      if (message.data.src) document.getElementById('slide').src = message.data.src;
    });
  });
</script></head>
<body><img id="slide" alt=""></body></html>`;

describe('a minimal 2007-style audience page', () => {
  let app: AppProcess;
  let host: http.Server;
  let browser: Browser;
  let hostUrl = '';

  before(async () => {
    const port = await freePort();
    app = await startApp({ PORT: String(port), PRESENTER_KEY: KEY, PUBLIC_URL: `http://127.0.0.1:${port}` });
    const route = dojoPageRoute('/talk.html', page(`${app.url}/bayeux`));
    host = http.createServer((req, res) => {
      if (!route(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://localhost:${(host.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: findChromium(), args: chromiumLaunchArgs, headless: true });
  });

  after(async () => {
    await browser?.close();
    host?.closeAllConnections();
    await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
    await app?.stop('SIGKILL');
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}) },
      body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return response.json() as Promise<any>;
  };

  const shownSrc = (p: Page) =>
    p.evaluate(() => {
      const img = document.getElementById('slide') as HTMLImageElement;
      return img.complete && img.naturalWidth > 0 ? img.src : '';
    });

  test('follows every slide change with nothing but img.src', { timeout: 60_000 }, async () => {
    const form = new FormData();
    for (const n of [1, 2, 3]) form.append('file', new Blob([new Uint8Array(await makeImage({ width: 800, height: 450 }))]), `slide-${n}.png`);
    const deck = await api('POST', '/api/decks', form);
    const detail = await api('GET', `/api/decks/${deck.id}`);

    const audience = await (await browser.newContext()).newPage();
    await audience.goto(`${hostUrl}/talk.html`);
    await audience.waitForFunction(() => (window as unknown as { dojox?: { cometd?: { clientId?: string } } }).dojox?.cometd?.clientId, undefined, { timeout: 15_000 });

    for (const [command, slide] of [[{ deck: deck.id, slide: 1 }, 1], [{ step: 1 }, 2], [{ slide: 3 }, 3]] as const) {
      await api('POST', '/api/live', command);
      const expected = `${app.url}${new URL(detail.slides[slide - 1].src, app.url).pathname}`;
      await audience.waitForFunction(
        (src) => {
          const img = document.getElementById('slide') as HTMLImageElement;
          return img.src === src && img.complete && img.naturalWidth > 0;
        },
        expected,
        { timeout: 15_000, polling: 50 },
      );
      assert.equal(await shownSrc(audience), expected, `slide ${slide} is shown and loaded`);
    }
  });
});
