'use client';
import { Button } from '@/components/ui/button';
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { ResetIcon } from './icons';
import { useNow } from './use-now';

export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = String(minutes).padStart(hours > 0 ? 2 : 1, '0');
  return `${hours > 0 ? `${hours}:` : ''}${mm}:${String(seconds).padStart(2, '0')}`;
}

/** Elapsed time since the talk started, and the wall clock. */
export function TalkClock() {
  const now = useNow();
  const talkStart = usePresenterStore((s) => s.talkStart);
  const offset = usePresenterStore((s) => s.clockOffset);
  const clockReset = usePresenterStore((s) => s.clockReset);
  const elapsed = now === undefined || talkStart === undefined ? undefined : now + offset - talkStart;
  return (
    <div className="flex items-center gap-3">
      <div className="flex flex-col leading-tight">
        <span className="text-[0.7rem] font-semibold uppercase tracking-wider text-slate-400">Elapsed</span>
        <span className="font-mono text-2xl font-bold tabular-nums" aria-label={elapsed === undefined ? 'Not started' : `Elapsed ${formatElapsed(elapsed)}`}>
          {elapsed === undefined ? '–:––' : formatElapsed(elapsed)}
        </span>
      </div>
      {talkStart !== undefined && (
        <Button variant="ghost" size="sm" className="size-10 px-0" onClick={clockReset} aria-label="Restart the elapsed time" title="Restart the elapsed time">
          <ResetIcon />
        </Button>
      )}
      <div className="hidden flex-col leading-tight sm:flex">
        <span className="text-[0.7rem] font-semibold uppercase tracking-wider text-slate-400">Time</span>
        <time className="font-mono text-2xl tabular-nums text-slate-300">
          {now === undefined ? '––:––' : new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
      </div>
    </div>
  );
}
