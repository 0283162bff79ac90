'use client';
import { clsx } from 'clsx';
import { useEffect, useRef } from 'react';
import type { DeckDetail } from '@/lib/slideshow';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';

export interface ThumbnailStripProps {
  deck: DeckDetail;
  current: number;
  onJump(slide: number): void;
}

/** Every slide of the deck, to jump anywhere; the current one is kept in view. */
export function ThumbnailStrip({ deck, current, onJump }: ThumbnailStripProps) {
  const list = useRef<HTMLOListElement>(null);
  const history = useSlideshowStore((s) => s.history);
  const shown = new Set(history.map((s) => s.slide));

  useEffect(() => {
    const strip = list.current;
    const item = strip?.querySelector<HTMLElement>(`[data-slide="${current}"]`);
    // Scroll the strip only: scrollIntoView would also scroll the page to bring the strip into
    // view, which on a phone used as a remote pushes the header (status, clock) off the screen.
    if (strip && item) strip.scrollTo({ left: item.offsetLeft - (strip.clientWidth - item.offsetWidth) / 2, behavior: window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  }, [current]);

  return (
    <nav aria-label="All slides" className="border-t border-slate-800 bg-slate-950">
      <ol ref={list} className="relative flex gap-2 overflow-x-auto px-4 py-3 [scrollbar-width:thin]">
        {deck.slides.map((slide) => {
          const isCurrent = slide.slide === current;
          return (
            <li key={slide.slide} data-slide={slide.slide} className="shrink-0">
              <button
                type="button"
                onClick={(event) => {
                  onJump(slide.slide);
                  if (event.detail > 0) event.currentTarget.blur();
                }}
                aria-label={`Go to slide ${slide.slide}${slide.name ? `: ${slide.name}` : ''}`}
                aria-current={isCurrent ? 'step' : undefined}
                className={clsx(
                  'group relative block overflow-hidden rounded-lg bg-black outline-offset-2 transition',
                  'focus-visible:outline-3 focus-visible:outline-sky-400',
                  isCurrent ? 'ring-3 ring-sky-400' : 'opacity-70 ring-1 ring-slate-700 hover:opacity-100',
                )}
              >
                <img
                  src={slide.thumbnail}
                  alt=""
                  loading="lazy"
                  decoding="async"
                  className="block h-16 w-auto object-contain sm:h-20"
                  style={{ aspectRatio: `${slide.width} / ${slide.height}` }}
                />
                <span
                  className={clsx(
                    'absolute bottom-1 left-1 rounded px-1.5 text-xs font-bold tabular-nums',
                    isCurrent ? 'bg-sky-400 text-slate-950' : 'bg-black/70 text-white',
                  )}
                >
                  {slide.slide}
                </span>
                {shown.has(slide.slide) && !isCurrent && (
                  <span className="absolute right-1 top-1 size-2 rounded-full bg-emerald-400" title="Shown to the audience" />
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
