'use client';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/client/api';
import type { DeckDetail } from '@/lib/slideshow';

/** As the server caps it (server/slides/deck-file.ts MAX_ALT_CHARS): refused beyond, never cut. */
export const MAX_ALT_CHARS = 500;

type Slide = DeckDetail['slides'][number];

export interface AltTextFieldProps {
  deckId: string;
  slide: Slide;
  /** After a save: the slide as the server now has it (its new `alt`, `altText`). */
  onSaved(slide: Slide): void;
}

/**
 * The alt text of one slide: what a screen reader on a phone says for it. Empty goes back to the
 * default (the slide's first line of text, or only its number). A failed save keeps the text.
 */
export function AltTextField({ deckId, slide, onSaved }: AltTextFieldProps) {
  const [text, setText] = useState(slide.altText ?? '');
  const [state, setState] = useState<{ saving: boolean; error?: string; saved?: boolean }>({ saving: false });
  const id = `alt-${deckId}-${slide.slide}`;
  const changed = text.trim() !== (slide.altText ?? '');

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setState({ saving: true });
    try {
      const saved = await api.setAlt(deckId, slide.slide, text);
      setText(saved.altText ?? '');
      setState({ saving: false, saved: true });
      onSaved(saved);
    } catch (failure) {
      setState({ saving: false, error: failure instanceof Error ? failure.message : String(failure) });
    }
  };

  return (
    <form onSubmit={save} className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-semibold text-slate-300">Alt text for slide {slide.slide}</label>
      <div className="flex gap-2">
        <input
          id={id}
          value={text}
          maxLength={MAX_ALT_CHARS}
          placeholder="What the slide shows, in words"
          aria-describedby={`${id}-now`}
          onChange={(event) => {
            setText(event.target.value);
            setState({ saving: false });
          }}
          className="min-h-10 min-w-0 flex-1 rounded-lg border border-slate-600 bg-slate-950 px-3 text-white placeholder:text-slate-400 focus-visible:outline-3 focus-visible:outline-sky-400"
        />
        <Button type="submit" size="sm" variant="secondary" disabled={state.saving || !changed}>
          {state.saving ? 'Saving…' : 'Save'}<span className="sr-only"> alt text of slide {slide.slide}</span>
        </Button>
      </div>
      <p id={`${id}-now`} className="text-xs text-slate-400">
        {state.saved ? 'Saved. ' : ''}Phones say: “{slide.alt}”
      </p>
      {state.error && <p role="alert" className="text-sm text-red-300">{state.error}</p>}
    </form>
  );
}
