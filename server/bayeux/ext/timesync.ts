/**
 * The timesync extension (CometD `TimesyncExtension`, client `TimeSyncExtension`): lets a client
 * estimate its clock offset from the server's. The client sends `ext.timesync = {tc, l, o}` (its send
 * time, last lag and offset) on handshake and connect; the reply carries `{tc, ts, p, a}`: `ts` when
 * the server received it, `p` how long the server held it, `a` the accuracy of the client's current
 * estimate. As in CometD, the reply omits it when the client is already accurate to `accuracyTarget` ms.
 */
import type { Message } from '../../../lib/bayeux/index';
import { isPlainObject, META } from '../../../lib/bayeux/index';
import type { Extension } from '../extensions';

interface ClientSync {
  tc: number;
  l: number | undefined;
  o: number | undefined;
  ts: number;
}

export function timesyncExtension(accuracyTarget = 25, now: () => number = Date.now): Extension {
  const received = new WeakMap<Message, ClientSync>();
  return {
    name: 'timesync',
    incoming(message) {
      const sync = message.ext?.timesync;
      if ((message.channel === META.handshake || message.channel === META.connect) && isPlainObject(sync) && isFiniteNumber(sync.tc)) {
        received.set(message, { tc: sync.tc, l: finiteOrUndefined(sync.l), o: finiteOrUndefined(sync.o), ts: now() });
      }
      return message;
    },
    outgoing(message, context) {
      const sync = context.request && received.get(context.request);
      if (!sync) return message;
      const { tc, l, o, ts } = sync;
      const p = now() - ts;
      if (l === undefined || o === undefined) {
        message.ext = { ...message.ext, timesync: { tc, ts, p } };
        return message;
      }
      const a = Math.round(tc + o + l - ts);
      if (l === 0 || Math.abs(a) >= accuracyTarget) message.ext = { ...message.ext, timesync: { tc, ts, p, a } };
      return message;
    },
  };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function finiteOrUndefined(value: unknown): number | undefined {
  return isFiniteNumber(value) ? value : undefined;
}
