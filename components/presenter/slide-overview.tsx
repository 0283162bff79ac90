'use client';
import { clsx } from 'clsx';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import type { DeckDetail } from '@/lib/slideshow';

export interface SlideOverviewProps {
  open: boolean;
  deck: DeckDetail;
  current: number;
  onJump(slide: number): void;
  onClose(): void;
}

/**
 * Every slide in a grid (presenter only), opened with G or O: arrows move between slides, Enter
 * jumps, Esc closes. The native modal dialog traps focus; focus goes back where it was on close.
 */
export function SlideOverview({ open, deck, current, onJump, onClose }: SlideOverviewProps) {
  const grid = useRef<HTMLOListElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    if (!open) return;
    opener.current = document.activeElement;
    grid.current?.querySelector<HTMLButtonElement>(`[data-slide="${current}"] button`)?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
    // Focus the current slide when opening only, not when the talk moves meanwhile.
  }, [open]);
  return (
    <Dialog open={open} onClose={onClose} title={`All slides (${deck.count})`} className="w-[min(80rem,calc(100vw-2rem))]">
      <ol ref={grid} onKeyDown={(event) => moveFocus(event, grid.current)} className="grid grid-cols-[repeat(auto-fill,minmax(9rem,1fr))] gap-3">
        {deck.slides.map((slide) => (
          <li key={slide.slide} data-slide={slide.slide}>
            <button
              type="button"
              onClick={() => {
                onJump(slide.slide);
                onClose();
              }}
              aria-label={`Go to slide ${slide.slide}${slide.name ? `: ${slide.name}` : ''}`}
              aria-current={slide.slide === current ? 'step' : undefined}
              className={clsx('relative block w-full overflow-hidden rounded-lg bg-black outline-offset-2 focus-visible:outline-3 focus-visible:outline-sky-400', slide.slide === current ? 'ring-3 ring-sky-400' : 'ring-1 ring-slate-700')}
            >
              <img src={slide.thumbnail} alt="" loading="lazy" className="block w-full object-contain" style={{ aspectRatio: `${slide.width} / ${slide.height}` }} />
              <span className="absolute bottom-1 left-1 rounded bg-black/80 px-1.5 text-xs font-bold tabular-nums text-white">{slide.slide}</span>
            </button>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}

/** Arrow keys move focus through the grid: ← → by one, ↑ ↓ by a row (as many as fit across). */
function moveFocus(event: KeyboardEvent<HTMLOListElement>, grid: HTMLOListElement | null): void {
  const buttons = [...(grid?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const top = buttons[0]!.getBoundingClientRect().top;
  const columns = Math.max(1, buttons.filter((b) => Math.abs(b.getBoundingClientRect().top - top) < 2).length);
  const by: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -at, End: buttons.length - 1 - at };
  const step = by[event.key];
  if (step === undefined) return;
  event.preventDefault();
  buttons[Math.min(Math.max(at + step, 0), buttons.length - 1)]!.focus();
}
