/**
 * Issue 14 item 6: a replay bounded in size, and re-subscribes limited. After 300 slides a phone
 * that subscribes gets the current slide with only the most recent shown slides (it was the whole
 * history: 146 KB), prepared once for every joiner; re-subscribing in a loop is refused beyond
 * the session's subscribe budget; and a phone running the audience page's own code (the store,
 * the history loader, the back control) still browses back to every slide down to slide 1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { HISTORY_PAGE_SLIDES, type LiveState } from '../../lib/slideshow/index';
import { DEFAULT_OPTIONS } from '../../server/bayeux/index';
import { useSlideshowStore, selectDisplayed, selectPreviousShown } from '../../lib/stores/slideshow-store';
import { loadEarlierHistory } from '../../lib/client/history-loader';
import { goBack } from '../../components/audience/slide-nav';
import { Phone } from '../helpers/cometd-phone';
import { until, within } from '../helpers/slideshow-clients';
import { report, startLiveServer, type LiveServer } from './harness';

const SLIDES = 300;
/** What a replay may weigh, whatever the talk's length (bytes of its frame). */
const REPLAY_BYTE_BOUND = 16 * 1024;

describe('the replay after 300 slides', () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer(SLIDES);
    for (let slide = 2; slide <= SLIDES; slide++) await live.presenter.command({ slide });
  }, { timeout: 120_000 });
  after(() => live.close());

  test('is bounded in size and names where its history starts', { timeout: 30_000 }, async () => {
    const socket = await rawSocket(live);
    const clientId = await socket.handshake();
    const isReplay = (m: any) => m.channel === '/slideshow/change' && m.data !== undefined;
    const frames = await socket.request([{ channel: '/meta/subscribe', clientId, subscription: '/slideshow/change', id: 's' }], (all) => all.some(isReplay));
    const frame = frames.find((f) => JSON.parse(f.text).some(isReplay))!;
    const replay = JSON.parse(frame.text).find(isReplay).data as LiveState;
    report('replay frame after 300 slides', frame.text.length / 1024, 'KB');
    assert.ok(Buffer.byteLength(frame.text) < REPLAY_BYTE_BOUND, `the replay is ${frame.text.length} bytes`);
    assert.equal(replay.slide, SLIDES);
    assert.deepEqual(replay.history!.map((s) => s.slide), Array.from({ length: HISTORY_PAGE_SLIDES }, (_, i) => SLIDES - HISTORY_PAGE_SLIDES + 1 + i));
    assert.equal(replay.historyFrom, SLIDES - HISTORY_PAGE_SLIDES + 1);
    socket.close();
  });

  test('re-subscribing in a loop is refused beyond the subscribe budget', { timeout: 30_000 }, async () => {
    const socket = await rawSocket(live);
    const clientId = await socket.handshake();
    const started = performance.now();
    let replies: any[] = [];
    let bytes = 0;
    for (let i = 0; i < 200; i++) {
      const frames = await socket.request([
        { channel: '/meta/unsubscribe', clientId, subscription: '/slideshow/change', id: `u${i}` },
        { channel: '/meta/subscribe', clientId, subscription: '/slideshow/change', id: `s${i}` },
      ], (all) => all.some((m) => m.id === `s${i}`));
      bytes += frames.reduce((sum, f) => sum + f.text.length, 0);
      replies = replies.concat(frames.flatMap((f) => JSON.parse(f.text)));
    }
    const elapsed = performance.now() - started;
    const subscribes = replies.filter((m) => m.channel === '/meta/subscribe');
    const accepted = subscribes.filter((m) => m.successful).length;
    const refused = subscribes.filter((m) => m.error === `429:${DEFAULT_OPTIONS.subscribesPerSecondPerSession}:Too many subscribes`).length;
    report('re-subscribes accepted, refused (of 200)', `${accepted}, ${refused} in ${Math.round(elapsed)} ms`);
    report('bytes sent back for 200 re-subscribes', bytes / 1024, 'KB');
    const budget = DEFAULT_OPTIONS.subscribeBurstPerSession + Math.ceil((elapsed / 1000) * DEFAULT_OPTIONS.subscribesPerSecondPerSession) + 1;
    assert.equal(accepted + refused, 200);
    assert.ok(accepted <= budget, `${accepted} re-subscribes accepted (budget ${budget})`);
    assert.ok(bytes < budget * REPLAY_BYTE_BOUND + 200 * 512, `${bytes} bytes sent back`);
    socket.close();
  });

  test('a phone running the audience page\'s code browses back to slide 1', { timeout: 60_000 }, async () => {
    useSlideshowStore.setState({ state: undefined, history: [], historyFrom: undefined, viewing: 'live' });
    const phone = new Phone('browsing', live.server.endpoint, 'websocket');
    await phone.join();
    assert.equal(useSlideshowStore.getState().slideChanged(phone.states[0]!, { replay: true }), true);
    let requests = 0;
    const stop = loadEarlierHistory(async (url) => {
      requests++;
      const response = await within(fetch(`${live.server.url}${url}`), url);
      assert.equal(response.status, 200);
      return response.json();
    });
    try {
      const visited: number[] = [];
      for (let expected = SLIDES - 1; expected >= 1; expected--) {
        await until(() => selectPreviousShown(useSlideshowStore.getState()) === expected, `"back" to offer slide ${expected}`, 10_000);
        goBack();
        visited.push(selectDisplayed(useSlideshowStore.getState())!.slide);
      }
      assert.deepEqual(visited, Array.from({ length: SLIDES - 1 }, (_, i) => SLIDES - 1 - i));
      assert.equal(useSlideshowStore.getState().historyFrom, undefined, 'the whole history is loaded');
      report('history pages asked for while browsing back from 300 to 1', requests);
      assert.equal(requests, Math.ceil((SLIDES - HISTORY_PAGE_SLIDES) / HISTORY_PAGE_SLIDES));
    } finally {
      stop();
      phone.leave();
    }
  });

  test('GET /api/live/history refuses what it cannot answer, and never names a slide not shown', async () => {
    const base = `${live.server.url}/api/live/history`;
    assert.equal((await fetch(`${base}?deck=${live.deck.id}`)).status, 400);
    assert.equal((await fetch(`${base}?deck=${live.deck.id}&before=x`)).status, 400);
    assert.equal((await fetch(`${base}?deck=nope&before=5`)).status, 404);
    assert.equal((await fetch(`${base}?deck=${live.deck.id}&before=5`, { method: 'POST' })).status, 405);
    const page = await (await fetch(`${base}?deck=${live.deck.id}&before=5`)).json();
    assert.deepEqual(page.slides.map((s: any) => s.slide), [1, 2, 3, 4]);
    assert.equal(page.historyFrom, undefined);
  });
});

interface Frame {
  text: string;
}

/** A raw WebSocket that sends one frame and collects the frames that answer it. */
async function rawSocket(live: LiveServer) {
  const ws = new WebSocket(`ws://127.0.0.1:${live.server.port}/bayeux`);
  await within(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 'the socket to open');
  let inbox: Frame[] = [];
  ws.on('message', (data) => inbox.push({ text: String(data) }));
  const request = async (messages: object[], done: (messages: any[]) => boolean): Promise<Frame[]> => {
    inbox = [];
    ws.send(JSON.stringify(messages));
    await until(() => done(inbox.flatMap((f) => JSON.parse(f.text))), `answers to ${JSON.stringify(messages).slice(0, 80)}`, 10_000);
    return inbox;
  };
  return {
    request,
    async handshake(): Promise<string> {
      const frames = await request([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: 'h' }], (all) => all.some((m) => m.channel === '/meta/handshake'));
      const reply = frames.flatMap((f) => JSON.parse(f.text)).find((m: any) => m.channel === '/meta/handshake');
      assert.equal(reply.successful, true, JSON.stringify(reply));
      return reply.clientId;
    },
    close: () => ws.close(),
  };
}
