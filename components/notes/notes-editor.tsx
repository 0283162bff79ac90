'use client';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { api } from '@/lib/client/api';
import { usePresenterStore } from '@/lib/stores/presenter-store';

/** As the server caps them (server/slides/deck-file.ts MAX_NOTES_CHARS): refused beyond, never cut. */
export const MAX_NOTES_CHARS = 20_000;

export interface NotesEditorProps {
  deckId: string;
  slide: number;
  notes: string | undefined;
  /** Closed: after a save (`saved`, with the notes as stored; undefined when removed) or a cancel. */
  onDone(result: { saved: false } | { saved: true; notes: string | undefined }): void;
}

/**
 * Edits one slide's speaker notes and saves them (`PATCH /api/decks/:id/slides/:n`). A failed save
 * keeps the text in the field and says why, so nothing typed is lost.
 */
export function NotesEditor({ deckId, slide, notes, onDone }: NotesEditorProps) {
  const [text, setText] = useState(notes ?? '');
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const id = `notes-${deckId}-${slide}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    try {
      const saved = await api.setNotes(deckId, slide, text);
      usePresenterStore.getState().notesSaved(deckId, slide, saved.notes);
      setError(undefined);
      onDone({ saved: true, notes: saved.notes });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={save} className="flex flex-col gap-2">
      <label htmlFor={id} className="text-sm font-semibold text-slate-300">Speaker notes for slide {slide}</label>
      <textarea
        id={id}
        value={text}
        maxLength={MAX_NOTES_CHARS}
        rows={6}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone({ saved: false });
        }}
        className="min-h-32 rounded-lg border border-slate-600 bg-slate-950 p-3 text-base text-white focus-visible:outline-3 focus-visible:outline-sky-400"
      />
      {error && <p role="alert" className="text-sm text-red-300">{error}</p>}
      <div className="flex items-center gap-2">
        <Button type="submit" size="sm" variant="primary" disabled={saving}>{saving ? 'Saving…' : 'Save notes'}</Button>
        <Button type="button" size="sm" variant="ghost" onClick={() => onDone({ saved: false })}>Cancel</Button>
        <span className="ml-auto text-xs tabular-nums text-slate-400">{text.length.toLocaleString()} / {MAX_NOTES_CHARS.toLocaleString()}</span>
      </div>
    </form>
  );
}
