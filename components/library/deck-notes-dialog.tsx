'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { NotesEditor } from '@/components/notes/notes-editor';
import { api } from '@/lib/client/api';
import { AltTextField } from './alt-text-field';
import type { DeckDetail } from '@/lib/slideshow';

type Load = { status: 'loading' } | { status: 'loaded'; deck: DeckDetail } | { status: 'failed'; error: string };

/** Every slide of a deck with its speaker notes and alt text, each editable on its own (the library's "Notes"). */
export function DeckNotesDialog({ deckId, title, open, onClose }: { deckId: string; title: string; open: boolean; onClose(): void }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [editing, setEditing] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (!open) return;
    setLoad({ status: 'loading' });
    api.deck(deckId).then(
      (deck) => setLoad({ status: 'loaded', deck }),
      (error: unknown) => setLoad({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  }, [open, deckId]);
  const saved = (slide: number, notes: string | undefined) => {
    if (load.status !== 'loaded') return;
    const slides = load.deck.slides.map((s) => (s.slide === slide ? { ...s, notes } : s));
    setLoad({ status: 'loaded', deck: { ...load.deck, slides } });
  };
  const altSaved = (next: DeckDetail['slides'][number]) => {
    setLoad((current) => current.status !== 'loaded' ? current : { status: 'loaded', deck: { ...current.deck, slides: current.deck.slides.map((s) => (s.slide === next.slide ? next : s)) } });
  };
  return (
    <Dialog open={open} onClose={onClose} title={`Speaker notes and alt text: ${title}`} className="w-[min(48rem,calc(100vw-2rem))]">
      {load.status === 'loading' && <p className="text-slate-400">Loading the slides…</p>}
      {load.status === 'failed' && <p role="alert" className="text-red-300">The slides could not be loaded: {load.error}</p>}
      {load.status === 'loaded' && (
        <ol className="flex flex-col gap-4">
          {load.deck.slides.map((slide) => (
            <li key={slide.slide} className="grid grid-cols-[8rem_1fr] gap-3 max-sm:grid-cols-1">
              <img src={slide.thumbnail} alt={slide.alt} loading="lazy" className="w-32 rounded bg-black object-contain" style={{ aspectRatio: `${slide.width} / ${slide.height}` }} />
              <div className="flex flex-col gap-3">
              {editing === slide.slide ? (
                <NotesEditor deckId={deckId} slide={slide.slide} notes={slide.notes} onDone={(result) => {
                  if (result.saved) saved(slide.slide, result.notes);
                  setEditing(undefined);
                }} />
              ) : (
                <div className="flex flex-col items-start gap-2">
                  <p className="whitespace-pre-wrap text-slate-200">{slide.notes ?? <span className="text-slate-400">No notes.</span>}</p>
                  <Button size="sm" variant="secondary" onClick={() => setEditing(slide.slide)}>
                    Edit notes<span className="sr-only"> of slide {slide.slide}</span>
                  </Button>
                </div>
              )}
              <AltTextField deckId={deckId} slide={slide} onSaved={altSaved} />
              </div>
            </li>
          ))}
        </ol>
      )}
      <div className="mt-4 flex justify-end">
        <Button variant="ghost" onClick={onClose}>Close</Button>
      </div>
    </Dialog>
  );
}
