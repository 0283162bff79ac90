'use client';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { LiveState } from '@/lib/slideshow';
import { ConnectionIndicator } from '@/components/connection/connection-indicator';
import { buttonVariants } from '@/components/ui/button';
import { AudienceCount } from './audience-count';
import { JoinPanel } from './join-panel';
import { RoomWindowButton } from './room-window-button';
import { TalkClock } from './talk-clock';

/** The presenter's top bar: what is live, the clocks, the audience and the join link. */
export function PresenterHeader({ title, children, live }: { title: ReactNode; children?: ReactNode; live: LiveState | false }) {
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-slate-800 bg-slate-950 px-4 py-2">
      <div className="min-w-0 flex-1 basis-48">
        <p className="text-[0.7rem] font-semibold uppercase tracking-wider text-slate-400">{live ? 'Presenting' : 'Comet Deck'}</p>
        <h1 className="truncate text-lg font-bold">{title}</h1>
      </div>
      {live && <TalkClock state={live} />}
      <AudienceCount />
      <ConnectionIndicator alwaysLabel className="bg-slate-900" />
      <JoinPanel />
      <RoomWindowButton />
      <Link href="/decks" className={buttonVariants({ variant: 'ghost', size: 'sm' })}>
        Decks
      </Link>
      {children}
    </header>
  );
}
