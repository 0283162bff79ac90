/**
 * The oldest client we promise to serve: dojox.cometd from Dojo 1.6 (2010, the Bayeux client of the
 * original CometD days), loaded unmodified from the `dojo`/`dojox` npm packages into a real headless
 * Chromium and pointed at our Bayeux server, in its two modes:
 *
 * - same-origin: the page comes from the Bayeux server's own host. dojox.cometd then uses its
 *   default long-polling transport, which POSTs the handshake form-encoded (`message=[...]`) and
 *   every later message as `text/json;charset=UTF-8`.
 * - cross-origin: the page comes from a second server (another host name and port). dojox.cometd
 *   detects cross-domain from the URL given to `init` and switches to callback-polling (JSON-P:
 *   `GET ?message=<json>&jsonp=<callback>` script loads), and its handshake carries no
 *   `supportedConnectionTypes` at all.
 *
 * In each mode: handshake, subscribe, publish to itself, receive a publish from a second client (a
 * raw HTTP client in Node, which also receives the page's publish), wildcard subscriptions,
 * disconnect, and re-handshake after the server restarted and forgot the session.
 *
 * What Dojo 1.6 does on `advice.reconnect: "handshake"` (dojox/cometd/longPollTransport*.js `_connect`,
 * shared by callbackPollTransport): it calls `init()` again, and `init()` starts by unsubscribing
 * every local listener and emptying `_subscriptions`. So it re-handshakes by itself (a new clientId,
 * a `/cometd/meta` "handshake" event with `reestablish: true`) but never re-subscribes: the server
 * and the page both end up with no subscriptions, and the application has to subscribe again
 * (typically from a `/cometd/meta` listener on `reestablish`). The restart test asserts exactly that.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from '@playwright/test';
import { createBayeuxServer, type BayeuxServer, type CreateBayeuxServerOptions } from '../../server/bayeux/index';
import type { Message } from '../../lib/bayeux/index';
import type { Route } from '../helpers/bayeux-server';
import { chromiumLaunchArgs, findChromium } from '../../support/chromium';
import { dojoPageRoute } from '../helpers/dojo-static';
import { until } from '../../support/wait';

// ---------------------------------------------------------------------------------------------
// Types of what the page and the wire carry

/** What travels on the wire: the shared Bayeux message type. */
type WireMessage = Message;

/** One delivery to a page listener: which subscription it came through, and the event. */
interface Delivered {
  subscription: string;
  channel: string;
  data: unknown;
}

interface MetaEvent {
  action: string;
  successful: boolean;
  state: string;
  reestablish: boolean;
  clientId: string | null;
}

interface DojoxCometd {
  init(url: string, props?: object): unknown;
  publish(channel: string, data: unknown): void;
  disconnect(): void;
  state(): string;
  clientId: string | null;
  _subscriptions: Record<string, unknown>;
}

declare global {
  interface Window {
    dojo: { version: { major: number; minor: number; patch: number } };
    dojox: { cometd: DojoxCometd };
    /** Set by the test page once dojox.cometd is loaded and its hooks installed. */
    cometdReady?: boolean;
    /** Every event a page listener got (`dojox.cometd.subscribe` callbacks). */
    received: Delivered[];
    /** Every message dojox.cometd took in from the server (an incoming extension), in order. */
    wire: WireMessage[];
    /** The `/cometd/meta` topic: dojox.cometd's state changes. */
    metaEvents: MetaEvent[];
    /** Subscriptions the server acknowledged (the Deferred `dojox.cometd.subscribe` returns). */
    subscribeAcks: string[];
    /** Subscribe through dojox.cometd, recording deliveries in `received`. */
    listen(subscription: string): void;
  }
}

// ---------------------------------------------------------------------------------------------
// The test page and the static files of Dojo, served with a path-traversal guard

const PAGE_PATH = '/dojo-cometd.html';
const PAGE = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>dojox.cometd (Dojo 1.6)</title>
<script>
  var djConfig = { baseUrl: '/js/dojo/', modulePaths: { dojox: '../dojox' }, parseOnLoad: false };
