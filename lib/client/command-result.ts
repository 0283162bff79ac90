/** What sending a presenter's command answers; shared by the connection and the command sender. */
import type { ApiErrorCode, PresenterCommand } from '@/lib/slideshow';

/**
 * `sent: false` means the command never left this page, so it is safe to send another way.
 * `code`: the server's stable `ApiErrorCode` when it refused the command over HTTP (Bayeux
 * refusals carry the status and reason in `error` instead).
 */
export type PublishResult = { ok: true } | { ok: false; error: string; sent: boolean; code?: ApiErrorCode };

export type SendCommand = (command: PresenterCommand) => Promise<PublishResult>;

export const NOT_CONNECTED: PublishResult = { ok: false, error: 'Not connected', sent: false };
