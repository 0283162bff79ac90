/**
 * The presenter's HTTP API (docs/api.md), typed. Browser-only; same origin, so the session cookie
 * rides along. Every failure is an `ApiFailure` carrying the status, the server's stable error
 * `code` (decide on that) and its error text (show that).
 * The audience page never imports this module: it learns everything over Bayeux.
 */
import type { ApiError, ApiErrorCode, DeckDetail, DeckSummary, PresenterCommand, SlideshowState } from '@/lib/slideshow';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Undefined when there was no answer, or one that is not an `ApiError` (a proxy's page). */
    readonly code?: ApiErrorCode,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** 0 means the request never got an answer (offline, server down). */
export const NETWORK_FAILURE = 0;

async function request<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(path, {
      credentials: 'same-origin',
      cache: 'no-store',
      ...rest,
      headers: { Accept: 'application/json', ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
  } catch {
    throw new ApiFailure(NETWORK_FAILURE, 'The server cannot be reached. Check the network and try again.');
  }
  if (!response.ok) throw await failureOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function failureOf(response: Response): Promise<ApiFailure> {
  const body = (await response.json().catch(() => undefined)) as Partial<ApiError> | undefined;
  return new ApiFailure(response.status, body?.error ?? `${response.status} ${response.statusText}`.trim(), body?.code, body?.file);
}

export const api = {
  session: () => request<{ presenter: boolean; audienceUrl?: string; publicUrl?: string }>('/api/session'),
  signIn: (key: string) => request<void>('/api/session', { method: 'POST', json: { key } }),
  signOut: () => request<void>('/api/session', { method: 'DELETE' }),
  /** Every device signed in as the presenter is signed out (this one too). */
  signOutEverywhere: () => request<void>('/api/sessions', { method: 'DELETE' }),
  presenterToken: () => request<{ token: string; expiresAt: number }>('/api/presenter/token'),
  decks: () => request<DeckSummary[]>('/api/decks'),
  deck: (id: string) => request<DeckDetail>(`/api/decks/${encodeURIComponent(id)}`),
  renameDeck: (id: string, title: string) => request<DeckSummary>(`/api/decks/${encodeURIComponent(id)}`, { method: 'PATCH', json: { title } }),
  deleteDeck: (id: string, force = false) => request<void>(`/api/decks/${encodeURIComponent(id)}${force ? '?force=1' : ''}`, { method: 'DELETE' }),
  /** "" removes the notes. Answers the slide as the deck detail has it. */
  setNotes: (id: string, slide: number, notes: string) =>
    request<DeckDetail['slides'][number]>(`/api/decks/${encodeURIComponent(id)}/slides/${slide}`, { method: 'PATCH', json: { notes } }),
  /** "" goes back to the default alt text. Answers the slide as the deck detail has it. */
  setAlt: (id: string, slide: number, alt: string) =>
    request<DeckDetail['slides'][number]>(`/api/decks/${encodeURIComponent(id)}/slides/${slide}`, { method: 'PATCH', json: { alt } }),
  remoteCode: () => request<{ url: string; expiresAt: number }>('/api/presenter/remote-code', { method: 'POST', json: {} }),
  live: () => request<SlideshowState>('/api/live'),
  command: (command: PresenterCommand) => request<SlideshowState>('/api/live', { method: 'POST', json: command }),
};
