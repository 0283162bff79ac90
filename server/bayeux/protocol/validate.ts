/**
 * Shape checks every message passes before any handler sees it: an object with a string `channel`,
 * and, where present, a short string `id`, a string `clientId` and an object `ext`; never an `error`
 * (a reply field, which incoming extensions set to refuse a message). A message that fails gets an
 * unsuccessful reply naming the field; nothing else happens.
 */
import type { Message } from '../../../lib/bayeux/index';
import { BayeuxError, isPlainObject, MAX_CHANNEL_LENGTH, MAX_ID_LENGTH } from '../../../lib/bayeux/index';

/** Channel used to answer a message whose own channel cannot be echoed. */
export const INVALID_CHANNEL_REPLY = '/meta/invalid';

export type Checked = { ok: true; message: Message } | { ok: false; reply: Message };

export function checkMessage(raw: unknown): Checked {
  if (!isPlainObject(raw)) return refuse({ channel: INVALID_CHANNEL_REPLY }, BayeuxError.invalidMessage('message must be a JSON object'));
  const { channel, id, clientId, ext, error } = raw;
  const echo: Message = { channel: INVALID_CHANNEL_REPLY };
  if (typeof id === 'string' && id.length <= MAX_ID_LENGTH) echo.id = id;
  if (id !== undefined && echo.id === undefined) return refuse(echo, BayeuxError.invalidParameter('id'));
  if (channel === undefined) return refuse(echo, BayeuxError.missingParameter('channel'));
  if (typeof channel !== 'string' || channel.length > MAX_CHANNEL_LENGTH || channel[0] !== '/') {
    return refuse(echo, BayeuxError.channelInvalid(typeof channel === 'string' ? channel.slice(0, 64) : ''));
  }
  echo.channel = channel;
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId.length > 128)) {
    return refuse(echo, BayeuxError.invalidParameter('clientId'));
  }
  if (ext !== undefined && !isPlainObject(ext)) return refuse(echo, BayeuxError.invalidParameter('ext'));
  if (error !== undefined) return refuse(echo, BayeuxError.invalidParameter('error'));
  return { ok: true, message: raw as Message };
}

function refuse(echo: Message, error: string): Checked {
  return { ok: false, reply: { ...echo, successful: false, error } };
}
