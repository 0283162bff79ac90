'use client';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

const MAX_SCALE = 4;
const DOUBLE_TAP_SCALE = 2.5;
const DOUBLE_TAP_MS = 300;
const TAP_SLOP_PX = 12;

interface View {
  s: number;
  x: number;
  y: number;
}
type Point = { x: number; y: number };

/**
 * Double-tap and pinch zoom into the slide, and one-finger panning while zoomed, on `surface`;
 * the transform goes straight onto `target` (no re-render per move). Our own gestures rather than
 * the browser's: its pinch zoom neither tells the image to load a larger variant nor lets a swipe
 * tell a pan from a "go back". `zoomed` changes only when crossing 1×, so the slide can ask for
 * its largest variant; `zoomedNow()` is for the swipe handler. Resets when `resetKey` changes.
 * `aspect` (the slide's width / height) keeps panning on the slide, never into its letterbox.
 */
export function useZoom(surface: RefObject<HTMLElement | null>, target: RefObject<HTMLElement | null>, resetKey: unknown, aspect = 16 / 9) {
  const [zoomed, setZoomed] = useState(false);
  const view = useRef<View>({ s: 1, x: 0, y: 0 });
  const zoomedNow = useCallback(() => view.current.s > 1, []);

  useEffect(() => {
    const element = surface.current;
    if (!element) return;
    const apply = (next: View) => {
      const { clientWidth: w, clientHeight: h } = element;
      const s = Math.min(Math.max(next.s, 1), MAX_SCALE);
      // The slide as object-contain draws it: width sw at sx, height sh at sy.
      const sw = Math.min(w, h * aspect);
      const sh = sw / aspect;
      view.current = { s, x: fit(next.x, s, (w - sw) / 2, sw, w), y: fit(next.y, s, (h - sh) / 2, sh, h) };
      if (target.current) target.current.style.transform = s === 1 ? '' : `translate(${view.current.x}px, ${view.current.y}px) scale(${s})`;
      setZoomed(s > 1);
    };
    /** Scale to `s` keeping the content under screen point `from` (as it was in `base`) under `to`. */
    const zoomAround = (base: View, s: number, from: Point, to: Point) =>
      apply({ s, x: to.x - (s * (from.x - base.x)) / base.s, y: to.y - (s * (from.y - base.y)) / base.s });

    const { onStart, onMove, onEnd } = touchHandlers(view, apply, zoomAround);
    element.addEventListener('touchstart', onStart, { passive: true });
    element.addEventListener('touchmove', onMove, { passive: true });
    element.addEventListener('touchend', onEnd, { passive: true });
    element.addEventListener('touchcancel', onEnd, { passive: true });
    return () => {
      element.removeEventListener('touchstart', onStart);
      element.removeEventListener('touchmove', onMove);
      element.removeEventListener('touchend', onEnd);
      element.removeEventListener('touchcancel', onEnd);
      view.current = { s: 1, x: 0, y: 0 };
      if (target.current) target.current.style.transform = '';
      setZoomed(false);
    };
  }, [surface, target, resetKey, aspect]);

  return { zoomed, zoomedNow };
}

type Apply = (next: View) => void;
type ZoomAround = (base: View, s: number, from: Point, to: Point) => void;

/** Touch handlers: two fingers pinch, one pans while zoomed, a double tap zooms in or back out. */
function touchHandlers(view: { current: View }, apply: Apply, zoomAround: ZoomAround) {
  let gesture: { base: View; start: Point; distance: number; t: number; moved: boolean } | undefined;
  let lastTap: (Point & { t: number }) | undefined;
  const onStart = (event: TouchEvent) => {
    if ((event.target as Element).closest('button, a')) return;
    const [a, b] = points(event.touches);
    if (!a) return;
    gesture = { base: { ...view.current }, start: b ? middle(a, b) : a, distance: b ? distance(a, b) : 0, t: event.timeStamp, moved: !!b };
  };
  const onMove = (event: TouchEvent) => {
    const [a, b] = points(event.touches);
    if (!gesture || !a) return;
    if (b && !gesture.distance) gesture = { ...gesture, base: { ...view.current }, start: middle(a, b), distance: distance(a, b), moved: true };
    if (b) return zoomAround(gesture.base, (gesture.base.s * distance(a, b)) / gesture.distance, gesture.start, middle(a, b));
    if (Math.hypot(a.x - gesture.start.x, a.y - gesture.start.y) > TAP_SLOP_PX) gesture.moved = true;
    if (gesture.base.s > 1 && !gesture.distance) apply({ s: gesture.base.s, x: gesture.base.x + a.x - gesture.start.x, y: gesture.base.y + a.y - gesture.start.y });
  };
  const onEnd = (event: TouchEvent) => {
    if (!gesture || event.touches.length > 0) return;
    const tap = !gesture.moved && event.timeStamp - gesture.t < DOUBLE_TAP_MS ? { ...gesture.start, t: event.timeStamp } : undefined;
    gesture = undefined;
    if (view.current.s < 1.05) apply({ s: 1, x: 0, y: 0 });
    if (!tap) return void (lastTap = undefined);
    const double = lastTap && tap.t - lastTap.t < DOUBLE_TAP_MS && Math.hypot(tap.x - lastTap.x, tap.y - lastTap.y) < 3 * TAP_SLOP_PX;
    lastTap = double ? undefined : tap;
    if (double) (view.current.s > 1 ? apply({ s: 1, x: 0, y: 0 }) : zoomAround(view.current, DOUBLE_TAP_SCALE, tap, tap));
  };
  return { onStart, onMove, onEnd };
}

function points(touches: TouchList): Point[] {
  return Array.from(touches, (touch) => ({ x: touch.clientX, y: touch.clientY }));
}
const middle = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const distance = (a: Point, b: Point) => Math.max(1, Math.hypot(a.x - b.x, a.y - b.y));

/**
 * The translation along one axis that keeps the slide (at `start`, `size` long, in a `room` long
 * box) covering the box where it is larger than it once scaled by `s`, and centred where it is not.
 */
function fit(t: number, s: number, start: number, size: number, room: number): number {
  if (s * size <= room) return (room - s * size) / 2 - s * start;
  return Math.min(Math.max(t, room - s * (start + size)), -s * start);
}
