'use client';
import { useEffect, useState } from 'react';
import { SlidePicture } from '@/components/slides/slide-picture';
import { connectSlideshow } from '@/lib/client/connection';
import { chooseJoinUrl, fetchJoinUrls } from '@/lib/client/join-url';
import type { LiveState } from '@/lib/slideshow';
import { useSlideshowStore } from '@/lib/stores/slideshow-store';
import { RoomJoin } from './room-join';
import { useFullscreenOnPress } from './use-fullscreen-on-press';

/**
 * /room: an audience client (it subscribes like a phone and is sent only what a phone is) that
 * draws the talk for the projector: no controls, no status dot, no cursor.
 */
export function RoomView() {
  useEffect(() => {
    const connection = connectSlideshow({ url: `${window.location.origin}/bayeux` });
    return () => connection.disconnect();
  }, []);
  useFullscreenOnPress();
  const joinUrl = useRoomJoinUrl();
  const state = useSlideshowStore((s) => s.state);
  return (
    <main className="fixed inset-0 cursor-none select-none overflow-hidden bg-black text-white">
      {state?.live ? (
        <RoomSlide state={state} joinUrl={joinUrl} />
      ) : (
        <RoomJoin joinUrl={joinUrl} title={state ? (state.title ?? (state.ended ? 'The talk has ended' : 'The talk will start soon')) : 'Connecting…'} />
      )}
    </main>
  );
}

/** The live slide; pure black (nothing drawn at all) in a blackout; the join QR over it when asked. */
function RoomSlide({ state, joinUrl }: { state: LiveState; joinUrl: string | undefined }) {
  const showing = state.blackout ? 'The screen is blank.' : `Slide ${state.slide} of ${state.count}.`;
  return (
    <>
      <h1 className="sr-only">{state.title}</h1>
      <p aria-live="polite" aria-atomic className="sr-only">
        {showing}
      </p>
      {!state.blackout && <SlidePicture key={`${state.deck}:${state.slide}:${state.src}`} slide={state} priority />}
      {state.qr && <RoomJoin joinUrl={joinUrl} overlay title={state.title} />}
    </>
  );
}

/** The audience link: PUBLIC_URL, else the server's address when this page is on the server itself, else this origin. */
function useRoomJoinUrl(): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    void fetchJoinUrls(abort.signal).then(({ audienceUrl, publicUrl }) => {
      if (!abort.signal.aborted) setUrl(chooseJoinUrl(window.location.origin, audienceUrl, publicUrl));
    });
    return () => abort.abort();
  }, []);
  return url;
}
