/**
 * The link the audience opens, as the presenter's join panel and the room display show it: the
 * page's origin, as phones reach the server the way this browser does; except when this browser
 * is on the server itself (localhost), which no phone can open: then the address the server
 * reports to a signed-in presenter (PUBLIC_URL or its network address). When the server has a
 * PUBLIC_URL (`publicUrl`, told to presenters) it is the link, whatever address this page was opened at.
 */
const LOOPBACK = /^https?:\/\/(localhost|127(\.\d+){3}|\[::1\])(:\d+)?$/;

export function chooseJoinUrl(origin: string, fromServer: string | undefined, publicUrl?: string): string {
  if (publicUrl) return publicUrl;
  if (fromServer && (origin === '' || LOOPBACK.test(origin))) return fromServer;
  return `${origin}/`;
}

/** The server's audience link, if this browser is a signed-in presenter's (cookie), else undefined. */
export async function fetchServerAudienceUrl(signal?: AbortSignal): Promise<string | undefined> {
  try {
    const response = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store', signal });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { audienceUrl?: unknown };
    return typeof body.audienceUrl === 'string' ? body.audienceUrl : undefined;
  } catch {
    return undefined;
  }
}
