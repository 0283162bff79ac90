import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStateFeed } from '../../../lib/client/store-feed';
import type { SlideshowState } from '../../../lib/slideshow/index';
import { useSlideshowStore } from '../../../lib/stores/slideshow-store';
import { live, resetSlideshowStore } from './fixtures';

function feed(open = () => true) {
  const taken: SlideshowState[] = [];
  return { taken, feed: createStateFeed({ isOpen: open, onState: (state) => void taken.push(state) }) };
}
const seqOfStore = () => useSlideshowStore.getState().state?.seq;

/** The store holds the state numbered `stored`, and the states handed on were numbered `handed`, in order. */
function assertFed(taken: SlideshowState[], stored: number, handed: number[]): void {
  assert.equal(seqOfStore(), stored);
  assert.deepEqual(taken.map((s) => s.seq), handed);
}

describe('the one path of a state into the stores', () => {
  beforeEach(resetSlideshowStore);

  test('a newer state is taken by the slideshow store and handed to the presenter', () => {
    const { taken, feed: f } = feed();
    assert.equal(f.stateArrived(live(2, 5)), true);
    assertFed(taken, 5, [5]);
  });

  test('the broadcast of a state the command reply already brought is ignored (same seq)', () => {
    const { taken, feed: f } = feed();
    f.stateArrived(live(2, 5));
    f.changeReceived({ channel: '/slideshow/change', data: live(2, 5) });
    assert.deepEqual(taken.map((s) => s.seq), [5]);
  });

  test('a late broadcast never undoes a newer reply', () => {
    const { taken, feed: f } = feed();
    f.stateArrived(live(3, 7));
    assert.equal(f.stateArrived(live(2, 6)), false);
    assertFed(taken, 7, [7]);
  });

  test('the replay after a (re)subscription is taken whatever its seq (a restarted server)', () => {
    const { taken, feed: f } = feed();
    f.stateArrived(live(3, 40));
    f.subscribed();
    f.changeReceived({ channel: '/slideshow/change', data: live(1, 2) });
    assertFed(taken, 2, [40, 2]);
  });

  test('only the first message after subscribing counts as the replay', () => {
    const { feed: f } = feed();
    f.subscribed();
    f.changeReceived({ channel: '/slideshow/change', data: live(3, 9) });
    f.changeReceived({ channel: '/slideshow/change', data: live(2, 8) });
    assert.equal(seqOfStore(), 9);
  });

  test('garbage on the channel is dropped; nothing is fed once the connection is closed', () => {
    let open = true;
    const { taken, feed: f } = feed(() => open);
    f.changeReceived({ channel: '/slideshow/change', data: { seq: 'x' } });
    open = false;
    assert.equal(f.stateArrived(live(2, 5)), false);
    assert.equal(seqOfStore(), undefined);
    assert.deepEqual(taken, []);
  });
});
