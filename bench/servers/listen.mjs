// Every bench server: the same Node timeouts as our server (server/index.ts), 127.0.0.1 only, and
// `READY <port>` on stdout once listening. Port from argv[2] (0 = any free port).
export function listen(server) {
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`READY ${server.address().port}`));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
}

/** Read a request body (small: the presenter's publish). */
export function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', () => resolve(''));
  });
}
