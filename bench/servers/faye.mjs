// Peer: Faye 1.4.3 (NodeAdapter, in-memory engine) on a plain http.Server. Same hold timeout as
// ours (25 s) and the same Node server timeouts. Long-polling and WebSocket on /bayeux.
// One server-side extension, for the join-mid-talk and reconnect-storm cases: a client that
// subscribes to /slideshow/change is sent the last state published there, as ours sends its
// current state (Faye has no such thing; the bench publishes the same bytes ours replays).
import http from 'node:http';
import faye from 'faye';
import { listen } from './listen.mjs';
import { initialReplay } from './replay.mjs';

const CHANNEL = '/slideshow/change';
const adapter = new faye.NodeAdapter({ mount: '/bayeux', timeout: 25 });
const seeded = initialReplay();
let last = seeded === undefined ? undefined : JSON.parse(seeded);

adapter.addExtension({
  incoming(message, callback) {
    if (message.channel === CHANNEL && message.data !== undefined) last = message.data;
    callback(message);
  },
  outgoing(message, callback) {
    const subscribed = [].concat(message.subscription ?? []);
    if (message.channel === '/meta/subscribe' && message.successful && last !== undefined && subscribed.includes(CHANNEL)) {
      // Queued for that client alone, as Faye's in-memory engine queues a publish for each
      // subscriber (its connect, held now or next, carries it).
      const clientId = message.clientId;
      const data = last;
      setImmediate(() => queueFor(clientId, { channel: CHANNEL, data }));
    }
    callback(message);
  },
});

/** What the in-memory engine's `publish` does for one subscriber (faye/src/engines/memory.js). */
function queueFor(clientId, message) {
  const memory = adapter._server._engine._engine;
  if (!memory._messages.has(clientId)) memory._messages.set(clientId, []);
  memory._messages.get(clientId).push(message);
  memory.emptyQueue(clientId);
}

const server = http.createServer();
adapter.attach(server);
listen(server);
