'use client';
import { useEffect, type RefObject } from 'react';

const MIN_DISTANCE_PX = 50;
const MAX_DURATION_MS = 800;

/**
 * Horizontal one-finger swipes on `ref`. Passive listeners; while the page or the slide is zoomed
 * in (`zoomed`), a swipe pans instead and is ignored here. While mounted,
 * the page's horizontal overscroll is turned off: otherwise Chrome takes a swipe to the right as
 * "back" (overscroll history navigation) and the phone leaves the talk.
 */
export function useSwipe(ref: RefObject<HTMLElement | null>, handlers: { onSwipeLeft(): void; onSwipeRight(): void; zoomed?(): boolean }): void {
  const { onSwipeLeft, onSwipeRight, zoomed: zoomedIn } = handlers;
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const root = document.documentElement;
    const overscroll = root.style.overscrollBehaviorX;
    root.style.overscrollBehaviorX = 'none';
    let start: { x: number; y: number; t: number } | undefined;
    // Zoomed in (the page by the browser, or the slide by useZoom), one finger pans.
    const zoomed = () => (window.visualViewport?.scale ?? 1) > 1.05 || zoomedIn?.() === true;
    const onStart = (event: TouchEvent) => {
      const touch = event.touches[0];
      start = event.touches.length === 1 && touch && !zoomed() ? { x: touch.clientX, y: touch.clientY, t: event.timeStamp } : undefined;
    };
    const onMove = (event: TouchEvent) => {
      if (event.touches.length > 1) start = undefined;
    };
    const onEnd = (event: TouchEvent) => {
      const touch = event.changedTouches[0];
      if (!start || !touch) return;
      const dx = touch.clientX - start.x;
      const dy = touch.clientY - start.y;
      const quick = event.timeStamp - start.t <= MAX_DURATION_MS;
      start = undefined;
      if (!quick || Math.abs(dx) < MIN_DISTANCE_PX || Math.abs(dx) < 1.5 * Math.abs(dy)) return;
      if (dx < 0) onSwipeLeft();
      else onSwipeRight();
    };
    const onCancel = () => {
      start = undefined;
    };
    element.addEventListener('touchstart', onStart, { passive: true });
    element.addEventListener('touchmove', onMove, { passive: true });
    element.addEventListener('touchend', onEnd, { passive: true });
    element.addEventListener('touchcancel', onCancel, { passive: true });
    return () => {
      root.style.overscrollBehaviorX = overscroll;
      element.removeEventListener('touchstart', onStart);
      element.removeEventListener('touchmove', onMove);
      element.removeEventListener('touchend', onEnd);
      element.removeEventListener('touchcancel', onCancel);
    };
  }, [ref, onSwipeLeft, onSwipeRight, zoomedIn]);
}
