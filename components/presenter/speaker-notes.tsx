'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { NotesEditor } from '@/components/notes/notes-editor';
import type { DeckDetail } from '@/lib/slideshow';

const SIZE_KEY = 'cometdeck.notes-size';
/** Font sizes the notes can take (px); the presenter steps through them with A− / A+. */
const SIZES = [16, 20, 24, 28, 34, 40, 48] as const;
const DEFAULT_SIZE_INDEX = 2;

/** The notes' font size, remembered in this browser (a phone remote and a laptop each keep their own). */
function useNotesSize(): [number, (step: 1 | -1) => void] {
  const [index, setIndex] = useState(DEFAULT_SIZE_INDEX);
  useEffect(() => {
    const saved = SIZES.indexOf(Number(safeGet(SIZE_KEY)) as (typeof SIZES)[number]);
    if (saved >= 0) setIndex(saved);
  }, []);
  const step = (by: 1 | -1) => {
    const next = Math.min(Math.max(index + by, 0), SIZES.length - 1);
    setIndex(next);
    safeSet(SIZE_KEY, String(SIZES[next]));
  };
  return [SIZES[index]!, step];
}

/**
 * The current slide's speaker notes, large, with A− / A+ and an Edit button. Presenter only. An
 * edit stays on the slide it was started on, even if the talk moves meanwhile (another presenter
 * window, a clicker): what is being typed is never thrown away.
 */
export function SpeakerNotes({ deck, deckId, slide }: { deck: DeckDetail | undefined; deckId: string; slide: number }) {
  const [size, step] = useNotesSize();
  const [editingSlide, setEditingSlide] = useState<number | undefined>(undefined);
  const loaded = deck !== undefined;
  const notes = deck?.slides[slide - 1]?.notes;
  const editing = editingSlide !== undefined;
  return (
    <section aria-labelledby="speaker-notes-title" className="flex shrink-0 flex-col gap-2 rounded-xl bg-slate-900 p-3">
      <div className="flex items-center gap-2">
        <h2 id="speaker-notes-title" className="text-sm font-semibold uppercase tracking-wider text-slate-400">Notes · slide {editingSlide ?? slide}</h2>
        <div className="ml-auto flex gap-1" role="group" aria-label="Notes text size">
          <Button size="sm" variant="ghost" onClick={() => step(-1)} disabled={size === SIZES[0]}>A−<span className="sr-only"> smaller notes text</span></Button>
          <Button size="sm" variant="ghost" onClick={() => step(1)} disabled={size === SIZES.at(-1)}>A+<span className="sr-only"> larger notes text</span></Button>
          {loaded && !editing && <Button size="sm" variant="secondary" onClick={() => setEditingSlide(slide)}>Edit</Button>}
        </div>
      </div>
      {editing ? (
        <NotesEditor key={`${deckId}:${editingSlide}`} deckId={deckId} slide={editingSlide} notes={deck?.slides[editingSlide - 1]?.notes} onDone={() => setEditingSlide(undefined)} />
      ) : (
        // Focusable: long notes in a large font scroll, and a keyboard must be able to scroll them.
        <div data-testid="speaker-notes" role="region" aria-label={`Speaker notes of slide ${slide}`} tabIndex={0} style={{ fontSize: `${size}px` }} className="max-h-[50dvh] overflow-y-auto whitespace-pre-wrap leading-snug text-slate-100 outline-offset-2 focus-visible:outline-3 focus-visible:outline-sky-400">
          {notes ?? <span className="text-base text-slate-400">{loaded ? 'No notes for this slide.' : 'Loading notes…'}</span>}
        </div>
      )}
    </section>
  );
}

function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: the size holds for this visit only.
  }
}
