/**
 * The phones' side of the server, one listener per phone address, relaying each connection to the
 * server on 127.0.0.1. With `rttMs` it adds the link's propagation delay: every chunk waits half
 * the round trip in each direction, and a new connection's first bytes wait one more round trip
 * (the TCP handshake a real link would cost). The rate is the kernel's (HTB classes on the phone
 * addresses, bench/netns.ts); this process only adds the delay, which the kernels of the
 * project's machines cannot (they are built without netem).
 *
 *   node bench/net-relay.mjs '{"listen":["127.0.0.2"],"port":3000,"target":"127.0.0.1","rttMs":400}'
 *
 * Prints "ready" once every listener is up. Runs until killed.
 */
import net from 'node:net';

const config = JSON.parse(process.argv[2] ?? '{}');
const oneWay = config.rttMs / 2;

/** Chunks of one direction, each written when its time comes, in order. */
function delayedPipe(from, to, notBefore) {
  const queue = [];
  let timer;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].due <= now) to.write(queue.shift().chunk);
    if (queue.length) timer = setTimeout(flush, queue[0].due - now);
  };
  from.on('data', (chunk) => {
    queue.push({ chunk, due: Math.max(performance.now(), notBefore) + oneWay });
    timer ??= setTimeout(flush, queue[0].due - performance.now());
  });
  from.on('end', () => {
    const wait = queue.length ? queue[queue.length - 1].due - performance.now() : 0;
    setTimeout(() => to.end(), Math.max(0, wait) + 1);
  });
}

function relay(phone) {
  phone.setNoDelay(true);
  const server = net.connect({ host: config.target, port: config.port, localAddress: config.target, noDelay: true });
  const close = () => {
    phone.destroy();
    server.destroy();
  };
  phone.on('error', close).on('close', close);
  server.on('error', close).on('close', close);
  if (!config.rttMs) {
    phone.pipe(server);
    server.pipe(phone);
    return;
  }
  // The phone's first request could leave only once its SYN had been answered.
  const handshakeDone = performance.now() + config.rttMs;
  delayedPipe(phone, server, handshakeDone);
  delayedPipe(server, phone, 0);
}

let listening = 0;
for (const host of config.listen) {
  net.createServer({ noDelay: true }, relay).listen({ host, port: config.port, backlog: 2048 }, () => {
    if (++listening === config.listen.length) console.log('ready');
  });
}
