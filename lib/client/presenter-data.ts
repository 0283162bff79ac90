/**
 * Presenter data that comes over HTTP rather than Bayeux: the live deck's detail, loaded into the
 * presenter store once per deck.
 */
import { usePresenterStore } from '@/lib/stores/presenter-store';
import { api } from './api';

export async function loadDeck(id: string): Promise<void> {
  const current = usePresenterStore.getState().deck;
  if ((current.status === 'loading' || current.status === 'loaded') && current.id === id) return;
  usePresenterStore.getState().deckRequested(id);
  try {
    usePresenterStore.getState().deckLoaded(await api.deck(id));
  } catch (error) {
    usePresenterStore.getState().deckFailed(id, error instanceof Error ? error.message : String(error));
  }
}
