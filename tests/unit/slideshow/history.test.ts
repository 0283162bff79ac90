import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { foldChanges, mergeHistory, shownSlideOf, type IdleState, type LiveState, type ShownSlide } from '../../../lib/slideshow/index';
import { useSlideshowStore } from '../../../lib/stores/slideshow-store';

function shown(slide: number): ShownSlide {
  return { slide, src: `/img/d/${slide}.jpg`, images: [], width: 1600, height: 900, placeholder: 'data:,', alt: `Slide ${slide} of 9` };
}

function live(slide: number, seq: number, extra: Partial<LiveState> = {}): LiveState {
  return { ...shown(slide), live: true, seq, at: seq, deck: 'd', title: 'Talk', count: 9, blackout: false, ...extra };
}

const idle: IdleState = { live: false, seq: 9, at: 9 };
const slidesOf = (history: readonly ShownSlide[] | undefined) => history?.map((s) => s.slide);

describe('foldChanges (a change a slow phone skipped, folded into the newer one)', () => {
  test('the skipped slide joins the newer state\'s history', () => {
    const folded = foldChanges(live(2, 5), live(3, 6));
    assert.equal(folded.live && folded.slide, 3);
    assert.equal(folded.seq, 6);
    assert.deepEqual(slidesOf(folded.live ? folded.history : undefined), [2]);
  });

  test('histories of both are kept, ascending, each slide once', () => {
    const replay = live(4, 5, { history: [shown(1), shown(2)] });
    const folded = foldChanges(replay, live(2, 6));
    assert.deepEqual(slidesOf(folded.live ? folded.history : undefined), [1, 2, 4]);
  });

  test('a different deck or a talk that ended starts over: the newer state alone', () => {
    const other = live(1, 6, { deck: 'e' });
    assert.equal(foldChanges(live(2, 5), other), other);
    assert.equal(foldChanges(live(2, 5), idle), idle);
    const afterIdle = live(1, 10);
    assert.equal(foldChanges(idle, afterIdle), afterIdle);
  });

  test('a phone given the folded state can swipe back to the slide it skipped', () => {
    const store = useSlideshowStore.getState();
    store.slideChanged(live(1, 1, { history: [] }), { replay: true });
    useSlideshowStore.getState().slideChanged(foldChanges(live(2, 2), live(3, 3)), { replay: true });
    assert.deepEqual(slidesOf(useSlideshowStore.getState().history), [1, 2, 3]);
  });
});

describe('mergeHistory and shownSlideOf', () => {
  test('merge keeps one copy per slide, the incoming one, ascending', () => {
    const newer = { ...shown(2), alt: 'new' };
    assert.deepEqual(mergeHistory([shown(3), shown(2)], [newer, shown(1)]).map((s) => [s.slide, s.alt]), [[1, 'Slide 1 of 9'], [2, 'new'], [3, 'Slide 3 of 9']]);
  });

  test('a live state\'s shown slide drops the talk fields and any history', () => {
    assert.deepEqual(shownSlideOf(live(2, 5, { history: [shown(1)], text: 'hi' })), { ...shown(2), text: 'hi' });
  });
});

describe('the slideshow store after End talk', () => {
  const fresh = () => useSlideshowStore.setState({ state: undefined, history: [], viewing: 'live', endedTalk: undefined, startSeq: undefined });

  test('an ended state keeps the talk\'s slides to browse, back and forward, never past the last shown', async () => {
    const { selectDisplayed, selectNextShown, selectPreviousShown } = await import('../../../lib/stores/slideshow-store');
    fresh();
    const store = () => useSlideshowStore.getState();
    store().slideChanged(live(1, 1, { history: [] }), { replay: true });
    for (const [slide, seq] of [[3, 2], [5, 3]] as const) store().slideChanged(live(slide, seq));
    store().slideChanged({ live: false, seq: 4, at: 4, ended: true });
    assert.deepEqual(slidesOf(store().history), [1, 3, 5]);
    assert.deepEqual(store().endedTalk, { title: 'Talk', count: 9 });
    assert.equal(selectDisplayed(store()), undefined, 'the end screen first');
    assert.equal(selectPreviousShown(store()), 5, 'back from the end screen is the last slide shown');
    store().browsedTo(5);
    assert.equal(selectDisplayed(store())?.slide, 5);
    assert.equal(selectNextShown(store()), undefined, 'nothing after the last slide shown');
    store().browsedTo(3);
    assert.equal(selectNextShown(store()), 5);
    store().browsedTo(4);
    assert.equal(selectDisplayed(store())?.slide, 3, 'a slide never shown cannot be browsed to');
    store().slideChanged({ live: false, seq: 5, at: 5, ended: true, title: 'Next talk' });
    assert.equal(selectDisplayed(store())?.slide, 3, 'a new title for the next talk leaves the reader where they were');
    assert.deepEqual(slidesOf(store().history), [1, 3, 5]);
  });

  test('an idle state without `ended` still starts over, and a new deck starts its own history (announced as a start)', () => {
    fresh();
    const store = () => useSlideshowStore.getState();
    store().slideChanged(idle);
    store().slideChanged(live(2, 10));
    assert.equal(store().startSeq, 10, 'the talk started while this page waited');
    store().slideChanged(live(3, 11));
    assert.equal(store().startSeq, 10);
    store().slideChanged({ live: false, seq: 12, at: 12 });
    assert.deepEqual(store().history, []);
    store().slideChanged(live(1, 13, { deck: 'e' }));
    assert.deepEqual(slidesOf(store().history), [1]);
  });
});
