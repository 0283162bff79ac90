// An attacker in a process of its own (so the server under test keeps its event loop to itself),
// driven by the adversarial tests. Usage: node attacker.mjs <mode> <json options>. It prints one
// line "ready" once its attack is under way, and one JSON summary line when done (or on SIGTERM).
//   handshake-flood {url, count, window, timeMs}: one WebSocket sends `count` handshakes, `window` in flight
//   never-read {port, count, partial}: `count` connections that send a partial request (or nothing) and never read
//   slowloris {port, count, byteEveryMs}: `count` connections trickling request headers one byte at a time, never reading
//   many-sockets {url, sockets, perSocket, localAddress}: `sockets` WebSockets from `localAddress`, each handshaking `perSocket` times
import net from 'node:net';
import { WebSocket } from 'ws';

const [mode, raw] = process.argv.slice(2);
const options = JSON.parse(raw ?? '{}');
const summary = { mode, sent: 0, accepted: 0, refused: {}, closed: undefined, errors: 0, closedByServer: 0 };
const done = () => {
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(0);
};
process.on('SIGTERM', done);

if (mode === 'handshake-flood') floodHandshakes();
else if (mode === 'never-read') holdConnections((socket) => {
  if (options.partial) socket.write('GET /api/live HTTP/1.1\r\nHost: x\r\nX-Pad: ');
});
else if (mode === 'slowloris') holdConnections((socket) => {
  const request = `GET /api/live HTTP/1.1\r\nHost: x\r\n${'X-Slow: ' + 'a'.repeat(4000)}\r\n\r\n`;
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= request.length) return clearInterval(timer);
    socket.write(request[at++]);
  }, options.byteEveryMs);
});
else if (mode === 'many-sockets') manySockets();
else throw new Error(`unknown mode ${mode}`);

function manySockets() {
  let finished = 0;
  for (let s = 0; s < options.sockets; s++) {
    const ws = new WebSocket(options.url, { localAddress: options.localAddress });
    let sent = 0;
    const next = () => {
      if (sent === options.perSocket) return ws.close();
      summary.sent++;
      ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: String(++sent) }]));
    };
    ws.on('open', next);
    ws.on('message', (data) => {
      for (const reply of JSON.parse(String(data))) {
        if (reply.channel !== '/meta/handshake') continue;
        if (reply.successful) summary.accepted++;
        else summary.refused[reply.error] = (summary.refused[reply.error] ?? 0) + 1;
        next();
      }
    });
    ws.on('error', () => summary.errors++);
    // Sessions stay (until they expire) once their socket closes: that is the point of the attack.
    ws.on('close', () => {
      if (++finished === options.sockets) done();
    });
  }
  process.stdout.write('ready\n');
}

function floodHandshakes() {
  const ws = new WebSocket(options.url);
  let inFlight = 0;
  const deadline = Date.now() + options.timeMs;
  const pump = () => {
    while (inFlight < options.window && summary.sent < options.count && Date.now() < deadline && ws.readyState === WebSocket.OPEN) {
      inFlight++;
      summary.sent++;
      ws.send(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: String(summary.sent) }]));
    }
    if (inFlight === 0 && (summary.sent >= options.count || Date.now() >= deadline)) ws.close();
  };
  ws.on('open', () => {
    process.stdout.write('ready\n');
    pump();
  });
  ws.on('message', (data) => {
    for (const reply of JSON.parse(String(data))) {
      if (reply.channel !== '/meta/handshake') continue;
      inFlight--;
      if (reply.successful) summary.accepted++;
      else summary.refused[reply.error] = (summary.refused[reply.error] ?? 0) + 1;
    }
    pump();
  });
  ws.on('error', () => summary.errors++);
  ws.on('close', (code) => {
    summary.closed = code;
    done();
  });
}

function holdConnections(start) {
  // Stay until told to stop, even once the server has cut every connection.
  setInterval(() => {}, 1_000);
  let open = 0;
  for (let i = 0; i < options.count; i++) {
    const socket = net.connect(options.port, '127.0.0.1');
    socket.pause(); // never read: what the server sends stays in the kernel's buffers
    socket.on('connect', () => {
      start(socket);
      if (++open === options.count) process.stdout.write('ready\n');
    });
    socket.on('error', () => summary.errors++);
    socket.on('close', () => summary.closedByServer++);
  }
}
