/**
 * Opens the room display (/room) in its own window. Where the browser offers the Window
 * Management API (`getScreenDetails`, Chromium) and the desktop spans several screens, the window
 * fills another screen (the projector); the browser asks the presenter once for the permission
 * (if that question outlasts the click's activation, the browser blocks the window: the presenter
 * is told, and the next click opens it). Elsewhere, or with a single screen, it opens as an
 * ordinary window to drag there. Either way a click or key in it makes it full screen (a page may
 * only go full screen on a user's press).
 */
export const ROOM_PATH = '/room';
/** One room window: opening it again brings the same one back instead of a second. */
const ROOM_WINDOW_NAME = 'cometdeck-room';

interface ScreenArea {
  availLeft: number;
  availTop: number;
  availWidth: number;
  availHeight: number;
}
interface ScreenDetails {
  screens: ScreenArea[];
  currentScreen: ScreenArea;
}
type WindowWithScreens = Window & { getScreenDetails?: () => Promise<ScreenDetails> };

/** Where the room window goes: `{ placed: true }` when it covers another screen. */
export async function openRoomWindow(): Promise<{ opened: boolean; placed: boolean }> {
  const other = await otherScreen();
  const features = other
    ? `popup,left=${other.availLeft},top=${other.availTop},width=${other.availWidth},height=${other.availHeight}`
    : 'popup,width=1280,height=720';
  const room = window.open(ROOM_PATH, ROOM_WINDOW_NAME, features);
  room?.focus();
  return { opened: room !== null, placed: other !== undefined };
}

/** A screen other than the presenter's, if the browser can tell (and is allowed to). */
async function otherScreen(): Promise<ScreenArea | undefined> {
  const getScreenDetails = (window as WindowWithScreens).getScreenDetails;
  // One screen (`isExtended` false): nothing to place, and no reason to ask for the permission.
  if (typeof getScreenDetails !== 'function' || (window.screen as Screen & { isExtended?: boolean }).isExtended === false) return undefined;
  try {
    const details = await getScreenDetails.call(window);
    return details.screens.find((screen) => screen !== details.currentScreen);
  } catch {
    // Permission refused, or no longer allowed to ask: an ordinary window does.
    return undefined;
  }
}
