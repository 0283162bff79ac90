'use client';
import { clsx } from 'clsx';
import { useCallback, useEffect, useRef } from 'react';
import { ConnectionIndicator } from '@/components/connection/connection-indicator';
import { SlidePicture } from '@/components/slides/slide-picture';
import { selectDisplayed, selectNextShown, selectPreviousShown, useSlideshowStore } from '@/lib/stores/slideshow-store';
import { useSwipe } from './use-swipe';

const goBack = () => {
  const store = useSlideshowStore.getState();
  const previous = selectPreviousShown(store);
  if (previous !== undefined) store.browsedTo(previous);
};
const goForward = () => {
  const store = useSlideshowStore.getState();
  const next = selectNextShown(store);
  if (next !== undefined) store.browsedTo(next);
};
const returnToLive = () => useSlideshowStore.getState().returnedToLive();

/**
 * The live slide, full screen and letterboxed. Swipe or arrow keys go back through the slides
 * already shown (never ahead of the presenter); "Live" comes back.
 */
export function LiveSlide() {
  const state = useSlideshowStore((s) => s.state);
  const displayed = useSlideshowStore(selectDisplayed);
  const viewing = useSlideshowStore((s) => s.viewing);
  const previous = useSlideshowStore(selectPreviousShown);
  const next = useSlideshowStore(selectNextShown);
  const ref = useRef<HTMLElement>(null);
  useSwipe(ref, { onSwipeLeft: goForward, onSwipeRight: goBack });
  useArrowKeys();
  if (!state?.live || !displayed) return null;

  const browsing = viewing !== 'live';
  const blackedOut = state.blackout && !browsing;
  const announcement = blackedOut
    ? 'The presenter has blanked the screen.'
    : `${browsing ? 'Earlier slide: ' : ''}Slide ${displayed.slide} of ${state.count}.${displayed.text ? ` ${displayed.text}` : ''}`;

  return (
    <main ref={ref} className="fixed inset-0 select-none overflow-hidden bg-black text-white">
      <h1 className="sr-only">{state.title}</h1>
      {blackedOut ? (
        <div className="size-full bg-black" />
      ) : (
        <SlidePicture key={`${displayed.slide}:${displayed.src}`} slide={displayed} priority />
      )}
      <p aria-live="polite" aria-atomic className="sr-only">
        {announcement}
      </p>

      <div className="pointer-events-none absolute inset-x-0 top-0 flex justify-end p-3 pt-[max(0.75rem,env(safe-area-inset-top))] pr-[max(0.75rem,env(safe-area-inset-right))]">
        <ConnectionIndicator className="pointer-events-auto" />
      </div>

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
    </main>
  );
}

/** A translucent round button; an invisible placeholder when there is nowhere to go. */
function RoundButton({ label, onClick, children }: { label: string | undefined; onClick(): void; children: string }) {
  if (label === undefined) return <span aria-hidden className="size-12" />;
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      className="flex size-12 items-center justify-center rounded-full bg-black/50 pb-1 text-3xl leading-none text-white/80 backdrop-blur transition-colors hover:bg-black/70 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-white/20"
    >
      {children}
    </button>
  );
}

function useArrowKeys(): void {
  const onKey = useCallback((event: KeyboardEvent) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    if (event.key === 'ArrowLeft' || event.key === 'PageUp') goBack();
    else if (event.key === 'ArrowRight' || event.key === 'PageDown') goForward();
    else if (event.key === 'End' || event.key === 'Escape') returnToLive();
    else return;
    event.preventDefault();
  }, []);
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);
}
