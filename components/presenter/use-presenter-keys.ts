'use client';
import { useEffect, useEffectEvent, useState } from 'react';

export interface PresenterKeyActions {
  next(): void;
  previous(): void;
  first(): void;
  last(): void;
  goTo(slide: number): void;
  toggleBlackout(): void;
  /** G or O: the grid of every slide (it closes itself on Esc: keys inside a dialog are not ours). */
  overview?(): void;
}

/** The overview's keys, kept apart from the slide keys above. */
const OVERVIEW_KEYS = new Set(['g', 'G', 'o', 'O']);

const DIGITS_TIMEOUT_MS = 4_000;

/** Typing into a field, or in a dialog: keys are not ours. */
function ownedByElement(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('dialog')) return true;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** A keyboard-focused button or link keeps Enter and Space; after a click, they are ours again. */
function activatesControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.matches('button, a[href], summary, [role="button"]') && target.matches(':focus-visible');
}

/**
 * Presenter keys, as clickers and PowerPoint/Keynote use them: → ↓ Space PageDown Enter next;
 * ← ↑ PageUp Backspace previous; Home/End; digits then Enter jump; B or . blackout; G or O overview.
 * Returns the digits typed so far, to show.
 */
export function usePresenterKeys(actions: PresenterKeyActions, enabled = true): string {
  const [digits, setDigits] = useState('');

  useEffect(() => {
    if (!digits) return;
    const timer = setTimeout(() => setDigits(''), DIGITS_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [digits]);

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || ownedByElement(event.target)) return;
    const act = actions;
    const typed = digits;
    const key = event.key;
    if (/^[0-9]$/.test(key)) {
      setDigits((typed + key).slice(-4));
    } else if (key === 'Enter') {
      if (typed) {
        act.goTo(Number(typed));
        setDigits('');
      } else if (activatesControl(event.target)) return;
      else act.next();
    } else if (key === ' ' || key === 'Spacebar') {
      if (activatesControl(event.target)) return;
      act.next();
    } else if (key === 'Backspace') {
      if (typed) setDigits(typed.slice(0, -1));
      else act.previous();
    } else if (key === 'Escape' && typed) {
      setDigits('');
    } else if (key === 'ArrowRight' || key === 'ArrowDown' || key === 'PageDown') {
      act.next();
    } else if (key === 'ArrowLeft' || key === 'ArrowUp' || key === 'PageUp') {
      act.previous();
    } else if (key === 'Home') {
      act.first();
    } else if (key === 'End') {
      act.last();
    } else if (key === 'b' || key === 'B' || key === '.') {
      act.toggleBlackout();
    } else if (OVERVIEW_KEYS.has(key) && act.overview) {
      act.overview();
    } else {
      return;
    }
    event.preventDefault();
  });

  useEffect(() => {
    if (!enabled) return;
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [enabled]);

  return digits;
}
