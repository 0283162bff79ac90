/**
 * Extensions as in Faye's `extensible.js`: `{ incoming, outgoing }` objects run in order. `incoming`
 * sees every message a client sends before the server acts on it and may rewrite it, or refuse it
 * by setting `message.error` (the sender gets an unsuccessful reply, nothing else happens).
 * `outgoing` sees every reply to a session, and every event once per publish (not once per
 * subscriber: that keeps the fan-out allocation-free); it is synchronous and may edit the message
 * or return null to drop an event.
 */
import type { Message } from '../../lib/bayeux/index';
import type { ServerSession } from './session';
import type { RequestInfo } from './request';

export interface ExtensionContext {
  /** The session the message comes from or goes to, once known. */
  readonly session: ServerSession | undefined;
  /** For replies: the request being answered. */
  readonly request: Message | undefined;
  /** The HTTP or WebSocket request the message arrived on (absent for server-side publishes). */
  readonly transport: RequestInfo | undefined;
}

/** What an extension may reach of the server it is added to. */
export interface ExtensionHost {
  /** The sessions the server holds now (e.g. to take back what the extension installed on them). */
  sessions(): Iterable<ServerSession>;
}

export interface Extension {
  readonly name?: string;
  incoming?(message: Message, context: ExtensionContext): Message | null | Promise<Message | null>;
  outgoing?(message: Message, context: ExtensionContext): Message | null;
  /**
   * Lifecycle, as Faye's `added`/`removed`: called once when the extension joins a server and once
   * when it leaves. An extension that changes sessions (queue hooks) undoes that in `removed`, so
   * removing it leaves no session waiting on behaviour nobody drives any more.
   */
  added?(host: ExtensionHost): void;
  removed?(host: ExtensionHost): void;
}

export class ExtensionPipeline {
  readonly #extensions: Extension[] = [];
  readonly #host: ExtensionHost;

  constructor(host: ExtensionHost) {
    this.#host = host;
  }

  add(extension: Extension): () => void {
    this.#extensions.push(extension);
    extension.added?.(this.#host);
    return () => this.remove(extension);
  }

  /** Remove an extension; again, or one never added, does nothing. */
  remove(extension: Extension): void {
    const index = this.#extensions.indexOf(extension);
    if (index < 0) return;
    this.#extensions.splice(index, 1);
    extension.removed?.(this.#host);
  }

  get size(): number {
    return this.#extensions.length;
  }

  /**
   * Run incoming hooks; stops at the first that sets `error` or drops the message (null). Hooks
   * that answer synchronously are not awaited: every `/meta/connect` of every phone passes here.
   */
  incoming(message: Message, context: ExtensionContext): Message | null | Promise<Message | null> {
    return this.#incomingFrom(0, message, context);
  }

  #incomingFrom(start: number, message: Message, context: ExtensionContext): Message | null | Promise<Message | null> {
    let current: Message | null = message;
    for (let i = start; i < this.#extensions.length; i++) {
      const hook = this.#extensions[i]!.incoming;
      if (!hook) continue;
      const result = hook(current, context);
      if (result instanceof Promise) return result.then((next) => (next === null || next.error !== undefined ? next : this.#incomingFrom(i + 1, next, context)));
      current = result;
      if (current === null || current.error !== undefined) return current;
    }
    return current;
  }

  /** Run outgoing hooks in reverse order of addition (the first added sees the message last, as in CometD). */
  outgoing(message: Message, context: ExtensionContext): Message | null {
    let current: Message | null = message;
    for (let i = this.#extensions.length - 1; i >= 0 && current !== null; i--) {
      const hook = this.#extensions[i]!.outgoing;
      if (hook) current = hook(current, context);
    }
    return current;
  }
}
