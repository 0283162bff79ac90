import { ConnectionIndicator } from '@/components/connection/connection-indicator';

export interface WaitingScreenProps {
  /** The talk's title, when the presenter chose one. */
  title?: string;
  /** Nothing heard from the server yet. */
  connecting?: boolean;
}

/** Before the talk starts (or before the first state arrives). */
export function WaitingScreen({ title, connecting = false }: WaitingScreenProps) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center gap-6 bg-slate-950 px-6 py-12 text-center">
      <p className="text-sm font-semibold uppercase tracking-[0.2em] text-sky-400">Comet Deck</p>
      <h1 className="max-w-3xl text-balance text-3xl font-bold leading-tight sm:text-5xl">
        {connecting ? 'Joining the talk…' : (title ?? 'The talk will start soon')}
      </h1>
      <p className="max-w-md text-pretty text-lg text-slate-300">
        {connecting
          ? 'Connecting to the presenter.'
          : 'Keep this page open: the slides appear here as soon as the presenter starts, and follow along live.'}
      </p>
      <ConnectionIndicator alwaysLabel />
    </div>
  );
}