</script>
<script src="/js/dojo/dojo.js"></script>
<script>
  dojo.require('dojox.cometd');
  window.received = [];
  window.wire = [];
  window.metaEvents = [];
  window.subscribeAcks = [];
  dojo.addOnLoad(function () {
    dojox.cometd._extendInList.push(function (message) {
      window.wire.push(JSON.parse(JSON.stringify(message)));
      return message;
    });
    dojo.subscribe('/cometd/meta', function (event) {
      window.metaEvents.push({
        action: event.action, successful: !!event.successful, state: event.state,
        reestablish: !!event.reestablish, clientId: dojox.cometd.clientId
      });
    });
    window.listen = function (subscription) {
      var handle = dojox.cometd.subscribe(subscription, function (message) {
        window.received.push({ subscription: subscription, channel: message.channel, data: message.data });
      });
      if (handle && handle.addCallback) {
        handle.addCallback(function () { window.subscribeAcks.push(subscription); });
      }
    };
    window.cometdReady = true;
  });
</script>
</head>
<body><p>dojox.cometd test page</p></body>
</html>
`;

const pageRoute = (): Route => dojoPageRoute(PAGE_PATH, PAGE);

// ---------------------------------------------------------------------------------------------
// A host: an http.Server on 127.0.0.1 with an optional Bayeux server and routes, restartable on the
// same port with a fresh Bayeux server (which knows none of the old sessions).

const BAYEUX_OPTIONS: CreateBayeuxServerOptions = {
  // A short hold keeps dojo's JSON-P script timeout (advised timeout + 10 s) within the test bounds.
  timeout: 5_000,
};

interface Host {
  readonly port: number;
  readonly origin: string;
  readonly bayeux: BayeuxServer;
  /** Close everything (answering held connects as a stopping server does) and listen again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startHost(withBayeux: boolean, routes: Route[]): Promise<Host> {
  let bayeux: BayeuxServer | undefined;
  let server: http.Server;
  const listen = async (port: number): Promise<number> => {
    bayeux = withBayeux ? createBayeuxServer(BAYEUX_OPTIONS) : undefined;
    const current = bayeux;
    server = http.createServer((req, res) => {
      if (current?.handleHttp(req, res)) return;
      for (const route of routes) if (route(req, res)) return;
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    await bayeux?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const port = await listen(0);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get bayeux() {
      if (!bayeux) throw new Error('this host has no Bayeux server');
      return bayeux;
    },
    async restart() {
      await stop();
      await listen(port);
    },
    close: stop,
  };
}

// ---------------------------------------------------------------------------------------------
// A second Bayeux client: plain HTTP long-polling from Node

class NodeClient {
  clientId = '';
  #id = 0;
  readonly events: WireMessage[] = [];

  constructor(readonly endpoint: string) {}

  async send(messages: object[]): Promise<WireMessage[]> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(messages),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(response.status, 200, `HTTP ${response.status} from the Bayeux server`);
    const replies = (await response.json()) as WireMessage[];
    for (const message of replies) if (!message.channel.startsWith('/meta/') && 'data' in message) this.events.push(message);
    return replies;
  }

  async request(message: object): Promise<WireMessage> {
    const id = String(++this.#id);
    const replies = await this.send([{ ...message, ...(this.clientId ? { clientId: this.clientId } : {}), id }]);
    const reply = replies.find((m) => m.id === id);
    assert.ok(reply, `no reply to ${JSON.stringify(message)}`);
    return reply;
  }

  async handshake(): Promise<void> {
    const reply = await this.request({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
    assert.equal(reply.successful, true, JSON.stringify(reply));
    this.clientId = String(reply.clientId);
    // The first connect is answered at once; later ones are held.
    assert.equal((await this.request({ channel: '/meta/connect', connectionType: 'long-polling' })).successful, true);
  }

  async subscribe(subscription: string): Promise<void> {
    const reply = await this.request({ channel: '/meta/subscribe', subscription });
    assert.equal(reply.successful, true, JSON.stringify(reply));
  }

  async publish(channel: string, data: unknown): Promise<void> {
    const reply = await this.request({ channel, data });
    assert.equal(reply.successful, true, JSON.stringify(reply));
  }

  /** Long-poll until an event satisfies `predicate` (bounded). */
  async waitForEvent(predicate: (event: WireMessage) => boolean, timeoutMs = 8_000): Promise<WireMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await this.request({ channel: '/meta/connect', connectionType: 'long-polling', advice: { timeout: Math.min(remaining, 2_000) } });
    }
  }

  async disconnect(): Promise<void> {
    if (this.clientId) await this.request({ channel: '/meta/disconnect' }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// What the page sent to the Bayeux endpoint, as seen by the browser

interface LoggedRequest {
  method: string;
  contentType: string | undefined;
  /** The `jsonp` callback name of a callback-polling request. */
  jsonp: string | null;
  messages: WireMessage[];
  status?: number;
}

function recordBayeuxRequests(page: Page, bayeuxOrigin: string): LoggedRequest[] {
  const log: LoggedRequest[] = [];
  const entries = new Map<Request, LoggedRequest>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== bayeuxOrigin || !url.pathname.startsWith('/bayeux')) return;
    const contentType = request.headers()['content-type'];
    const body = request.postData() ?? '';
    let payload: string | null;
    if (request.method() === 'GET') payload = url.searchParams.get('message');
    else if (contentType?.startsWith('application/x-www-form-urlencoded')) payload = new URLSearchParams(body).get('message');
    else payload = body;
    const parsed: unknown = payload ? JSON.parse(payload) : [];
    const entry: LoggedRequest = {
      method: request.method(),
      contentType,
      jsonp: url.searchParams.get('jsonp'),
      messages: (Array.isArray(parsed) ? parsed : [parsed]) as WireMessage[],
    };
    entries.set(request, entry);
    log.push(entry);
  });
  page.on('response', (response) => {
    const entry = entries.get(response.request());
    if (entry) entry.status = response.status();
  });
  return log;
}

const requestsFor = (log: LoggedRequest[], channel: string) => log.filter((entry) => entry.messages.some((m) => m.channel === channel));

// ---------------------------------------------------------------------------------------------

const WAIT = { timeout: 10_000, polling: 25 } as const;
const TEST = { timeout: 30_000 } as const;

let browser: Browser;

before(async () => {
  const executablePath = findChromium();
  assert.ok(executablePath, 'Chromium not found: install it or set CHROMIUM_PATH');
  browser = await chromium.launch({ executablePath, args: chromiumLaunchArgs, headless: true, timeout: 20_000 });
}, TEST);

after(async () => {
  await browser?.close();
}, TEST);

type Mode = 'same-origin' | 'cross-origin';

for (const mode of ['same-origin', 'cross-origin'] as const satisfies readonly Mode[]) {
  const crossOrigin = mode === 'cross-origin';
  const transport = crossOrigin ? 'callback-polling' : 'long-polling';

  // One page's life: each step goes on from the session and subscriptions the one before left, so
  // they run in order, one at a time, and each first checks that it starts where it should.
  describe(`dojox.cometd 1.6 in Chromium, ${mode} (${transport})`, { concurrency: 1 }, () => {
    let bayeuxHost: Host;
    let pageHost: Host | undefined;
    let context: BrowserContext;
    let page: Page;
    let log: LoggedRequest[];
    let pageUrl: string;
    /** What the page passes to `dojox.cometd.init`. */
    let cometdUrl: string;
    let other: NodeClient;
    let pageClientId: string;
    /** A step's precondition: the page's session from the handshake step, with these subscriptions. */
    const needsSession = (step: string, subscriptions: string[] = []) => {
      const session = pageClientId === undefined ? undefined : bayeuxHost.bayeux.getSession(pageClientId);
      assert.ok(session, `${step}: needs the page's session from the handshake step`);
      for (const channel of subscriptions) assert.ok(session.subscriptions.has(channel), `${step}: needs the page subscribed to ${channel}`);
    };

    const endpoint = () => `${bayeuxHost.origin}/bayeux`;

    async function openPage(): Promise<void> {
      page = await context.newPage();
      log = recordBayeuxRequests(page, bayeuxHost.origin);
      await page.goto(pageUrl, { timeout: 10_000 });
      await page.waitForFunction(() => window.cometdReady === true, undefined, WAIT);
    }

    async function handshakePage(): Promise<string> {
      await page.evaluate((url) => void window.dojox.cometd.init(url), cometdUrl);
      await page.waitForFunction(() => window.dojox.cometd.state() === 'connected', undefined, WAIT);
      const clientId = await page.evaluate(() => window.dojox.cometd.clientId);
      assert.ok(clientId);
      return clientId;
    }

    async function listen(subscription: string): Promise<void> {
      const acked = await page.evaluate((s) => window.subscribeAcks.filter((a) => a === s).length, subscription);
      await page.evaluate((s) => window.listen(s), subscription);
      await page.waitForFunction(({ s, acked }) => window.subscribeAcks.filter((a) => a === s).length > acked, { s: subscription, acked }, WAIT);
    }

    async function waitForDelivery(subscription: string, channel: string, data: unknown): Promise<void> {
      await page.waitForFunction(
        ({ subscription, channel, data }) =>
          window.received.some((d) => d.subscription === subscription && d.channel === channel && JSON.stringify(d.data) === JSON.stringify(data)),
        { subscription, channel, data },
        WAIT,
      );
    }

    before(async () => {
      if (crossOrigin) {
        bayeuxHost = await startHost(true, []);
        pageHost = await startHost(false, [pageRoute()]);
        // Another host name and another port: cross-origin (and cross-site, so no cookies either).
        pageUrl = `http://localhost:${pageHost.port}${PAGE_PATH}`;
        cometdUrl = `${bayeuxHost.origin}/bayeux`;
      } else {
        bayeuxHost = await startHost(true, [pageRoute()]);
        pageUrl = `${bayeuxHost.origin}${PAGE_PATH}`;
        cometdUrl = '/bayeux';
      }
      context = await browser.newContext();
      other = new NodeClient(endpoint());
    }, TEST);

    after(async () => {
      await other?.disconnect().catch(() => undefined);
      await context?.close();
      await pageHost?.close();
      await bayeuxHost?.close();
    }, TEST);

    test('the static route serves Dojo with proper content types and refuses path traversal', TEST, async () => {
      const origin = (pageHost ?? bayeuxHost).origin;
      const dojo = await fetch(`${origin}/js/dojo/dojo.js`);
      assert.equal(dojo.status, 200);
      assert.equal(dojo.headers.get('content-type'), 'application/javascript; charset=utf-8');
      await dojo.arrayBuffer();
      const cometd = await fetch(`${origin}/js/dojox/cometd/_base.js`);
      assert.equal(cometd.status, 200);
      assert.match(await cometd.text(), /dojo\.provide\("dojox\.cometd\._base"\)/);
      for (const sneaky of ['/js/dojo/..%2f..%2fpackage.json', '/js/dojo/%2e%2e/%2e%2e/package.json', '/js/dojox/..%2fdojo%2f..%2f..%2fpackage.json', '/js/dojo/%2e%2e%5c%2e%2e%5cpackage.json']) {
        const response = await fetch(`${origin}${sneaky}`);
        const text = await response.text();
        assert.ok(response.status === 403 || response.status === 400 || response.status === 404, `${sneaky} → ${response.status}`);
        assert.doesNotMatch(text, /comet-deck/);
      }
    });

    test('loads Dojo 1.6 and dojox.cometd in the page', TEST, async () => {
      await openPage();
      const version = await page.evaluate(() => window.dojo.version);
      assert.equal(version.major, 1);
      assert.equal(version.minor, 6);
      assert.equal(await page.evaluate(() => window.dojox.cometd.state()), 'unconnected');
    });

    test(`handshakes and connects over ${transport}`, TEST, async () => {
      assert.ok(page && !page.isClosed(), 'the handshake: needs the page with Dojo the step before loaded');
      pageClientId = await handshakePage();
      const session = bayeuxHost.bayeux.getSession(pageClientId);
      assert.ok(session, 'the server knows the page session');
      assert.equal(session.connectionType, transport);

      const [handshake, ...moreHandshakes] = requestsFor(log, '/meta/handshake');
      assert.ok(handshake);
      assert.equal(moreHandshakes.length, 0);
      const handshakeMessage = handshake.messages[0]!;
      assert.equal(handshakeMessage.version, '1.0');
      const connects = requestsFor(log, '/meta/connect');
      assert.ok(connects.length >= 1);
      assert.ok(connects.every((entry) => entry.messages.every((m) => m.connectionType === transport)));

      if (crossOrigin) {
        // JSON-P: script GETs with `message=` and `jsonp=`; the handshake offers no connection types.
        assert.equal(handshake.method, 'GET');
        assert.match(handshake.jsonp ?? '', /^dojo\.io\.script\.jsonp_\w+\._jsonpCallback$/);
        assert.equal('supportedConnectionTypes' in handshakeMessage, false);
        for (const entry of log) {
          assert.equal(entry.method, 'GET');
          assert.ok(entry.jsonp);
        }
      } else {
        // Long-polling: the handshake form-encoded, everything after it as text/json.
        assert.equal(handshake.method, 'POST');
        assert.equal(handshake.contentType, 'application/x-www-form-urlencoded');
        assert.deepEqual(handshakeMessage.supportedConnectionTypes, ['long-polling', 'long-polling-json-encoded', 'callback-polling']);
        for (const entry of connects) {
          assert.equal(entry.method, 'POST');
          assert.equal(entry.contentType, 'text/json;charset=UTF-8');
        }
      }
      const reply = await page.evaluate(() => window.wire.find((m) => m.channel === '/meta/handshake'));
      assert.equal(reply?.successful, true);
      assert.equal(reply?.clientId, pageClientId);
      assert.ok(log.every((entry) => entry.status === undefined || entry.status === 200), JSON.stringify(log));
    });

    test('subscribes; its own publish reaches the page and another client', TEST, async () => {
      needsSession('subscribing');
      await other.handshake();
      await other.subscribe('/chat/room');
      await listen('/chat/room');
      assert.deepEqual([...bayeuxHost.bayeux.getSession(pageClientId)!.subscriptions], ['/chat/room']);

      const data = { text: 'hello from dojo', n: 1 };
      await page.evaluate((d) => window.dojox.cometd.publish('/chat/room', d), data);
      await waitForDelivery('/chat/room', '/chat/room', data);
      const seenByOther = await other.waitForEvent((m) => m.channel === '/chat/room');
      assert.deepEqual(seenByOther.data, data);
      assert.equal(seenByOther.clientId, undefined, 'the publisher clientId must not leak to subscribers');

      const subscribe = requestsFor(log, '/meta/subscribe')[0]!;
      const publish = requestsFor(log, '/chat/room')[0]!;
      for (const entry of [subscribe, publish]) {
        if (crossOrigin) {
          assert.equal(entry.method, 'GET');
          assert.ok(entry.jsonp);
        } else {
          assert.equal(entry.method, 'POST');
          assert.equal(entry.contentType, 'text/json;charset=UTF-8');
        }
        assert.equal(entry.status, 200);
      }
    });

    test('a publish from another client reaches the page', TEST, async () => {
      needsSession('a publish from another client', ['/chat/room']);
      const data = { text: 'hello from node', n: 2 };
      await other.publish('/chat/room', data);
      await waitForDelivery('/chat/room', '/chat/room', data);
      const copies = await page.evaluate(() => window.received.filter((d) => d.channel === '/chat/room').length);
      assert.equal(copies, 2, 'one copy of each of the two publishes');
    });

    test('wildcard subscriptions /wild/* and /deep/** deliver what they match, and only that', TEST, async () => {
      needsSession('wildcard subscriptions', ['/chat/room']);
      await listen('/wild/*');
      await listen('/deep/**');
      assert.deepEqual(new Set(bayeuxHost.bayeux.getSession(pageClientId)!.subscriptions), new Set(['/chat/room', '/wild/*', '/deep/**']));

      await other.publish('/wild/one', { n: 1 });
      await other.publish('/wild/one/two', { n: 2 }); // deeper than `*`
      await other.publish('/deep/one', { n: 3 });
      await other.publish('/deep/one/two/three', { n: 4 });
      await page.evaluate(() => window.dojox.cometd.publish('/wild/end', { n: 5 })); // from the page, last
      await waitForDelivery('/wild/*', '/wild/end', { n: 5 });

      const received = await page.evaluate(() => window.received.filter((d) => d.channel !== '/chat/room'));
      assert.deepEqual(
        received.map((d) => `${d.subscription} ${d.channel}`).sort(),
        ['/deep/** /deep/one', '/deep/** /deep/one/two/three', '/wild/* /wild/end', '/wild/* /wild/one'],
      );
      // Not merely filtered by dojo's local topics: the server never sent it.
      const wireChannels = await page.evaluate(() => window.wire.map((m) => m.channel));
      assert.equal(wireChannels.includes('/wild/one/two'), false);
      assert.equal(wireChannels.filter((c) => c === '/wild/one').length, 1);
    });

    test('disconnects: the server drops the session, answers the held connect with reconnect none, and the page stops polling', TEST, async () => {
      needsSession('the disconnect');
      await until(() => bayeuxHost.bayeux.getSession(pageClientId)?.held !== undefined, 'a held /meta/connect', 10_000);
      const wireBefore = await page.evaluate(() => window.wire.length);
      // Read the state in the same turn: the held connect's reply (successful, reconnect none) may
      // arrive before a second evaluate, and Dojo 1.6 then reports 'connected' again.
      const stateAfter = await page.evaluate(() => {
        window.dojox.cometd.disconnect();
        return window.dojox.cometd.state();
      });
      assert.equal(stateAfter, 'disconnected');
      await until(() => bayeuxHost.bayeux.getSession(pageClientId) === undefined, 'the session to be removed', 10_000);
      assert.equal(bayeuxHost.bayeux.subscriberCount('/chat/room'), 1, 'only the Node client is left');

      // The held connect came back at once, telling the client not to reconnect.
      await page.waitForFunction(
        (from) => window.wire.slice(from).some((m) => m.channel === '/meta/connect' && m.advice?.reconnect === 'none'),
        wireBefore,
        WAIT,
      );
      const disconnect = requestsFor(log, '/meta/disconnect');
      assert.equal(disconnect.length, 1);
      assert.equal(disconnect[0]!.messages[0]!.clientId, pageClientId);
      if (!crossOrigin) assert.equal(disconnect[0]!.contentType, 'text/json;charset=UTF-8');

      const requestsAfter = log.length;
      // A time window is inherent here: a further request would come from the page's client timers
      // (reconnect, backoff), and nothing on the wire says none will. Bounded: 1.5 s.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(log.slice(requestsAfter).map((e) => e.messages.map((m) => m.channel)), [], 'no request after the disconnect');
      assert.ok(log.every((entry) => entry.status === undefined || entry.status === 200), JSON.stringify(log));
    });

    test('re-handshakes by itself after the server restarted and forgot the session; re-subscribing works', TEST, async () => {
      await page.close();
      await openPage();
      const firstId = await handshakePage();
      await listen('/chat/room');
      assert.ok(bayeuxHost.bayeux.getSession(firstId)?.subscriptions.has('/chat/room'));
      await until(() => bayeuxHost.bayeux.getSession(firstId)?.held !== undefined, 'a held /meta/connect', 10_000);
      const wireBefore = await page.evaluate(() => window.wire.length);
      const metaBefore = await page.evaluate(() => window.metaEvents.length);

      await bayeuxHost.restart();

      // dojox.cometd's next connect carries the old clientId: the new server answers 402 with
      // `reconnect: handshake`, and dojo handshakes again.
      await page.waitForFunction(
        (from) => window.metaEvents.slice(from).some((e) => e.action === 'handshake' && e.successful && e.reestablish),
        metaBefore,
        { timeout: 20_000, polling: 50 },
      );
      await page.waitForFunction(() => window.dojox.cometd.state() === 'connected', undefined, WAIT);
      const secondId = await page.evaluate(() => window.dojox.cometd.clientId);
      assert.ok(secondId);
      assert.notEqual(secondId, firstId);
      const unknown = await page.evaluate(
        (from) => window.wire.slice(from).find((m) => m.channel === '/meta/connect' && m.successful === false),
        wireBefore,
      );
      assert.ok(unknown, 'the connect with the forgotten clientId was refused');
      assert.match(unknown.error ?? '', /^402:/);
      assert.equal(unknown.advice?.reconnect, 'handshake');
      assert.equal(bayeuxHost.bayeux.getSession(firstId), undefined);
      const session = bayeuxHost.bayeux.getSession(secondId);
      assert.ok(session);
      assert.equal(session.connectionType, transport);

      // Dojo 1.6 limitation: init() dropped every subscription; nothing is re-subscribed for us.
      assert.equal(session.subscriptions.size, 0);
      assert.deepEqual(await page.evaluate(() => Object.keys(window.dojox.cometd._subscriptions)), []);

      // The application subscribes again, and delivery works on the new session.
      await listen('/chat/room');
      assert.deepEqual([...session.subscriptions], ['/chat/room']);
      const fresh = new NodeClient(endpoint());
      await fresh.handshake();
      const data = { text: 'after the restart' };
      await fresh.publish('/chat/room', data);
      await waitForDelivery('/chat/room', '/chat/room', data);
      await page.evaluate(() => window.dojox.cometd.publish('/chat/room', { text: 'page after the restart' }));
      await waitForDelivery('/chat/room', '/chat/room', { text: 'page after the restart' });
      await page.evaluate(() => window.dojox.cometd.disconnect());
      await until(() => bayeuxHost.bayeux.getSession(secondId) === undefined, 'the second session to be removed', 10_000);
      await fresh.disconnect();
      other = fresh; // the old one belonged to the stopped server
    });
  });
}
