/**
 * Who this node is, made once per process and shared by everything that speaks for the node on
 * Redis (the Bayeux broker, an application's shared state), so they all agree on it.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export interface NodeIdentity {
  /** A label for logs and Redis `CLIENT LIST` (e.g. NODE_ID; default `<hostname>-<pid>`). */
  readonly name: string;
  /**
   * The name plus a random suffix: unique among the nodes even when two are given the same name,
   * so each can tell its own messages on a shared channel from the others'.
   */
  readonly instance: string;
}

/** `name` must not contain `|`: messages on shared channels put the instance before a `|`. */
export function nodeIdentity(name = `${hostname()}-${process.pid}`): NodeIdentity {
  if (name.includes('|')) throw new TypeError(`nodeIdentity: the node name must not contain "|", got ${JSON.stringify(name)}`);
  return { name, instance: `${name}~${randomBytes(4).toString('hex')}` };
}
