/**
 * The live path from a presenter's command to the phones, with the real Bayeux server, the real
 * live talk (live.json in a fresh folder) and the official CometD client over HTTP:
 * - a command runs after the protocol has accepted it, and what was applied is broadcast even if
 *   the presenter's session is removed while it is being applied (the talk's deck lookup is the
 *   one seam: it waits on a barrier the test opens);
 * - the publish reply carries the resulting state;
 * - the replay a subscriber gets is serialised once per state, however many subscribe.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBayeuxServer, type BayeuxServer } from '../../server/bayeux/index';
import { installSlideshow, type SlideshowBayeux } from '../../server/slideshow/bayeux-app';
import { PresenterAuth } from '../../server/slideshow/auth';
import { LiveTalk, type DeckLookup, type LiveDeck } from '../../server/slideshow/live-talk';
import { PublicChannels } from '../../server/slideshow/public-channels';
import { COMMAND_STATE_EXT, type ShownSlide, type SlideshowState } from '../../lib/slideshow/index';
import { connected, disconnectAll, newClient, publish, subscribe, until, within } from '../helpers/slideshow-clients';
import { RawBayeux } from '../helpers/raw-bayeux';
import { listenWithBayeux, type Listening } from '../helpers/bayeux-server';

const KEY = 'live-path-presenter-key-0123456789';
const TEST_MS = 60_000;

function slide(n: number): ShownSlide {
  return { slide: n, src: `/img/talk/s${n}.jpg`, images: [], width: 1600, height: 900, placeholder: 'data:,', alt: `Slide ${n}` };
}

const DECK: LiveDeck = { id: 'talk', title: 'Talk', slides: Array.from({ length: 40 }, (_, i) => ({ token: `t${i + 1}`, shown: slide(i + 1) })) };

/** A deck lookup that can be made to wait, so a test can act while a command is being applied. */
class GatedDecks implements DeckLookup {
  #gate: { reached: () => void; opened: Promise<void> } | undefined;

  /** The next load waits until `open` is called; resolves once that load has started. */
  closeGate(): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.#gate = { reached, opened: new Promise<void>((resolve) => (open = resolve)) };
    return { reached: reachedPromise, open };
  }

  async load(id: string): Promise<LiveDeck | undefined> {
    const gate = this.#gate;
    this.#gate = undefined;
    if (gate) {
      gate.reached();
      await gate.opened;
    }
    return id === DECK.id ? DECK : undefined;
  }
}

describe('the live path', () => {
  let bayeux: BayeuxServer;
  let slideshow: SlideshowBayeux;
  let talk: LiveTalk;
  let server: Listening;
  let endpoint: string;
  const decks = new GatedDecks();
  const auth = new PresenterAuth(KEY);

  before(async () => {
    bayeux = createBayeuxServer({ timeout: 2_000, maxSessionsPerBrowser: 100 });
    talk = await LiveTalk.open(path.join(await mkdtemp(path.join(tmpdir(), 'live-path-')), 'live.json'), decks);
    slideshow = installSlideshow(bayeux, talk, auth, PublicChannels.parse(undefined));
    server = await listenWithBayeux(bayeux);
    endpoint = `${server.url}/bayeux`;
  });

  after(async () => {
    await disconnectAll();
    slideshow.close();
    await server.close();
    await talk.close();
  });

  async function presenter() {
    const cometd = newClient(endpoint, 'websocket');
    const reply = await connected(cometd, { ext: { auth: { token: auth.issueBayeuxToken().token } } });
    return { cometd, clientId: String(reply.clientId) };
  }

  async function phone(): Promise<SlideshowState[]> {
    const cometd = newClient(endpoint, 'long-polling');
    const states: SlideshowState[] = [];
    await connected(cometd);
    await subscribe(cometd, '/slideshow/change', (message) => void states.push(message.data as SlideshowState));
    await until(() => states.length > 0, 'the replay');
    return states;
  }

  test('a command applied while its presenter\'s session is removed is still broadcast, and stored', { timeout: TEST_MS }, async () => {
    const states = await phone();
    const seqBefore = talk.state().seq;
    const { cometd, clientId } = await presenter();
    const gate = decks.closeGate();
    const sent = publish(cometd, '/slideshow/change', { deck: 'talk' });
    await within(gate.reached, 'the command to be applying');
    assert.equal(bayeux.disconnect(clientId), true, 'the presenter\'s session is removed mid-command');
    gate.open();
    await sent.catch(() => undefined);
    await until(() => states.some((state) => state.seq === seqBefore + 1), 'the applied change on the phone');
    const shown = states.at(-1)!;
    assert.ok(shown.live && shown.deck === 'talk' && shown.slide === 1, JSON.stringify(shown));
    assert.deepEqual(talk.state(), shown, 'the phone has exactly the talk that was stored');
  });

  test('the publish reply carries the resulting state, the same the phones get', { timeout: TEST_MS }, async () => {
    const states = await phone();
    const { cometd } = await presenter();
    const reply = await publish(cometd, '/slideshow/change', { slide: 7 });
    assert.equal(reply.successful, true);
    const state = (reply.ext as Record<string, unknown> | undefined)?.[COMMAND_STATE_EXT] as SlideshowState | undefined;
    assert.ok(state?.live && state.slide === 7, JSON.stringify(reply));
    await until(() => states.some((s) => s.seq === state.seq), 'the change on the phone');
    assert.deepEqual(states.find((s) => s.seq === state.seq), state);
    const refused = await publish(cometd, '/slideshow/change', { slide: 99 });
    assert.equal(refused.successful, false);
    assert.match(String(refused.error), /^400::slide 99 is past the end/);
    assert.equal((refused.ext as Record<string, unknown> | undefined)?.[COMMAND_STATE_EXT], undefined);
  });

  test('the replay is serialised once per state, however many phones subscribe', { timeout: TEST_MS }, async () => {
    const { cometd } = await presenter();
    for (const n of [3, 4, 5]) assert.equal((await publish(cometd, '/slideshow/change', { slide: n })).successful, true);
    const current = talk.state();
    await until(() => talk.state().seq === current.seq, 'the talk settled');
    const stringify = JSON.stringify;
    let replaysSerialised = 0;
    JSON.stringify = function counting(this: unknown, ...args: Parameters<typeof JSON.stringify>) {
      const value = args[0] as { channel?: unknown; data?: { history?: unknown } } | undefined;
      if (value?.channel === '/slideshow/change' && value.data?.history !== undefined) replaysSerialised++;
      return stringify.apply(JSON, args);
    } as typeof JSON.stringify;
    const bodies: string[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const raw = new RawBayeux(endpoint);
        await raw.handshake();
        await raw.subscribe('/slideshow/change');
        const { messages } = await raw.connect();
        const replay = messages.find((m) => m.channel === '/slideshow/change');
        assert.equal(replay?.data.seq, current.seq);
        bodies.push(stringify(replay));
        await raw.disconnect();
      }
    } finally {
      JSON.stringify = stringify;
    }
    assert.equal(replaysSerialised, 1, 'one serialisation for thirty subscribers');
    assert.equal(new Set(bodies).size, 1, 'every subscriber got the same replay');
    const replay = JSON.parse(bodies[0]!) as { data: SlideshowState };
    assert.ok(replay.data.live);
    assert.deepEqual(replay.data.history?.map((s) => s.slide), [1, 3, 4, 5, 7]);
  });
});
