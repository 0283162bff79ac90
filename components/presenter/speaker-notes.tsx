'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { NotesEditor } from '@/components/notes/notes-editor';

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

/** The current slide's speaker notes, large, with A− / A+ and an Edit button. Presenter only. */
export function SpeakerNotes({ deckId, slide, notes, loaded }: { deckId: string; slide: number; notes: string | undefined; loaded: boolean }) {
  const [size, step] = useNotesSize();
  const [editing, setEditing] = useState(false);
  useEffect(() => setEditing(false), [slide]);
  return (
    <section aria-labelledby="speaker-notes-title" className="flex shrink-0 flex-col gap-2 rounded-xl bg-slate-900 p-3">
      <div className="flex items-center gap-2">
        <h2 id="speaker-notes-title" className="text-sm font-semibold uppercase tracking-wider text-slate-400">Notes · slide {slide}</h2>
        <div className="ml-auto flex gap-1" role="group" aria-label="Notes text size">
          <Button size="sm" variant="ghost" onClick={() => step(-1)} disabled={size === SIZES[0]}>A−<span className="sr-only"> smaller notes text</span></Button>
          <Button size="sm" variant="ghost" onClick={() => step(1)} disabled={size === SIZES.at(-1)}>A+<span className="sr-only"> larger notes text</span></Button>
          {loaded && !editing && <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>Edit</Button>}
        </div>
      </div>
      {editing ? (
        <NotesEditor key={`${deckId}:${slide}`} deckId={deckId} slide={slide} notes={notes} onDone={() => setEditing(false)} />
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
