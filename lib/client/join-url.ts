/**
 * The link the audience opens, as the presenter's join panel and the room display show it: the
 * page's origin, as phones reach the server the way this browser does; except when this browser
 * is on the server itself (localhost), which no phone can open: then the address the server
 * reports (`GET /api/join`: its network address). When the server has a
 * PUBLIC_URL (`publicUrl`, told to presenters) it is the link, whatever address this page was opened at.
 */
const LOOPBACK = /^https?:\/\/(localhost|127(\.\d+){3}|\[::1\])(:\d+)?$/;

export function chooseJoinUrl(origin: string, fromServer: string | undefined, publicUrl?: string): string {
  if (publicUrl) return publicUrl;
  if (fromServer && (origin === '' || LOOPBACK.test(origin))) return fromServer;
  return `${origin}/`;
}

/** The server's audience link and PUBLIC_URL, public (`GET /api/join`): for pages that need no sign-in, as the room display. */
export async function fetchJoinUrls(signal?: AbortSignal): Promise<{ audienceUrl?: string; publicUrl?: string }> {
  try {
    const response = await fetch('/api/join', { cache: 'no-store', signal });
    if (!response.ok) return {};
    const body = (await response.json()) as { audienceUrl?: unknown; publicUrl?: unknown };
    return {
      ...(typeof body.audienceUrl === 'string' ? { audienceUrl: body.audienceUrl } : {}),
      ...(typeof body.publicUrl === 'string' ? { publicUrl: body.publicUrl } : {}),
    };
  } catch {
    return {};
  }
}
