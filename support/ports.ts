/** A free TCP port, for a process that must be told its port (redis-server, a restart on the same address). */
import net from 'node:net';

/** A port nothing listens on at this moment, on `host` (the OS picks it; another process could take it before use). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
