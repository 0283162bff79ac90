// The WebSocket floor: no Bayeux at all. On POST /publish it builds one WebSocket text frame
// (header and payload, `[{"channel":"/slideshow/change","data":<body>}]`) once and writes those
// same bytes to every socket's TCP connection. Nothing can deliver a slide faster than this.
import http from 'node:http';
import { WebSocketServer, Sender } from 'ws';
import { listen, readBody } from './listen.mjs';

const sockets = new Set();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    const body = await readBody(req);
    const payload = Buffer.from(`[{"channel":"/slideshow/change","data":${body}}]`);
    const frame = Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
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
    ws.on('close', () => sockets.delete(raw));
  });
});
listen(server);
