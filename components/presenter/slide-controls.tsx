'use client';
import { useState, type MouseEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ChevronLeft, ChevronRight } from './icons';

export interface SlideControlsProps {
  slide: number;
  count: number;
  blackout: boolean;
  onNext(): void;
  onPrevious(): void;
  onGoTo(slide: number): void;
  onToggleBlackout(): void;
}

/** After a click, give focus back to the page so Space and Enter keep meaning "next". */
const releaseFocus = (event: MouseEvent<HTMLButtonElement>) => {
  if (event.detail > 0) event.currentTarget.blur();
};

/**
 * Previous / next, blackout, and "go to slide". Below `lg` the first three live in the sticky
 * RemoteBar instead (always in reach on a phone or tablet used as a remote), so they are hidden here.
 */
export function SlideControls({ slide, count, blackout, onNext, onPrevious, onGoTo, onToggleBlackout }: SlideControlsProps) {
  const [target, setTarget] = useState('');
  return (
    <div className="flex flex-col gap-3">
      <div className="hidden grid-cols-2 gap-3 lg:grid">
        <Button
          size="huge"
          disabled={slide <= 1}
          onClick={(event) => {
            onPrevious();
            releaseFocus(event);
          }}
        >
          <ChevronLeft /> Previous
        </Button>
        <Button
          size="huge"
          variant="primary"
          disabled={slide >= count}
          onClick={(event) => {
            onNext();
            releaseFocus(event);
          }}
        >
          Next <ChevronRight />
        </Button>
      </div>
      <div className="flex flex-wrap gap-3">
        <Button
          variant={blackout ? 'primary' : 'secondary'}
          aria-pressed={blackout}
          className="hidden flex-1 lg:inline-flex"
          onClick={(event) => {
            onToggleBlackout();
            releaseFocus(event);
          }}
        >
          {blackout ? 'Show the slide' : 'Black out'}
          <kbd className="rounded border border-current/40 px-1.5 font-mono text-xs opacity-70">B</kbd>
        </Button>
        <form
          className="flex flex-1 gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            const number = Number(target);
            if (Number.isInteger(number) && number >= 1) onGoTo(number);
            setTarget('');
          }}
        >
          <label htmlFor="go-to-slide" className="sr-only">
            Go to slide number
          </label>
          <input
            id="go-to-slide"
            type="number"
            inputMode="numeric"
            min={1}
            max={count}
            placeholder="Slide #"
            value={target}
            onChange={(event) => setTarget(event.target.value)}
            className="min-h-12 w-full min-w-0 rounded-xl border border-slate-700 bg-slate-900 px-3 text-lg tabular-nums text-white placeholder:text-slate-500 focus-visible:outline-3 focus-visible:outline-sky-400"
          />
          <Button type="submit" variant="secondary" disabled={!target}>
            Go
          </Button>
        </form>
      </div>
    </div>
  );
}
