'use client';
import { useSyncExternalStore } from 'react';
import { usePresenterStore } from '@/lib/stores/presenter-store';

const subscribe = () => () => undefined;

/** `location.origin` in the browser, '' while rendering on the server. */
export function useOrigin(): string {
  return useSyncExternalStore(subscribe, () => window.location.origin, () => '');
}

const LOOPBACK = /^https?:\/\/(localhost|127(\.\d+){3}|\[::1\])(:\d+)?$/;

/**
 * The link the audience opens: PUBLIC_URL when the server has one (the address the operator chose
 * for everyone); else this page's origin, as phones reach the server the way the
 * presenter does; except when the presenter is on the server itself (localhost), which no phone
 * can open: then the address the server reports (PUBLIC_URL or its network address).
 */
export function useJoinUrl(): string {
  const origin = useOrigin();
  const fromServer = usePresenterStore((s) => s.serverAudienceUrl);
  const publicUrl = usePresenterStore((s) => s.publicUrl);
  if (publicUrl) return publicUrl;
  if (fromServer && (origin === '' || LOOPBACK.test(origin))) return fromServer;
  return `${origin}/`;
}
