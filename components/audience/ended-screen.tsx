'use client';
import { useRef } from 'react';
import { ConnectionIndicator } from '@/components/connection/connection-indicator';
import { SlidePicture } from '@/components/slides/slide-picture';
import { selectDisplayed, selectNextShown, selectPreviousShown, useSlideshowStore } from '@/lib/stores/slideshow-store';
import { RoundButton, goBack, goForward, returnToLive, useArrowKeys } from './slide-nav';
import { useSwipe } from './use-swipe';
import { useZoom } from './use-zoom';

/**
 * After End talk: the end screen, and the slides this phone was shown, to look back through
 * (swipe, arrow keys or the buttons; double-tap or pinch to zoom, as on the live slide). The server
 * keeps serving them until the next talk starts.
 */
export function EndedScreen() {
  const displayed = useSlideshowStore(selectDisplayed);
  const ref = useRef<HTMLDivElement>(null);
  const zoomTarget = useRef<HTMLDivElement>(null);
  const { zoomed, zoomedNow } = useZoom(ref, zoomTarget, displayed?.slide, displayed ? displayed.width / displayed.height : undefined);
  useSwipe(ref, { onSwipeLeft: goForward, onSwipeRight: goBack, zoomed: zoomedNow });
  useArrowKeys();
  return (
    <div ref={ref} className="fixed inset-0 select-none overflow-hidden bg-slate-950 text-white">
      {displayed ? (
        <div ref={zoomTarget} data-zoomed={zoomed || undefined} className="size-full origin-top-left touch-none">
          <SlidePicture key={`${displayed.slide}:${displayed.src}`} slide={displayed} priority zoomed={zoomed} />
        </div>
      ) : (
        <EndCard />
      )}
      {displayed && <h1 className="sr-only">The talk has ended</h1>}
      {displayed && <BrowseNav />}
    </div>
  );
}

/** "The talk has ended", the talk's title, the way back into its slides, and the handout if offered. */
function EndCard() {
  const talk = useSlideshowStore((s) => s.endedTalk);
  const shown = useSlideshowStore((s) => s.history.length);
  const next = useSlideshowStore((s) => (s.state && !s.state.live ? s.state.title : undefined));
  const handout = useSlideshowStore((s) => s.state?.live === false && s.state.handout === true);
  return (
    <div className="flex size-full flex-col items-center justify-center gap-6 px-6 py-12 text-center">
      <p className="text-sm font-semibold uppercase tracking-[0.2em] text-sky-400">Comet Deck</p>
      <h1 className="max-w-3xl text-balance text-3xl font-bold leading-tight sm:text-5xl">The talk has ended</h1>
      {talk && <p className="max-w-md text-balance text-lg font-semibold text-slate-100">{talk.title}</p>}
      <p className="max-w-md text-pretty text-lg text-slate-300">
        {shown > 0 ? 'Thank you for following along. The slides you were shown are still here to look back through.' : 'Thank you for following along.'}
      </p>
      {shown > 0 && (
        <button
          type="button"
          onClick={goBack}
          className="min-h-12 rounded-full bg-sky-500 px-6 text-base font-bold text-slate-950 shadow-lg shadow-black/40 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-sky-400"
        >
          Look back through the {shown === 1 ? 'slide' : `${shown} slides`}
        </button>
      )}
      {handout && (
        <a
          href="/api/handout.pdf"
          download
          className="min-h-12 content-center rounded-full border border-slate-500 px-6 text-base font-bold text-white focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-slate-800"
        >
          Download the slides (PDF)
        </a>
      )}
      {next && <p className="max-w-md text-pretty text-base text-slate-300">Next: {next}</p>}
      <ConnectionIndicator alwaysLabel />
    </div>
  );
}

/** Back, forward, and the way back to the end screen, over a slide of the ended talk. */
function BrowseNav() {
  const previous = useSlideshowStore(selectPreviousShown);
  const next = useSlideshowStore(selectNextShown);
  return (
    <nav aria-label="Slides shown in the talk" className="absolute inset-x-0 bottom-0 flex items-end justify-between gap-3 p-3 pb-[max(0.75rem,env(safe-area-inset-bottom))]">
      <RoundButton label={previous === undefined ? undefined : `Back to slide ${previous}`} onClick={goBack}>
        ‹
      </RoundButton>
      <button
        type="button"
        onClick={returnToLive}
        className="min-h-12 rounded-full bg-slate-800/90 px-5 text-base font-bold text-white shadow-lg shadow-black/50 backdrop-blur focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-slate-700"
      >
        The talk has ended
      </button>
      <RoundButton label={next === undefined ? undefined : `Forward to slide ${next}`} onClick={goForward}>
        ›
      </RoundButton>
    </nav>
  );
}
