'use client';
import { useEffect } from 'react';
import { connectSlideshow } from '@/lib/client/connection';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { LiveSlide } from './live-slide';
import { WaitingScreen } from './waiting-screen';

/** The audience's page: opens the connection while mounted and shows whatever the talk is at. */
export function AudienceView() {
  useEffect(() => {
    const connection = connectSlideshow({ url: `${window.location.origin}/bayeux` });
    return () => connection.disconnect();
  }, []);
  const state = useSlideshowStore((s) => s.state);
  if (!state) return <WaitingScreen connecting />;
  if (!state.live) return <WaitingScreen title={state.title} />;
  return <LiveSlide />;
}
