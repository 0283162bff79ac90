/**
 * Composition root, and the only file that imports Next. One http.Server: the Bayeux endpoint
 * (long-polling, callback-polling, WebSocket upgrades) is routed to our Bayeux server, every other
 * request to Next. WebSocket upgrades: the Bayeux path is ours, `/_next/*` is Next's (dev hot
 * reload; Next attaches its own upgrade listener), any other upgrade is refused (it would hang).
 * Connections are timed and refused by http-server.ts (headers, request, keep-alive and idle
 * timeouts; sockets destroyed, never half-closed), uploads exempt from the idle one while they work.
 * SIGINT/SIGTERM: stop accepting, answer held connects, close sockets, exit.
 */
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import os from 'node:os';
import { createBayeuxServer, nodeIdentity, RedisEngine, RedisLink, type BayeuxServer, type NodeIdentity } from './bayeux/index';
import { ConfigError, loadConfig, type Config } from './config';
import { createHttpServer, refuseSocket } from './http-server';
import { bayeuxClientAddress, createSlideshow, isLongWork, type Slideshow } from './slideshow/index';
import { configureLogging, logger } from './log';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverLog = logger('server');
const redisLog = logger('redis');
const nextLog = logger('next');

export interface RunningServer {
  readonly server: http.Server;
  readonly bayeux: BayeuxServer;
  readonly slideshow: Slideshow;
  readonly url: string;
  /** Where phones should go: PUBLIC_URL, or this machine's network address. */
  readonly audienceUrl: string;
  /** Set with REDIS_URL: this node's name and its Redis link. */
  readonly redis: { readonly nodeId: string; readonly link: RedisLink } | undefined;
  shutdown(): Promise<void>;
}

/** NODE_ID, or one made of the host name and process id: the node's name in logs and in Redis. */
function nodeName(config: Config): string {
  return config.nodeId ?? `${os.hostname()}-${process.pid}`;
}

/** Several nodes (REDIS_URL): one node identity and one Redis link, shared by the Bayeux engine and the slideshow's shared state. */
function connectRedis(config: Config): { identity: NodeIdentity; link: RedisLink; engine: RedisEngine } | undefined {
  if (!config.redisUrl) return undefined;
  const identity = nodeIdentity(nodeName(config));
  const link = new RedisLink(config.redisUrl, { name: identity.name, log: (line) => redisLog.warn(line) });
  const engine = new RedisEngine(link, { identity, channel: `${config.redisPrefix}bayeux`, log: (line) => redisLog.warn(line) });
  return { identity, link, engine };
}

export async function startServer(config: Config, dev = process.env.NODE_ENV !== 'production'): Promise<RunningServer> {
  const app = next({ dev, dir: projectRoot, hostname: config.host ?? 'localhost', port: config.port });
  await app.prepare();
  const handleNext = app.getRequestHandler();
  const redis = connectRedis(config);
  const bayeux = createBayeuxServer({ ...config.bayeux, logger: logger('bayeux'), clientAddress: bayeuxClientAddress(config.trustedProxies), ...(redis ? { engine: redis.engine } : {}) });
  let slideshow: Slideshow;
  try {
    slideshow = await createSlideshow(bayeux, {
      dataDir: config.dataDir, presenterKey: config.presenterKey, publicChannels: config.publicChannels, uploadLimits: config.uploadLimits, office: config.office, publicUrl: config.publicUrl, sealedBaseUrl: config.sealedBaseUrl, keepPastMs: config.keepPastMs, trustedProxies: config.trustedProxies,
      ...(redis ? { shared: { link: redis.link, instance: redis.identity.instance, prefix: config.redisPrefix } } : {}),
    });
  } catch (error) {
    await bayeux.close();
    await redis?.link.close();
    throw error;
  }
  const toNext = (req: http.IncomingMessage, res: http.ServerResponse) =>
    handleNext(req, res).catch((error: unknown) => {
      nextLog.error(`${req.method ?? 'GET'} ${req.url?.split('?')[0] ?? '/'} failed`, error);
      if (!res.headersSent) res.writeHead(500).end('internal error');
    });
  const server = createHttpServer((req, res) => {
    if (bayeux.handleHttp(req, res)) return;
    void slideshow.handle(req, res).then((handled) => {
      if (!handled) void toNext(req, res);
    });
  }, config.http, isLongWork);
  server.on('upgrade', (req, socket, head) => {
    if (bayeux.handleUpgrade(req, socket, head)) return;
    if (req.url?.startsWith('/_next/')) return;
    refuseSocket(socket, 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}`;
  const audienceUrl = config.publicUrl ?? networkUrl(config.host, port) ?? url;
  slideshow.setAudienceUrl(audienceUrl);
  return {
    server, bayeux, slideshow, url, audienceUrl,
    redis: redis ? { nodeId: redis.identity.name, link: redis.link } : undefined,
    shutdown: async () => {
      await slideshow.close();
      await shutdown(server, bayeux, app, config.shutdownGraceMs);
      await redis?.link.close();
    },
  };
}

/** The first external IPv4 address when listening on every interface: the address phones in the room can reach. */
function networkUrl(host: string | undefined, port: number): string | undefined {
  if (host !== undefined && host !== '0.0.0.0' && host !== '::') return undefined;
  for (const addresses of Object.values(os.networkInterfaces())) {
    const external = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (external) return `http://${external.address}:${port}`;
  }
  return undefined;
}

async function shutdown(server: http.Server, bayeux: BayeuxServer, app: { close(): Promise<void> }, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await bayeux.close();
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(grace);
  await app.close().catch(() => undefined);
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    configureLogging({ level: config.logLevel, node: nodeName(config) });
  } catch (error) {
    if (error instanceof ConfigError) {
      // Plain, before logging is configured: LOG_LEVEL is part of what failed.
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (error) {
    if (isAddressInUse(error)) {
      console.error(`Cannot listen on ${config.host ?? 'every interface'} port ${config.port}: it is already in use. Stop what uses it, or set PORT to another port.`);
      process.exit(1);
    }
    throw error;
  }
  const key = running.slideshow.presenterKey;
  // Plain console.log, not the logger: these lines are the server's answer to whoever started it
  // (and tests read them), so they keep their text at every LOG_LEVEL and carry no prefix.
  console.log(`Comet Deck listening on ${running.url} (Bayeux endpoint ${running.url}${running.bayeux.options.path})`);
  console.log(`  Audience:  ${running.audienceUrl}/`);
  // PUBLIC_URL is the address other devices reach (a phone, a second laptop); `localhost` is not.
  console.log(`  Presenter: ${config.publicUrl ?? running.url}/sign-in?key=${encodeURIComponent(key.key)}`);
  console.log(`  Presenter key ${key.source === 'environment' ? 'from PRESENTER_KEY' : `kept in ${path.join(config.dataDir, '.presenter-key')}`}; data folder ${config.dataDir}`);
  if (running.redis) console.log(`  Node ${running.redis.nodeId}: sharing Bayeux, the live talk and the audience count through Redis (${running.redis.link.isUp ? 'connected' : 'not reachable yet'})`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return process.exit(1);
    stopping = true;
    serverLog.info(`${signal}: shutting down`);
    running.shutdown().then(() => process.exit(0), (error: unknown) => {
      serverLog.error('shutdown failed', error);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    serverLog.error('could not start', error);
    process.exit(1);
  });
}
