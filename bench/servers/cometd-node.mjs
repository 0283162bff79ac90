// Peer: cometd-nodejs-server 1.2.1 (long-polling only) on a plain http.Server, hold timeout 25 s.
import http from 'node:http';
import cometd from 'cometd-nodejs-server';
import { listen } from './listen.mjs';

const cometdServer = cometd.createCometDServer({ timeout: 25_000, logLevel: 'info' });
listen(http.createServer(cometdServer.handle));
