/**
 * Where to go after signing in: only a page of our own origin. The raw `next` is parsed the way a
 * browser would parse it (the WHATWG URL parser drops tabs and newlines, so `/%09/evil.example`
 * would become `//evil.example`, another host): anything with a control character, a
 * protocol-relative start (`//`, `/\`) or another origin once parsed falls back to the presenter
 * view. Shared by the server's sign-in redirect and the sign-in form.
 */
export const DEFAULT_NEXT = '/presenter';

/** Any C0 control character, DEL or C1 control character: browsers strip or misread them in URLs. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function safeNext(raw: string | null | undefined, origin = 'http://localhost'): string {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2_048) return DEFAULT_NEXT;
  if (CONTROL.test(raw) || raw.includes('\\')) return DEFAULT_NEXT;
  if (!raw.startsWith('/') || raw.startsWith('//')) return DEFAULT_NEXT;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return DEFAULT_NEXT;
  }
  if (url.origin !== new URL(origin).origin) return DEFAULT_NEXT;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? DEFAULT_NEXT : path;
}
