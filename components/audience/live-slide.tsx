'use client';
import { clsx } from 'clsx';
import { useRef } from 'react';
import { ConnectionIndicator } from '@/components/connection/connection-indicator';
import { SlidePicture } from '@/components/slides/slide-picture';
import { selectDisplayed, selectNextShown, selectPreviousShown, useSlideshowStore } from '@/lib/stores/slideshow-store';
import { RoundButton, goBack, goForward, returnToLive, useArrowKeys } from './slide-nav';
import { FullscreenButton } from './fullscreen-button';
import { RotateHint } from './rotate-hint';
import type { ScreenOn } from './use-screen-on';
import { useSwipe } from './use-swipe';
import { useZoom } from './use-zoom';
import { useSealedSlide } from './use-sealed-slide';
import { prefetchAhead } from '@/lib/client/sealed-ahead';

/**
 * The live slide, full screen and letterboxed. Swipe or arrow keys go back through the slides
 * already shown (never ahead of the presenter); "Live" comes back. Double-tap or pinch zooms into
 * the slide (then one finger pans, and the largest variant loads); each slide starts unzoomed.
 */
export function LiveSlide({ screenOn = 'off' }: { screenOn?: ScreenOn }) {
  const state = useSlideshowStore((s) => s.state);
  const displayed = useSlideshowStore(selectDisplayed);
  const viewing = useSlideshowStore((s) => s.viewing);
  const previous = useSlideshowStore(selectPreviousShown);
  const next = useSlideshowStore(selectNextShown);
  const ref = useRef<HTMLDivElement>(null);
  const zoomTarget = useRef<HTMLDivElement>(null);
  const { zoomed, zoomedNow } = useZoom(ref, zoomTarget, `${displayed?.slide}:${state?.live && state.blackout}`, displayed ? displayed.width / displayed.height : undefined);
  useSwipe(ref, { onSwipeLeft: goForward, onSwipeRight: goBack, zoomed: zoomedNow });
  useArrowKeys();
  const opened = useSealedSlide(state, viewing === 'live' && !(state?.live && state.blackout));
  if (!state?.live || !displayed) return null;

  const browsing = viewing !== 'live';
  // Painted: now fetch the next slide ahead, sealed (it opens only with the key of the state that shows it).
  const fetchAhead = () => {
    const live = useSlideshowStore.getState().state;
    if (live?.live) prefetchAhead(live);
  };
  const blackedOut = state.blackout && !browsing;

  return (
    <div ref={ref} className="fixed inset-0 touch-pan-x touch-pan-y select-none overflow-hidden bg-black text-white">
      <h1 className="sr-only">{state.title}</h1>
      <div ref={zoomTarget} data-zoomed={zoomed || undefined} className="size-full origin-top-left">
        {blackedOut ? <PausedNotice /> : <SlidePicture key={`${displayed.slide}:${displayed.src}`} slide={displayed} priority zoomed={zoomed} opened={browsing || zoomed ? undefined : opened} onLoad={fetchAhead} />}
      </div>

      <div className="pointer-events-none absolute inset-x-0 top-0 flex items-start justify-between gap-3 p-3 pt-[max(0.75rem,env(safe-area-inset-top))] pr-[max(0.75rem,env(safe-area-inset-right))]">
        <ScreenOnBadge status={screenOn} />
        <div className="flex items-center gap-2">
          <FullscreenButton />
          <ConnectionIndicator className="pointer-events-auto" />
        </div>
      </div>
      <RotateHint landscapeSlide={displayed.width > displayed.height} />

      <nav
        aria-label="Slides shown so far"
        className="absolute inset-x-0 bottom-0 flex items-end justify-between gap-3 p-3 pb-[max(0.75rem,env(safe-area-inset-bottom))]"
      >
        <RoundButton label={previous === undefined ? undefined : `Back to slide ${previous}`} onClick={goBack}>
          ‹
        </RoundButton>
        {browsing ? (
          <button
            type="button"
            onClick={returnToLive}
            className="flex min-h-12 items-center gap-2 rounded-full bg-red-600 px-5 text-base font-bold text-white shadow-lg shadow-black/50 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-red-500"
          >
            <span aria-hidden className="size-2.5 animate-pulse rounded-full bg-white" />
            Live: slide {state.slide}
          </button>
        ) : (
          <span
            aria-hidden
            className={clsx('hidden self-center rounded-full bg-white/10 px-3 py-1 text-sm font-semibold tabular-nums text-white/70', !blackedOut && 'portrait:block')}
          >
            {state.slide} / {state.count}
          </span>
        )}
        <RoundButton label={next === undefined ? undefined : next === state.slide ? `Forward to the live slide ${next}` : `Forward to slide ${next}`} onClick={goForward}>
          ›
        </RoundButton>
      </nav>
    </div>
  );
}

/** Whether the phone keeps its screen on for the talk; before the first touch, how to make it. */
function ScreenOnBadge({ status }: { status: ScreenOn }) {
  if (status === 'off') return <span />;
  return (
    <p data-screen-on={status} className="rounded-full bg-black/60 px-3 py-1.5 text-sm font-medium text-slate-100 backdrop-blur">
      <span aria-hidden className="mr-1.5">{status === 'on' ? '☀' : '☝'}</span>
      {status === 'on' ? 'Screen stays on' : 'Tap to keep the screen on'}
    </p>
  );
}

/** A blackout on a phone: a calm word that nothing is wrong (the room display stays pure black). */
function PausedNotice() {
  return (
    <div className="flex size-full flex-col items-center justify-center gap-3 bg-slate-950 px-8 text-center">
      <span aria-hidden className="text-4xl text-slate-500">❚❚</span>
      <p className="text-balance text-xl font-semibold text-slate-100">The presenter paused the slides</p>
      <p className="text-pretty text-base text-slate-300">The slides come back as soon as the presenter carries on.</p>
    </div>
  );
}
