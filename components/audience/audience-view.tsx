'use client';
import { useEffect } from 'react';
import { connectSlideshow } from '@/lib/client/connection';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { Announcer } from './announcer';
import { EndedScreen } from './ended-screen';
import { LiveSlide } from './live-slide';
import { useScreenOn, type ScreenOn } from './use-screen-on';
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
  // The screen stays on while a talk is live, and is let go at its end.
  const screenOn = useScreenOn(useSlideshowStore((s) => s.state?.live === true));
  return (
    <main className="min-h-dvh bg-slate-950 text-white">
      <Announcer />
      <Screen screenOn={screenOn} />
    </main>
  );
}

function Screen({ screenOn }: { screenOn: ScreenOn }) {
  const state = useSlideshowStore((s) => s.state);
  if (!state) return <WaitingScreen connecting />;
  if (!state.live) return state.ended ? <EndedScreen /> : <WaitingScreen title={state.title} />;
  return <LiveSlide screenOn={screenOn} />;
}
