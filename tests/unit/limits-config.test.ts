/**
 * The network limits of server/config.ts: per-socket and per-address session limits, handshake and
 * subscribe rates (BAYEUX_*), and the HTTP connection timeouts (HTTP_*_TIMEOUT_MS), each validated
 * with its name in the message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../server/config';
import { configProblems } from '../helpers/config';
import { DEFAULT_OPTIONS } from '../../server/bayeux/index';
import { DEFAULT_HTTP_TIMEOUTS } from '../../server/http-server';

const problems = configProblems;

describe('network limits configuration', () => {
  test('unset, the defaults apply', () => {
    const config = loadConfig({});
    assert.deepEqual(config.http, DEFAULT_HTTP_TIMEOUTS);
    assert.equal(config.bayeux.maxSessionsPerSocket, undefined);
    assert.equal(DEFAULT_OPTIONS.maxSessionsPerSocket, 4);
    assert.equal(DEFAULT_OPTIONS.maxSessionsPerAddress, 1_000);
  });

  test('each variable sets its limit', () => {
    const config = loadConfig({
      BAYEUX_MAX_SESSIONS_PER_SOCKET: '2', BAYEUX_MAX_SESSIONS_PER_ADDRESS: '50', BAYEUX_HANDSHAKES_PER_SECOND: '7',
      BAYEUX_HANDSHAKE_BURST: '70', BAYEUX_SUBSCRIBES_PER_SECOND: '3', BAYEUX_SUBSCRIBE_BURST: '9',
      HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '30000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000', HTTP_IDLE_TIMEOUT_MS: '40000',
    });
    assert.deepEqual(
      [config.bayeux.maxSessionsPerSocket, config.bayeux.maxSessionsPerAddress, config.bayeux.handshakesPerSecondPerAddress,
        config.bayeux.handshakeBurstPerAddress, config.bayeux.subscribesPerSecondPerSession, config.bayeux.subscribeBurstPerSession],
      [2, 50, 7, 70, 3, 9],
    );
    assert.deepEqual(config.http, { headersTimeoutMs: 2_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 40_000, checkIntervalMs: 200 });
  });

  test('bad values are refused with the variable named', () => {
    assert.match(problems({ BAYEUX_MAX_SESSIONS_PER_SOCKET: '0' })[0]!, /^BAYEUX_MAX_SESSIONS_PER_SOCKET must be an integer from 1/);
    assert.match(problems({ BAYEUX_HANDSHAKES_PER_SECOND: 'fast' })[0]!, /^BAYEUX_HANDSHAKES_PER_SECOND must be an integer/);
    assert.match(problems({ HTTP_HEADERS_TIMEOUT_MS: '-1' })[0]!, /^HTTP_HEADERS_TIMEOUT_MS must be an integer/);
    assert.match(problems({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })[0]!, /HTTP_REQUEST_TIMEOUT_MS .* must not be shorter than HTTP_HEADERS_TIMEOUT_MS/);
    assert.match(problems({ HTTP_IDLE_TIMEOUT_MS: '20000' })[0]!, /HTTP_IDLE_TIMEOUT_MS \(20000\) must be longer than a held long poll \(BAYEUX_TIMEOUT_MS, 25000\)/);
    assert.deepEqual(problems({ HTTP_IDLE_TIMEOUT_MS: '20000', BAYEUX_TIMEOUT_MS: '10000' }), []);
  });
});
