'use client';
import { useEffect, useState } from 'react';

/** Whether the phone's screen is being kept on: `waiting` until the first touch allows it. */
export type ScreenOn = 'off' | 'waiting' | 'on';

/** A way to keep the screen on: the Screen Wake Lock itself, or nosleep.js (loaded only where it is missing). */
interface ScreenLock {
  enable(): Promise<unknown>;
  disable(): void;
  readonly isEnabled: boolean;
}

const GESTURES = ['pointerdown', 'touchend', 'keydown', 'click'] as const;

/**
 * Keeps the screen on while `active` (a talk is live): the Screen Wake Lock where the page has it
 * (a secure context: https or localhost), otherwise nosleep.js's tiny looping muted video (a
 * plain-http LAN address has no `navigator.wakeLock`), so phones with the API never download it.
 * A video may only start from a user gesture, so a refused start waits for the first touch or key.
 * The lock is released when the talk stops being live, and taken again when the page becomes
 * visible (the browser drops a wake lock when the page is hidden, and may pause the video).
 */
export function useScreenOn(active: boolean): ScreenOn {
  const [status, setStatus] = useState<ScreenOn>('off');
  useEffect(() => {
    if (!active) return;
    let closed = false;
    let noSleep: ScreenLock | undefined;
    // `again`: the page came back into view, where a browser may have paused the video.
    const start = (again = false) => {
      if (closed || !noSleep || (noSleep.isEnabled && !again)) return;
      noSleep.enable().then(
        () => void (closed || setStatus('on')),
        () => void (closed || setStatus('waiting')),
      );
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') start(true);
    };
    void loadScreenLock().then((made) => {
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

function loadScreenLock(): Promise<ScreenLock> {
  return 'wakeLock' in navigator ? Promise.resolve(new WakeLockScreenLock(navigator.wakeLock)) : loadNoSleep();
}

/** The Screen Wake Lock: one sentinel at a time; the browser releases it when the page is hidden. */
class WakeLockScreenLock implements ScreenLock {
  private sentinel: WakeLockSentinel | undefined;
  private pending: Promise<void> | undefined;
  private wanted = false;

  constructor(private readonly wakeLock: WakeLock) {}

  get isEnabled(): boolean {
    return this.sentinel !== undefined && !this.sentinel.released;
  }

  enable(): Promise<void> {
    this.wanted = true;
    if (this.isEnabled) return Promise.resolve();
    // A touch and the page coming into view at once ask once: a second sentinel would never be released.
    this.pending ??= this.request().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async request(): Promise<void> {
    const sentinel = await this.wakeLock.request('screen');
    // Let go at once of a lock granted after the talk stopped being live.
    if (!this.wanted) return void sentinel.release();
    this.sentinel = sentinel;
  }

  disable(): void {
    this.wanted = false;
    void this.sentinel?.release();
    this.sentinel = undefined;
  }
}

async function loadNoSleep(): Promise<ScreenLock> {
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
