'use client';
import { useEffect } from 'react';
import { connectSlideshow } from '@/lib/client/connection';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { Announcer } from './announcer';
import { EndedScreen } from './ended-screen';
import { LiveSlide } from './live-slide';
import { WaitingScreen } from './waiting-screen';

/**
 * The audience's page: opens the connection while mounted and shows whatever the talk is at.
 * One `<main>` and one live region (Announcer) for the page's life; the screens change inside.
 */
export function AudienceView() {
  useEffect(() => {
    const connection = connectSlideshow({ url: `${window.location.origin}/bayeux` });
    return () => connection.disconnect();
  }, []);
  return (
    <main className="min-h-dvh bg-slate-950 text-white">
      <Announcer />
      <Screen />
    </main>
  );
}

function Screen() {
  const state = useSlideshowStore((s) => s.state);
  if (!state) return <WaitingScreen connecting />;
  if (!state.live) return state.ended ? <EndedScreen /> : <WaitingScreen title={state.title} />;
  return <LiveSlide />;
}
