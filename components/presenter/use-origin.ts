'use client';
import { useSyncExternalStore } from 'react';
import { chooseJoinUrl } from '@/lib/client/join-url';
import { usePresenterStore } from '@/lib/stores/presenter-store';

const subscribe = () => () => undefined;

/** `location.origin` in the browser, '' while rendering on the server. */
export function useOrigin(): string {
  return useSyncExternalStore(subscribe, () => window.location.origin, () => '');
}

/** The link the audience opens (see lib/client/join-url.ts): PUBLIC_URL when the server has one. */
export function useJoinUrl(): string {
  const origin = useOrigin();
  const fromServer = usePresenterStore((s) => s.serverAudienceUrl);
  const publicUrl = usePresenterStore((s) => s.publicUrl);
  return chooseJoinUrl(origin, fromServer, publicUrl);
}
