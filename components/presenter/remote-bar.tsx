'use client';
import type { MouseEvent } from 'react';
import { Button } from '@/components/ui/button';
import { ChevronLeft, ChevronRight } from './icons';

export interface RemoteBarProps {
  slide: number;
  count: number;
  blackout: boolean;
  onNext(): void;
  onPrevious(): void;
  onToggleBlackout(): void;
}

/** After a tap, give focus back to the page so a paired clicker's keys keep working. */
const release = (event: MouseEvent<HTMLButtonElement>) => {
  if (event.detail > 0) event.currentTarget.blur();
};

/**
 * Below the `lg` breakpoint (a phone or tablet used as a remote, portrait or landscape), Previous,
 * Black out and Next stay stuck to the bottom of the screen, always in reach of a thumb.
 */
export function RemoteBar({ slide, count, blackout, onNext, onPrevious, onToggleBlackout }: RemoteBarProps) {
  return (
    <nav aria-label="Slide controls" className="sticky bottom-0 z-20 grid grid-cols-[2fr_1.4fr_2fr] gap-2 border-t border-slate-800 bg-slate-950/95 p-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] backdrop-blur lg:hidden">
      <Button size="lg" className="min-w-0 px-2" disabled={slide <= 1} onClick={(event) => { onPrevious(); release(event); }}>
        <ChevronLeft /> Previous
      </Button>
      <Button size="lg" className="min-w-0 px-2 text-base" variant={blackout ? 'primary' : 'secondary'} aria-pressed={blackout} onClick={(event) => { onToggleBlackout(); release(event); }}>
        {blackout ? 'Show' : 'Black out'}
      </Button>
      <Button size="lg" className="min-w-0 px-2" variant="primary" disabled={slide >= count} onClick={(event) => { onNext(); release(event); }}>
        Next <ChevronRight />
      </Button>
    </nav>
  );
}
