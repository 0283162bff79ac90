/**
 * Validation of what arrives over the wire, used on both sides: the server checks presenter
 * commands, the pages check slide changes before trusting them.
 */
import type { AudienceCount, PresenterCommand, SlideshowState } from './types';
import { hasVisibleText } from './visible-text';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** The longest target a talk may set (10 hours). */
export const MAX_TARGET_MINUTES = 600;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parsePresenterCommand(value: unknown): Result<PresenterCommand> {
  if (!isObject(value)) return { ok: false, error: 'command must be an object' };
  const command: PresenterCommand = {};
  const { deck, slide, step, blackout, live, title, pause, targetMinutes } = value;
  if (deck !== undefined) {
    if (typeof deck !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(deck)) return { ok: false, error: 'deck must be a deck id' };
    command.deck = deck;
  }
  if (slide !== undefined) {
    if (typeof slide !== 'number' || !Number.isSafeInteger(slide) || slide < 1) return { ok: false, error: 'slide must be an integer from 1' };
    command.slide = slide;
  }
  if (step !== undefined) {
    if (step !== 1 && step !== -1) return { ok: false, error: 'step must be 1 or -1' };
    command.step = step;
  }
  if (blackout !== undefined) {
    if (typeof blackout !== 'boolean') return { ok: false, error: 'blackout must be true or false' };
    command.blackout = blackout;
  }
  if (value.qr !== undefined) {
    if (typeof value.qr !== 'boolean') return { ok: false, error: 'qr must be true or false' };
    command.qr = value.qr;
  }
  if (live !== undefined) {
    if (live !== false) return { ok: false, error: 'live may only be false (end the talk)' };
    command.live = false;
  }
  if (title !== undefined) {
    const clean = typeof title === 'string' ? title.replace(/\s+/g, ' ').trim() : '';
    if (command.live !== false || !hasVisibleText(clean) || clean.length > 200) return { ok: false, error: 'title goes with live: false and must be 1 to 200 characters, at least one of them visible' };
    command.title = clean;
  }
  if (value.handout !== undefined) {
    if (typeof value.handout !== 'boolean') return { ok: false, error: 'handout must be true or false' };
    command.handout = value.handout;
  }
  if (pause !== undefined) {
    if (typeof pause !== 'boolean') return { ok: false, error: 'pause must be true or false' };
    command.pause = pause;
  }
  if (targetMinutes !== undefined) {
    if (typeof targetMinutes !== 'number' || !Number.isSafeInteger(targetMinutes) || targetMinutes < 0 || targetMinutes > MAX_TARGET_MINUTES) {
      return { ok: false, error: `targetMinutes must be a whole number of minutes from 1 to ${MAX_TARGET_MINUTES} (0 removes the target)` };
    }
    command.targetMinutes = targetMinutes;
  }
  if (Object.keys(command).length === 0) return { ok: false, error: 'command is empty: give deck, slide, step, blackout, qr, live, pause, targetMinutes or handout' };
  if (command.step !== undefined && command.slide !== undefined) return { ok: false, error: 'give slide or step, not both' };
  return { ok: true, value: command };
}

/** Light structural check of a received state; the server is trusted, this guards against garbage. */
export function parseSlideshowState(value: unknown): SlideshowState | undefined {
  if (!isObject(value) || typeof value.seq !== 'number' || typeof value.at !== 'number') return undefined;
  if (value.live === false) return value as unknown as SlideshowState;
  if (value.live !== true) return undefined;
  const ok = typeof value.deck === 'string' && typeof value.slide === 'number' && typeof value.count === 'number'
    && typeof value.src === 'string' && Array.isArray(value.images);
  return ok ? (value as unknown as SlideshowState) : undefined;
}

export function parseAudienceCount(value: unknown): AudienceCount | undefined {
  return isObject(value) && typeof value.count === 'number' ? { count: value.count } : undefined;
}
