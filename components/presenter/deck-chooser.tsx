'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Button, buttonVariants } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { api } from '@/lib/client/api';
import type { DeckSummary } from '@/lib/slideshow';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { useSendCommand } from './presenter-connection';

/** No talk is live: pick a deck to present. */
export function DeckChooser() {
  const send = useSendCommand();
  const [decks, setDecks] = useState<DeckSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [starting, setStarting] = useState<string | undefined>(undefined);
  const waitingTitle = useSlideshowStore((s) => (s.state && !s.state.live ? s.state.title : undefined));

  useEffect(() => {
    let cancelled = false;
    api.decks().then(
      (list) => !cancelled && setDecks(list),
      (failure: Error) => !cancelled && setError(failure.message),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const present = async (deck: string) => {
    setStarting(deck);
    await send({ deck, slide: 1 });
    setStarting(undefined);
  };
  /** Phones that joined early show this title on their waiting screen. */
  const announce = (title: string) => void send({ live: false, title });

  return (
    <section aria-labelledby="choose-deck" className="mx-auto flex w-full max-w-5xl flex-col gap-6 px-4 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h2 id="choose-deck" className="text-3xl font-bold">
            No talk is live
          </h2>
          <p className="mt-1 text-slate-400">Choose a deck to present. Phones that joined are waiting for it.</p>
          <p className="mt-1 text-sm text-slate-400" data-testid="waiting-title">
            Phones show: <span className="font-semibold text-slate-200">{waitingTitle ?? 'The talk will start soon'}</span>
          </p>
        </div>
        <Link href="/decks" className={buttonVariants({ variant: 'secondary' })}>
          Upload a deck
        </Link>
      </div>
      {error && <p role="alert" className="rounded-xl bg-red-950 px-4 py-3 text-red-100">{error}</p>}
      {!decks && !error && (
        <div className="flex items-center gap-3 text-slate-400">
          <Spinner /> Loading your decks…
        </div>
      )}
      {decks?.length === 0 && (
        <p className="rounded-2xl border border-dashed border-slate-700 px-6 py-12 text-center text-lg text-slate-300">
          No decks yet. <Link href="/decks" className="font-semibold text-sky-400 underline underline-offset-4">Upload your slides</Link> to start.
        </p>
      )}
      {decks && decks.length > 0 && (
        <ul className="grid grid-cols-[repeat(auto-fill,minmax(15rem,1fr))] gap-4">
          {decks.map((deck) => (
            <li key={deck.id} className="flex flex-col overflow-hidden rounded-2xl border border-slate-800 bg-slate-900">
              <img src={deck.thumbnail} alt="" className="aspect-video w-full bg-black object-contain" loading="lazy" />
              <div className="flex flex-1 flex-col gap-3 p-4">
                <div className="min-w-0">
                  <h3 className="truncate text-lg font-semibold" title={deck.title}>
                    {deck.title}
                  </h3>
                  <p className="text-sm text-slate-400">
                    {deck.count} {deck.count === 1 ? 'slide' : 'slides'}
                  </p>
                </div>
                <div className="mt-auto flex gap-2">
                  <Button variant="primary" className="flex-1" disabled={starting !== undefined} onClick={() => void present(deck.id)}>
                    {starting === deck.id ? 'Starting…' : 'Present'}
                  </Button>
                  <Button variant="secondary" disabled={starting !== undefined || waitingTitle === deck.title} onClick={() => announce(deck.title)} title="Show this deck's title on the phones' waiting screen">
                    Announce
                  </Button>
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
