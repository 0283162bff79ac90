'use client';
import { Spinner } from '@/components/ui/spinner';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { CommandToast } from './command-toast';
import { DeckChooser } from './deck-chooser';
import { LiveConsole } from './live-console';
import { PresenterConnection } from './presenter-connection';
import { PresenterHeader } from './presenter-header';
import { RequirePresenter } from '@/components/access/require-presenter';

/** /presenter: signed-in check, the presenter's connection, then the view for the talk's state. */
export function PresenterPage() {
  return (
    <RequirePresenter>
      <PresenterConnection>
        <PresenterView />
      </PresenterConnection>
    </RequirePresenter>
  );
}

function PresenterView() {
  const state = useSlideshowStore((s) => s.state);
  if (state?.live) return <LiveConsole state={state} />;
  return (
    <div className="flex min-h-dvh flex-col">
      <PresenterHeader live={false} title={state ? 'Not presenting' : 'Connecting…'} />
      <main className="flex flex-1 flex-col">
        {state ? (
          <DeckChooser />
        ) : (
          <div className="flex flex-1 items-center justify-center gap-3 text-slate-400">
            <Spinner /> Connecting to the talk…
          </div>
        )}
      </main>
      <CommandToast />
    </div>
  );
}
