'use client';
import { useCallback, useEffect } from 'react';
import { selectNextShown, selectPreviousShown, useSlideshowStore } from '@/lib/stores/slideshow-store';

// Moving through the slides shown so far: the same on the live slide and after the end.

export const goBack = () => {
  const store = useSlideshowStore.getState();
  const previous = selectPreviousShown(store);
  if (previous !== undefined) store.browsedTo(previous);
};
export const goForward = () => {
  const store = useSlideshowStore.getState();
  const next = selectNextShown(store);
  if (next !== undefined) store.browsedTo(next);
  // After the end, forward from the last slide shown is the end screen again.
  else if (store.state?.live === false && store.state.ended) store.returnedToLive();
};
export const returnToLive = () => useSlideshowStore.getState().returnedToLive();

/** A translucent round button; an invisible placeholder when there is nowhere to go. */
export function RoundButton({ label, onClick, children }: { label: string | undefined; onClick(): void; children: string }) {
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

export function useArrowKeys(): void {
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
