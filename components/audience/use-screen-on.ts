'use client';
import { useEffect, useState } from 'react';

/** Whether the phone's screen is being kept on: `waiting` until the first touch allows it. */
export type ScreenOn = 'off' | 'waiting' | 'on';

/** What we use of nosleep.js (loaded only once a talk is live: it is not on the waiting screen's path). */
interface NoSleepLike {
  enable(): Promise<unknown>;
  disable(): void;
  readonly isEnabled: boolean;
}

const GESTURES = ['pointerdown', 'touchend', 'keydown', 'click'] as const;

/**
 * Keeps the screen on while `active` (a talk is live), through nosleep.js: the Screen Wake Lock
 * where the page has it (a secure context: https or localhost), otherwise a tiny looping muted
 * video (a plain-http LAN address has no `navigator.wakeLock`). A video may only start from a
 * user gesture, so a refused start waits for the first touch or key. The lock is released when the
 * talk stops being live, and taken again when the page becomes visible (the browser drops it when
 * the page is hidden; nosleep.js re-requests a native lock itself, the video is started here).
 */
export function useScreenOn(active: boolean): ScreenOn {
  const [status, setStatus] = useState<ScreenOn>('off');
  useEffect(() => {
    if (!active) return;
    let closed = false;
    let noSleep: NoSleepLike | undefined;
    // `again`: the page came back into view, where a browser may have paused the video.
    const start = (again = false) => {
      if (closed || !noSleep || (noSleep.isEnabled && !again)) return;
      noSleep.enable().then(
        () => void (closed || setStatus('on')),
        () => void (closed || setStatus('waiting')),
      );
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible' && !('wakeLock' in navigator)) start(true);
    };
    void loadNoSleep().then((made) => {
      if (closed) return;
      noSleep = made;
      start();
    });
    const onGesture = () => start();
    for (const gesture of GESTURES) window.addEventListener(gesture, onGesture, { capture: true, passive: true });
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      closed = true;
      for (const gesture of GESTURES) window.removeEventListener(gesture, onGesture, { capture: true });
      document.removeEventListener('visibilitychange', onVisible);
      noSleep?.disable();
      setStatus('off');
    };
  }, [active]);
  return status;
}

async function loadNoSleep(): Promise<NoSleepLike> {
  const { default: NoSleep } = await import('nosleep.js');
  const noSleep = new NoSleep();
  // nosleep.js 0.12 leaves its video unmuted; muted (and inline) is what lets a phone play it
  // without sound and, where the browser allows muted autoplay, without waiting for a touch. It
  // loops only a video of 1 s or less, and Chromium reads its WebM as 1.048 s: loop it anyway (its
  // own rewinding on `timeupdate` does no harm).
  const video = (noSleep as unknown as { noSleepVideo?: HTMLVideoElement }).noSleepVideo;
  if (video) {
    video.muted = true;
    video.loop = true;
  }
  return noSleep;
}
