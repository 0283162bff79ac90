/**
 * The replay's bounded history (lib/slideshow/history.ts): the most recent shown slides and
 * `historyFrom`; pages of older ones; folds that keep `historyFrom`; and the slideshow store
 * taking older pages (lib/stores/slideshow-store.ts).
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { boundedHistory, foldChanges, historyPage, shownSlideOf, type LiveState } from '../../../lib/slideshow/index';
import { useSlideshowStore } from '../../../lib/stores/slideshow-store';
import { live, resetSlideshowStore } from '../client/fixtures';

const shown = (n: number) => shownSlideOf(live(n, n));
const withHistory = (slide: number, seq: number, history: number[]): LiveState => ({ ...live(slide, seq), count: 300, history: history.map(shown) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('bounded history', () => {
  beforeEach(resetSlideshowStore);

  test('a replay keeps the most recent shown slides and says where they start', () => {
    const bounded = boundedHistory(withHistory(300, 300, range(1, 300)), 20) as LiveState;
    assert.deepEqual(bounded.history!.map((s) => s.slide), range(281, 300));
    assert.equal(bounded.historyFrom, 281);
    const short = withHistory(5, 5, range(1, 5));
    assert.equal(boundedHistory(short, 20), short, 'a short history is left alone');
  });

  test('a page holds the shown slides just below `before`, and whether more remain', () => {
    const history = [1, 2, 5, 9, 10, 11].map(shown);
    assert.deepEqual(historyPage('d', history, 11, 3), { deck: 'd', slides: [5, 9, 10].map(shown), historyFrom: 5 });
    assert.deepEqual(historyPage('d', history, 5, 3), { deck: 'd', slides: [1, 2].map(shown) });
  });

  test('a fold keeps historyFrom: the slow phone can still ask for what the replay left out', () => {
    const replay = boundedHistory(withHistory(300, 300, range(1, 300)), 20) as LiveState;
    const folded = foldChanges(replay, live(299, 301)) as LiveState;
    assert.equal(folded.historyFrom, 281);
    assert.equal((foldChanges(live(3, 3), live(4, 4)) as LiveState).historyFrom, undefined);
  });

  test('the store asks for nothing more once a page says none remain; a page for another deck is ignored', () => {
    const store = useSlideshowStore.getState();
    store.slideChanged(boundedHistory(withHistory(30, 30, range(1, 30)), 20), { replay: true });
    assert.equal(useSlideshowStore.getState().historyFrom, 11);
    store.earlierSlidesLoaded({ deck: 'other', slides: range(1, 10).map(shown) });
    assert.equal(useSlideshowStore.getState().history.length, 20);
    store.earlierSlidesLoaded({ deck: 'd', slides: range(1, 10).map(shown) });
    assert.deepEqual(useSlideshowStore.getState().history.map((s) => s.slide), range(1, 30));
    assert.equal(useSlideshowStore.getState().historyFrom, undefined);
    // A broadcast after it adds to the history and leaves it complete.
    store.slideChanged(live(31, 31));
    assert.equal(useSlideshowStore.getState().historyFrom, undefined);
  });
});
