'use client';
import { useSyncExternalStore } from 'react';

function subscribeFullscreen(onChange: () => void): () => void {
  document.addEventListener('fullscreenchange', onChange);
  return () => document.removeEventListener('fullscreenchange', onChange);
}
const isFullscreen = () => document.fullscreenElement !== null;
const canFullscreen = () => document.fullscreenEnabled === true;

/** Landscape lock is not in every lib.dom yet, and most desktop browsers refuse it: try, never fail. */
async function lockLandscape(): Promise<void> {
  const orientation = screen.orientation as ScreenOrientation & { lock?: (o: string) => Promise<void> };
  await orientation.lock?.('landscape').catch(() => undefined);
}

/**
 * Full screen, turned to landscape where the browser allows it (Android Chrome locks the
 * orientation only in full screen). Hidden where there is no full screen (iPhone Safari).
 */
export function FullscreenButton() {
  const available = useSyncExternalStore(() => () => undefined, canFullscreen, () => false);
  const active = useSyncExternalStore(subscribeFullscreen, isFullscreen, () => false);
  if (!available) return null;
  const toggle = () => {
    if (active) void document.exitFullscreen().catch(() => undefined);
    else void document.documentElement.requestFullscreen({ navigationUI: 'hide' }).then(lockLandscape, () => undefined);
  };
  const label = active ? 'Exit full screen' : 'Full screen';
  return (
    <button
      type="button"
      onClick={toggle}
      aria-label={label}
      title={label}
      className="pointer-events-auto flex size-9 items-center justify-center rounded-full bg-black/60 text-lg text-slate-100 backdrop-blur focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-white/20"
    >
      <span aria-hidden>{active ? '⤡' : '⤢'}</span>
    </button>
  );
}
