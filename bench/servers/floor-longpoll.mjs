// The long-polling floor: no Bayeux at all. A phone POSTs /poll?last=<n>; the request is held
// until the next publish (or 25 s). On POST /publish the body `[{"channel":"/slideshow/change",
// "data":<body>}]` is encoded once and every held request is answered with those same bytes.
// A poll that missed frames (it was on its way back) gets them at once, so nothing is lost.
// Joining (`?last=-2`) is answered at once: one round trip, the floor of a handshake, carrying the
// last frame published if there is one (the floor of a replay on subscribe).
import http from 'node:http';
import { listen, readBody } from './listen.mjs';
import { initialReplay } from './replay.mjs';

const TIMEOUT_MS = 25_000;
const events = []; // event JSON per seq (seq = index + 1)
let held = []; // [res, heldAt]
let empty = bodyOf(0, '[]');
const seeded = initialReplay();
if (seeded) {
  events.push(`{"channel":"/slideshow/change","data":${seeded}}`);
  empty = bodyOf(events.length, '[]');
}

function bodyOf(seq, json) {
  const body = Buffer.from(json);
  return { body, headers: ['Content-Type', 'application/json', 'Content-Length', String(body.length), 'X-Seq', String(seq)] };
}

function answer(res, { body, headers }) {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(200, headers);
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  const url = req.url ?? '';
  if (req.method === 'POST' && url.startsWith('/poll')) {
    req.resume();
    const last = Number(new URL(url, 'http://x').searchParams.get('last') ?? -1);
    if (last === -2) return answer(res, events.length > 0 ? bodyOf(events.length, `[${events[events.length - 1]}]`) : empty); // joining: at once, with the current seq
    if (last >= 0 && last < events.length) return answer(res, bodyOf(events.length, `[${events.slice(last).join(',')}]`));
    held.push([res, Date.now()]);
    return;
  }
  if (req.method === 'POST' && url === '/publish') {
    const data = await readBody(req);
    events.push(`{"channel":"/slideshow/change","data":${data}}`);
    const frame = bodyOf(events.length, `[${events[events.length - 1]}]`);
    empty = bodyOf(events.length, '[]');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('[{"successful":true}]');
    const waiting = held;
    held = [];
    for (const [pending] of waiting) answer(pending, frame);
    return;
  }
  if (url === '/stats') return res.end(JSON.stringify({ held: held.filter(([r]) => !r.destroyed).length }));
  res.writeHead(404).end();
});
setInterval(() => {
  const deadline = Date.now() - TIMEOUT_MS;
  const expired = held.filter(([, at]) => at < deadline);
  if (expired.length === 0) return;
  held = held.filter(([, at]) => at >= deadline);
  for (const [res] of expired) answer(res, empty);
}, 1_000).unref();
listen(server);
