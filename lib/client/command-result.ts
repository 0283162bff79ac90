/** What sending a presenter's command answers; shared by the connection and the command sender. */
import type { PresenterCommand } from '@/lib/slideshow';

/** `sent: false` means the command never left this page, so it is safe to send another way. */
export type PublishResult = { ok: true } | { ok: false; error: string; sent: boolean };

export type SendCommand = (command: PresenterCommand) => Promise<PublishResult>;

export const NOT_CONNECTED: PublishResult = { ok: false, error: 'Not connected', sent: false };
