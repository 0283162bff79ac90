'use client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import type { DeckSummary } from '@/lib/slideshow';
import { DeckNotesDialog } from './deck-notes-dialog';

export interface DeckCardProps {
  deck: DeckSummary;
  live: boolean;
  /** In the first row: its thumbnail loads at once rather than lazily. */
  eager?: boolean;
  onPresent(): void;
  onRename(title: string): Promise<string | undefined>;
  onDelete(): void;
}

/** How wide a card is drawn (library.tsx: 16rem-or-wider columns in a 72rem page). */
const CARD_SIZES = '(min-width: 72rem) 17.5rem, (min-width: 36rem) 50vw, 100vw';

const SOURCE: Record<DeckSummary['source'], string> = { images: 'Images', zip: 'ZIP', pdf: 'PDF', office: 'Office' };

/** One deck in the library: thumbnail, title (renamable), facts, and what can be done with it. */
export function DeckCard({ deck, live, eager = false, onPresent, onRename, onDelete }: DeckCardProps) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(deck.title);
  const [error, setError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [notesOpen, setNotesOpen] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  // The form replaces the Rename button, so closing it would drop focus to <body>: take it back there.
  const returnFocus = useRef(false);
  const created = new Date(deck.createdAt);

  useEffect(() => {
    if (editing || !returnFocus.current) return;
    returnFocus.current = false;
    renameButton.current?.focus();
  }, [editing]);

  const closeEditor = () => {
    returnFocus.current = true;
    setEditing(false);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (!next || next === deck.title) {
      closeEditor();
      setTitle(deck.title);
      return;
    }
    setSaving(true);
    const failure = await onRename(next);
    setSaving(false);
    if (failure) setError(failure);
    else {
      setError(undefined);
      closeEditor();
    }
  };

  return (
    <li className="flex flex-col overflow-hidden rounded-2xl border border-slate-800 bg-slate-900">
      <img
        src={deck.thumbnail}
        srcSet={deck.thumbnailSrcSet}
        sizes={deck.thumbnailSrcSet ? CARD_SIZES : undefined}
        alt=""
        loading={eager ? 'eager' : 'lazy'}
        decoding="async"
        className="aspect-video w-full bg-black object-contain"
      />
      <div className="flex flex-1 flex-col gap-3 p-4">
        {editing ? (
          <form onSubmit={save} className="flex flex-col gap-2">
            <label htmlFor={`title-${deck.id}`} className="sr-only">
              New title for {deck.title}
            </label>
            <input
              id={`title-${deck.id}`}
              value={title}
              maxLength={200}
              autoFocus
              onChange={(event) => setTitle(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  closeEditor();
                  setTitle(deck.title);
                  setError(undefined);
                }
              }}
              className="min-h-11 rounded-lg border border-slate-600 bg-slate-950 px-3 text-white focus-visible:outline-3 focus-visible:outline-sky-400"
            />
            {error && (
              <p role="alert" className="text-sm text-red-300">
                {error}
              </p>
            )}
            <div className="flex gap-2">
              <Button type="submit" size="sm" variant="primary" disabled={saving}>
                {saving ? 'Saving…' : 'Save'}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  closeEditor();
                  setTitle(deck.title);
                  setError(undefined);
                }}
              >
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          // The badge sits beside the title, never over it or over the slide's own title in the thumbnail.
          <div className="flex items-start justify-between gap-2">
            <h3 className="line-clamp-2 min-w-0 text-lg font-semibold leading-snug [overflow-wrap:anywhere]" title={deck.title}>
              {deck.title}
            </h3>
            {live && (
              <Badge tone="live" className="mt-0.5 shrink-0">
                Live
              </Badge>
            )}
          </div>
        )}
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-400">
          <span>
            {deck.count} {deck.count === 1 ? 'slide' : 'slides'}
          </span>
          <span aria-hidden>·</span>
          <time dateTime={deck.createdAt}>{Number.isNaN(created.getTime()) ? deck.createdAt : created.toLocaleDateString(undefined, { dateStyle: 'medium' })}</time>
          <Badge>{SOURCE[deck.source] ?? deck.source}</Badge>
        </p>
        <div className="mt-auto flex flex-col gap-2">
          <Button variant="primary" size="sm" onClick={onPresent}>
            {live ? 'Open presenter' : 'Present'}
          </Button>
          <div className="flex gap-2">
            {!editing && (
              <Button ref={renameButton} variant="secondary" size="sm" className="flex-1" onClick={() => setEditing(true)} aria-label={`Rename ${deck.title}`}>
                Rename
              </Button>
            )}
            <Button variant="secondary" size="sm" className="flex-1" onClick={() => setNotesOpen(true)} aria-label={`Notes and alt text of ${deck.title}`}>
              Notes
            </Button>
            <Button variant="ghost" size="sm" className="flex-1 text-red-300 hover:bg-red-950" onClick={onDelete} aria-label={`Delete ${deck.title}`}>
              Delete
            </Button>
          </div>
          <DeckNotesDialog deckId={deck.id} title={deck.title} open={notesOpen} onClose={() => setNotesOpen(false)} />
        </div>
      </div>
    </li>
  );
}
