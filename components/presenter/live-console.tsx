'use client';
import { useEffect, useState, type CSSProperties } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { SlidePicture } from '@/components/slides/slide-picture';
import { loadDeck } from '@/lib/client/presenter-data';
import type { LiveState } from '@/lib/slideshow';
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { CommandToast } from './command-toast';
import { EndTalkButton } from './end-talk-button';
import { usePresenterKeys } from './use-presenter-keys';
import { useSendCommand } from './presenter-connection';
import { PresenterHeader } from './presenter-header';
import { RemoteBar } from './remote-bar';
import { RemotePanel } from './remote-panel';
import { SlideOverview } from './slide-overview';
import { SpeakerNotes } from './speaker-notes';
import { SlideControls } from './slide-controls';
import { ThumbnailStrip } from './thumbnail-strip';
import { uncoverCommand } from './uncover';

/** The presenter view while a talk is live: current and next slide, controls, every slide. */
export function LiveConsole({ state }: { state: LiveState }) {
  const send = useSendCommand();
  const deckLoad = usePresenterStore((s) => s.deck);
  const commandFailed = usePresenterStore((s) => s.commandFailed);
  useEffect(() => {
    void loadDeck(state.deck);
  }, [state.deck]);
  const deck = deckLoad.status === 'loaded' && deckLoad.id === state.deck ? deckLoad.deck : undefined;
  const next = deck?.slides[state.slide];
  const [overviewOpen, setOverviewOpen] = useState(false);

  const actions = {
    // While the QR or a blackout is up, the first press only takes it down (uncover.ts).
    next: () => void send(uncoverCommand(state) ?? { step: 1 }),
    previous: () => void send(uncoverCommand(state) ?? { step: -1 }),
    first: () => void send({ slide: 1 }),
    last: () => void send({ slide: state.count }),
    goTo: (slide: number) => {
      if (slide >= 1 && slide <= state.count) void send({ slide });
      else commandFailed(`There is no slide ${slide}: the deck has ${state.count}.`);
    },
    toggleBlackout: () => void send({ blackout: !state.blackout }),
    overview: () => setOverviewOpen(deck !== undefined),
  };
  const digits = usePresenterKeys(actions);
  const ratio = { '--slide-ratio': `${state.width} / ${state.height}` } as CSSProperties;

  return (
    <div className="flex min-h-dvh flex-col lg:h-dvh">
      <PresenterHeader live={state} title={state.title}>
        <EndTalkButton />
      </PresenterHeader>
      <main className="grid flex-1 gap-4 p-4 lg:min-h-0 lg:grid-cols-[minmax(0,1fr)_minmax(18rem,26rem)]">
        <section aria-label="Current slide" className="flex min-h-0 flex-col gap-2">
          <div style={ratio} className="relative aspect-(--slide-ratio) w-full overflow-hidden rounded-xl bg-black lg:aspect-auto lg:min-h-0 lg:flex-1">
            <SlidePicture key={`${state.deck}:${state.slide}`} slide={state} sizes="(min-width: 1024px) 70vw, 100vw" priority />
            {state.blackout && (
              <div className="absolute inset-0 flex items-center justify-center bg-black/85">
                <Badge tone="warning" className="px-4 py-2 text-base">
                  Audience sees a black screen · next press shows the slide
                </Badge>
              </div>
            )}
            {state.qr && !state.blackout && (
              <div className="absolute inset-x-0 bottom-0 flex justify-center p-3">
                <Badge tone="warning" className="px-4 py-2 text-base">
                  The room display shows the join QR · next press takes it down
                </Badge>
              </div>
            )}
            {digits && (
              <div className="absolute inset-0 flex items-center justify-center bg-black/60" aria-hidden>
                <span className="rounded-2xl bg-slate-900 px-8 py-4 font-mono text-6xl font-bold tabular-nums shadow-2xl">
                  {digits}
                  <span className="animate-pulse text-sky-400">_</span>
                </span>
              </div>
            )}
          </div>
          <div className="flex flex-wrap items-center justify-between gap-2 text-slate-300">
            <p aria-live="polite" aria-atomic>
              <span className="text-2xl font-bold text-white">Slide {state.slide}</span> of {state.count}
              {digits && <span className="sr-only">, going to slide {digits}, press Enter</span>}
            </p>
            <p className="text-sm text-slate-400">{state.alt}</p>
          </div>
        </section>

        <aside className="flex min-h-0 flex-col gap-4 lg:overflow-y-auto">
          <SlideControls
            slide={state.slide}
            count={state.count}
            blackout={state.blackout}
            onNext={actions.next}
            onPrevious={actions.previous}
            onGoTo={actions.goTo}
            onToggleBlackout={actions.toggleBlackout}
          />
          <SpeakerNotes deck={deck} deckId={state.deck} slide={state.slide} />
          <section aria-label="Next slide" className="flex flex-col gap-2">
            <h2 className="text-sm font-semibold uppercase tracking-wider text-slate-400">
              Next{next ? ` · slide ${next.slide}` : ''}
            </h2>
            <div style={ratio} className="relative aspect-(--slide-ratio) w-full overflow-hidden rounded-xl bg-black">
              {next ? (
                <SlidePicture key={`${state.deck}:${next.slide}`} slide={next} sizes="26rem" />
              ) : (
                <p className="flex size-full items-center justify-center text-slate-400">
                  {deck ? 'End of the deck' : deckLoad.status === 'failed' ? 'Could not load the deck' : 'Loading…'}
                </p>
              )}
            </div>
          </section>
          {state.text && (
            <details className="rounded-xl bg-slate-900 p-3 text-slate-300">
              <summary className="cursor-pointer font-semibold text-slate-100">Slide text</summary>
              <p className="mt-2 max-h-40 overflow-y-auto whitespace-pre-line text-sm">{state.text}</p>
            </details>
          )}
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" size="sm" disabled={!deck} onClick={() => setOverviewOpen(true)}>
              All slides <kbd className="rounded border border-current/40 px-1.5 font-mono text-xs opacity-70">G</kbd>
            </Button>
            <RemotePanel />
          </div>
          <KeyHints />
        </aside>
      </main>
      {deck ? (
        <ThumbnailStrip deck={deck} current={state.slide} onJump={actions.goTo} />
      ) : deckLoad.status === 'failed' ? (
        <p role="alert" className="border-t border-slate-800 px-4 py-3 text-red-300">
          The slide list could not be loaded: {deckLoad.error}
        </p>
      ) : null}
      {deck && <SlideOverview open={overviewOpen} deck={deck} current={state.slide} onJump={actions.goTo} onClose={() => setOverviewOpen(false)} />}
      <RemoteBar slide={state.slide} count={state.count} blackout={state.blackout} onNext={actions.next} onPrevious={actions.previous} onToggleBlackout={actions.toggleBlackout} />
      <CommandToast />
    </div>
  );
}

function KeyHints() {
  const hints: Array<[string, string]> = [
    ['→ Space PgDn', 'next (first clears QR / black)'],
    ['← PgUp', 'previous'],
    ['12 Enter', 'go to slide 12'],
    ['Home End', 'first / last'],
    ['B', 'black out'],
    ['G O', 'all slides (Esc closes)'],
  ];
  return (
    <dl className="hidden grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm text-slate-400 lg:grid">
      {hints.map(([keys, action]) => (
        <div key={keys} className="contents">
          <dt className="font-mono text-slate-300">{keys}</dt>
          <dd>{action}</dd>
        </div>
      ))}
    </dl>
  );
}
