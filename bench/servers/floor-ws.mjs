// The WebSocket floor: no Bayeux at all. On POST /publish it builds one WebSocket text frame
// (header and payload, `[{"channel":"/slideshow/change","data":<body>}]`) once and writes those
// same bytes to every socket's TCP connection. Nothing can deliver a slide faster than this.
// A socket that opens is sent the last frame at once (the floor of a replay on subscribe).
import http from 'node:http';
import { WebSocketServer, Sender } from 'ws';
import { listen, readBody } from './listen.mjs';
import { initialReplay } from './replay.mjs';

const sockets = new Set();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
const frameOf = (data) => {
  const payload = Buffer.from(`[{"channel":"/slideshow/change","data":${data}}]`);
  return Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
};
const seeded = initialReplay();
let last = seeded ? frameOf(seeded) : undefined;

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const frame = (last = frameOf(await readBody(req)));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('[{"successful":true}]');
    for (const socket of sockets) socket.write(frame);
    return;
  }
  if (req.url === '/stats') return res.end(JSON.stringify({ connections: sockets.size }));
  res.writeHead(404).end();
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    const raw = ws._socket;
    sockets.add(raw);
    if (last) raw.write(last);
    ws.on('close', () => sockets.delete(raw));
  });
});
listen(server);
