// Peer: cometd-nodejs-server 1.2.1 (long-polling only) on a plain http.Server, hold timeout 25 s,
// with its acknowledged-messages extension: a phone that asks for ack in its handshake (as
// cometd's AckExtension does) gets it, as from our server.
import http from 'node:http';
import cometd from 'cometd-nodejs-server';
import ackExtension from 'cometd-nodejs-server/ack-extension.js';
import { listen } from './listen.mjs';

const cometdServer = cometd.createCometDServer({ timeout: 25_000, logLevel: 'info' });
cometdServer.addExtension(new ackExtension.AcknowledgedMessagesExtension());
listen(http.createServer(cometdServer.handle));
