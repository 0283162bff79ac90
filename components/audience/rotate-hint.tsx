'use client';
import { useEffect, useState, useSyncExternalStore } from 'react';

const SEEN_KEY = 'cometdeck:rotate-hint-seen';
const PORTRAIT = '(orientation: portrait)';

function subscribePortrait(onChange: () => void): () => void {
  const query = window.matchMedia(PORTRAIT);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
const isPortrait = () => window.matchMedia(PORTRAIT).matches;

/** Has this browser been shown the hint before? Storage may be off (private mode): then ask once per page. */
function seenBefore(): boolean {
  try {
    return window.localStorage.getItem(SEEN_KEY) === '1';
  } catch {
    return false;
  }
}
function rememberSeen(): void {
  try {
    window.localStorage.setItem(SEEN_KEY, '1');
  } catch {
    // Nothing to do: the hint just comes back on the next visit.
  }
}

/**
 * A landscape slide on a portrait phone is small: say once (per browser) that turning the phone
 * makes it bigger. Turning the phone, or "Got it", puts it away for good.
 */
export function RotateHint({ landscapeSlide }: { landscapeSlide: boolean }) {
  const portrait = useSyncExternalStore(subscribePortrait, isPortrait, () => false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (landscapeSlide && portrait && !seenBefore()) setOpen(true);
    if (open && !portrait) {
      rememberSeen();
      setOpen(false);
    }
  }, [landscapeSlide, portrait, open]);
  if (!open) return null;
  const dismiss = () => {
    rememberSeen();
    setOpen(false);
  };
  return (
    <div role="note" aria-label="Tip" className="absolute inset-x-3 top-16 mx-auto flex max-w-sm items-center gap-3 rounded-2xl bg-slate-900/95 p-3 pl-4 text-slate-100 shadow-lg shadow-black/50 backdrop-blur">
      <span aria-hidden className="text-2xl">⟳</span>
      <p className="flex-1 text-base">Turn your phone sideways to see the slides bigger.</p>
      <button
        type="button"
        onClick={dismiss}
        className="min-h-11 rounded-full bg-sky-500 px-4 text-base font-bold text-slate-950 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white active:bg-sky-400"
      >
        Got it
      </button>
    </div>
  );
}
