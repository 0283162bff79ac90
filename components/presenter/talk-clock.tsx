'use client';
import { clsx } from 'clsx';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import type { LiveState } from '@/lib/slideshow';
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { elapsedMs, formatDuration, formatRemaining, pacingTone, type PacingTone } from './pacing';
import { useSendCommand } from './presenter-connection';
import { useNow } from './use-now';

const TONE_CLASS: Record<PacingTone, string> = { normal: 'text-white', warning: 'text-amber-300', over: 'text-red-400' };
const TONE_LABEL: Record<PacingTone, string> = { normal: '', warning: ', nearly out of time', over: ', over time' };

/**
 * Elapsed time, time left of the target (amber, then red: pacing.ts), pause and resume, and the
 * wall clock. The times come from the server (the live state), so every presenter window agrees;
 * `clock` is this browser's clock, injectable for tests.
 */
export function TalkClock({ state, clock = Date.now }: { state: LiveState; clock?: () => number }) {
  const now = useNow(1_000, clock);
  const offset = usePresenterStore((s) => s.clockOffset);
  const elapsed = now === undefined ? undefined : elapsedMs(state, now + offset);
  const paused = state.pausedAt !== undefined;
  return (
    <div className="flex items-center gap-3">
      <Reading label={paused ? 'Paused' : 'Elapsed'} value={elapsed === undefined ? '–:––' : formatDuration(elapsed)} ariaLabel={`Elapsed ${elapsed === undefined ? 'unknown' : formatDuration(elapsed)}${paused ? ', paused' : ''}`} className={paused ? 'text-sky-300' : 'text-white'} testId="elapsed" />
      {state.targetMs !== undefined && elapsed !== undefined && <Remaining remainingMs={state.targetMs - elapsed} targetMs={state.targetMs} />}
      <PauseButton paused={paused} />
      <TargetButton targetMs={state.targetMs} />
      <div className="hidden flex-col leading-tight 2xl:flex">
        <span className="text-[0.7rem] font-semibold uppercase tracking-wider text-slate-400">Time</span>
        <time className="font-mono text-2xl tabular-nums text-slate-300">
          {now === undefined ? '––:––' : new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
      </div>
    </div>
  );
}

function Reading({ label, value, ariaLabel, className, testId, tone }: { label: string; value: string; ariaLabel: string; className: string; testId: string; tone?: PacingTone }) {
  return (
    <div className="flex flex-col leading-tight" data-testid={testId} data-tone={tone}>
      <span className="text-[0.7rem] font-semibold uppercase tracking-wider text-slate-400">{label}</span>
      <span role="timer" aria-label={ariaLabel} className={clsx('font-mono text-2xl font-bold tabular-nums', className)}>
        {value}
      </span>
    </div>
  );
}

function Remaining({ remainingMs, targetMs }: { remainingMs: number; targetMs: number }) {
  const tone = pacingTone(remainingMs, targetMs);
  const text = formatRemaining(remainingMs);
  return <Reading label={tone === 'over' ? 'Over' : 'Left'} value={text} ariaLabel={`Time left ${text}${TONE_LABEL[tone]}`} className={TONE_CLASS[tone]} testId="remaining" tone={tone} />;
}

function PauseButton({ paused }: { paused: boolean }) {
  const send = useSendCommand();
  return (
    <Button variant={paused ? 'primary' : 'ghost'} size="sm" aria-pressed={paused} onClick={() => void send({ pause: !paused })} title={paused ? 'Resume the clock' : 'Pause the clock'}>
      {paused ? 'Resume' : 'Pause'}
    </Button>
  );
}

/** Sets the talk's target duration (1-600 minutes), or removes it. */
function TargetButton({ targetMs }: { targetMs: number | undefined }) {
  const send = useSendCommand();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState('');
  const submit = (event: FormEvent, value: number) => {
    event.preventDefault();
    void send({ targetMinutes: value });
    setOpen(false);
  };
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => { setMinutes(targetMs ? String(targetMs / 60_000) : ''); setOpen(true); }} title="Set the talk's target duration">
        {targetMs ? `Target ${targetMs / 60_000} min` : 'Set target'}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Target duration">
        <form className="flex flex-col gap-4" onSubmit={(event) => submit(event, Number(minutes))}>
          <label htmlFor="target-minutes" className="text-slate-300">Minutes the talk should take (1 to 600)</label>
          <input id="target-minutes" type="number" inputMode="numeric" min={1} max={600} step={1} required autoFocus value={minutes} onChange={(event) => setMinutes(event.target.value)} className="min-h-12 rounded-xl border border-slate-600 bg-slate-950 px-3 text-lg tabular-nums text-white focus-visible:outline-3 focus-visible:outline-sky-400" />
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant="primary">Set target</Button>
            {targetMs !== undefined && <Button type="button" variant="secondary" onClick={(event) => submit(event, 0)}>Remove target</Button>}
            <Button type="button" variant="ghost" onClick={() => setOpen(false)}>Cancel</Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
