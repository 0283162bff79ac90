import type { LiveState } from '../../../lib/slideshow/index';
import { useSlideshowStore } from '../../../lib/stores/slideshow-store';

export function live(slide: number, seq: number): LiveState {
  return { live: true, seq, at: seq, deck: 'd', title: 'Talk', count: 9, blackout: false, slide, src: `/img/d/${slide}.jpg`, images: [], width: 1600, height: 900, placeholder: 'data:,', alt: `Slide ${slide} of 9` };
}

/** The slideshow store as a fresh page has it. */
export function resetSlideshowStore(): void {
  useSlideshowStore.setState({ state: undefined, history: [], historyFrom: undefined, viewing: 'live' });
}
