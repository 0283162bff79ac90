'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { RequirePresenter } from '@/components/access/require-presenter';
import { Button, buttonVariants } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Spinner } from '@/components/ui/spinner';
import { api, ApiFailure } from '@/lib/client/api';
import type { DeckSummary } from '@/lib/slideshow';
import { DeckCard } from './deck-card';
import { UploadPanel } from './upload-panel';

/** The most cards one row holds (16rem columns in a 72rem page): their thumbnails load at once. */
const FIRST_ROW_CARDS = 4;

export function LibraryPage() {
  return (
    <RequirePresenter>
      <Library />
    </RequirePresenter>
  );
}

type Question = { kind: 'delete'; deck: DeckSummary; live: boolean } | { kind: 'replace'; deck: DeckSummary; liveTitle: string };

function Library() {
  const router = useRouter();
  const [decks, setDecks] = useState<DeckSummary[] | undefined>(undefined);
  const [liveDeck, setLiveDeck] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [question, setQuestion] = useState<Question | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const [list, live] = await Promise.all([api.decks(), api.live()]);
      setDecks(list);
      setLiveDeck(live.live ? live.deck : undefined);
      setError(undefined);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const present = async (deck: DeckSummary, confirmed = false) => {
    if (liveDeck === deck.id) return router.push('/presenter');
    const current = decks?.find((d) => d.id === liveDeck);
    if (liveDeck && !confirmed) return setQuestion({ kind: 'replace', deck, liveTitle: current?.title ?? 'another deck' });
    try {
      await api.command({ deck: deck.id, slide: 1 });
      router.push('/presenter');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const rename = async (deck: DeckSummary, title: string): Promise<string | undefined> => {
    try {
      const updated = await api.renameDeck(deck.id, title);
      setDecks((list) => list?.map((d) => (d.id === deck.id ? updated : d)));
      return undefined;
    } catch (failure) {
      return failure instanceof Error ? failure.message : String(failure);
    }
  };

  const remove = async (deck: DeckSummary, force: boolean) => {
    try {
      await api.deleteDeck(deck.id, force);
      setDecks((list) => list?.filter((d) => d.id !== deck.id));
      if (force) setLiveDeck(undefined);
    } catch (failure) {
      // It went live since we looked: ask again, this time saying so.
      if (failure instanceof ApiFailure && failure.code === 'deck_live' && !force) setQuestion({ kind: 'delete', deck, live: true });
      else setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const signOut = async (everywhere = false) => {
    await (everywhere ? api.signOutEverywhere() : api.signOut()).catch(() => undefined);
    router.replace('/sign-in');
  };

  return (
    <main className="mx-auto flex w-full max-w-6xl flex-col gap-6 px-4 py-6 sm:py-10">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <p className="text-sm font-semibold uppercase tracking-[0.2em] text-sky-400">Comet Deck</p>
          <h1 className="text-3xl font-bold">Your decks</h1>
        </div>
        <nav className="flex flex-wrap gap-2">
          <Link href="/presenter" className={buttonVariants({ variant: 'secondary' })}>
            Presenter view
          </Link>
          <Button variant="ghost" onClick={() => void signOut()}>
            Sign out
          </Button>
          {/* Every device: the laptop, a phone used as a remote, a browser left signed in elsewhere. */}
          <Button variant="ghost" onClick={() => void signOut(true)}>
            Sign out everywhere
          </Button>
        </nav>
      </header>

      <UploadPanel onUploaded={(deck) => setDecks((list) => [deck, ...(list ?? []).filter((d) => d.id !== deck.id)])} onPresent={(deck) => void present(deck)} />

      {error && (
        <p role="alert" className="rounded-xl border border-red-800 bg-red-950 px-4 py-3 text-red-100">
          {error}
        </p>
      )}

      <section aria-labelledby="library-heading" className="flex flex-col gap-4">
        <h2 id="library-heading" className="text-xl font-bold">
          Library {decks ? <span className="font-normal text-slate-400">({decks.length})</span> : null}
        </h2>
        {!decks && !error && (
          <p className="flex items-center gap-3 text-slate-400">
            <Spinner /> Loading…
          </p>
        )}
        {decks?.length === 0 && <p className="rounded-2xl border border-dashed border-slate-700 px-6 py-10 text-center text-slate-300">No decks yet: upload one above.</p>}
        {decks && decks.length > 0 && (
          <ul className="grid grid-cols-[repeat(auto-fill,minmax(16rem,1fr))] gap-4">
            {decks.map((deck, index) => (
              <DeckCard
                key={deck.id}
                deck={deck}
                eager={index < FIRST_ROW_CARDS}
                live={deck.id === liveDeck}
                onPresent={() => void present(deck)}
                onRename={(title) => rename(deck, title)}
                onDelete={() => setQuestion({ kind: 'delete', deck, live: deck.id === liveDeck })}
              />
            ))}
          </ul>
        )}
      </section>

      <ConfirmDialog
        open={question?.kind === 'delete'}
        title={question?.kind === 'delete' && question.live ? 'Delete the live deck?' : 'Delete this deck?'}
        confirmLabel={question?.kind === 'delete' && question.live ? 'End the talk and delete' : 'Delete'}
        danger
        onCancel={() => setQuestion(undefined)}
        onConfirm={() => {
          if (question?.kind === 'delete') void remove(question.deck, question.live);
          setQuestion(undefined);
        }}
      >
        {question?.kind === 'delete' && (
          <p>
            <strong className="text-white">{question.deck.title}</strong>{' '}
            {question.live ? 'is being presented right now: deleting it ends the talk on every phone.' : 'is deleted with all its slides.'} This cannot be
            undone.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={question?.kind === 'replace'}
        title="Replace the live talk?"
        confirmLabel="Present this deck"
        onCancel={() => setQuestion(undefined)}
        onConfirm={() => {
          if (question?.kind === 'replace') void present(question.deck, true);
          setQuestion(undefined);
        }}
      >
        {question?.kind === 'replace' && (
          <p>
            <strong className="text-white">{question.liveTitle}</strong> is live. Every phone switches to{' '}
            <strong className="text-white">{question.deck.title}</strong>.
          </p>
        )}
      </ConfirmDialog>
    </main>
  );
}
