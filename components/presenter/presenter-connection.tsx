'use client';
import { useRouter } from 'next/navigation';
import { createContext, useCallback, useContext, useEffect, useRef, type ReactNode } from 'react';
import { api } from '@/lib/client/api';
import { connectSlideshow, type PublishResult, type SlideshowConnection } from '@/lib/client/connection';
import { presenterRole } from '@/lib/client/presenter-role';
import type { PresenterCommand, SlideshowState } from '@/lib/slideshow';
import { useConnectionStore } from '@/lib/stores/connection-store';
import { usePresenterStore } from '@/lib/stores/presenter-store';

type Send = (command: PresenterCommand) => Promise<PublishResult>;

const SendContext = createContext<Send | undefined>(undefined);

/** Sends a presenter command; failures also land in the presenter store for the toast. */
export function useSendCommand(): Send {
  const send = useContext(SendContext);
  if (!send) throw new Error('useSendCommand() outside <PresenterConnection>');
  return send;
}

const getToken = async () => (await api.presenterToken()).token;

/**
 * The presenter store follows the talk (for the elapsed-time clock) and the audience size. It gets
 * each state the slideshow store took, whether from a broadcast or the answer to our own command.
 */
const onState = (state: SlideshowState) => {
  const presenter = usePresenterStore.getState();
  // A replay (it carries `history`) is stamped with the time of the last change, maybe minutes
  // ago: only a fresh change tells how far the server's clock is from ours.
  if (state.live) presenter.talkSeen({ deck: state.deck, at: state.history === undefined ? state.at : undefined });
  else presenter.talkEnded();
};
const onAudienceCount = (count: number) => usePresenterStore.getState().audienceCounted(count);

/**
 * Opens the presenter's Bayeux connection while mounted (token in the handshake) and gives the
 * tree a `send` for commands. A lost sign-in sends the presenter back to /sign-in.
 */
export function PresenterConnection({ children }: { children: ReactNode }) {
  const connection = useRef<SlideshowConnection | null>(null);
  const router = useRouter();
  const problem = useConnectionStore((s) => s.problem);

  useEffect(() => {
    const opened = connectSlideshow({ url: `${window.location.origin}/bayeux`, presenter: presenterRole({ getToken, onState, onAudienceCount }) });
    connection.current = opened;
    return () => {
      opened.disconnect();
      if (connection.current === opened) connection.current = null;
    };
  }, []);

  useEffect(() => {
    if (problem === 'unauthorized') router.replace('/sign-in?next=%2Fpresenter');
  }, [problem, router]);

  const send = useCallback<Send>(async (command) => {
    const result = (await connection.current?.publishCommand(command)) ?? { ok: false, error: 'Not connected', sent: false };
    if (!result.ok) usePresenterStore.getState().commandFailed(result.error);
    return result;
  }, []);

  return <SendContext.Provider value={send}>{children}</SendContext.Provider>;
}
