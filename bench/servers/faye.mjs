// Peer: Faye 1.4.3 (NodeAdapter, in-memory engine) on a plain http.Server. Same hold timeout as
// ours (25 s) and the same Node server timeouts. Long-polling and WebSocket on /bayeux.
import http from 'node:http';
import faye from 'faye';
import { listen } from './listen.mjs';

const adapter = new faye.NodeAdapter({ mount: '/bayeux', timeout: 25 });
const server = http.createServer();
adapter.attach(server);
listen(server);
