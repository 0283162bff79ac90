/**
 * The part of the `faye` 1.4 Node client (CommonJS, ships no typings) that the integration tests use.
 * Faye's deferrables are thenables: awaiting a Subscription or Publication resolves when the server
 * acknowledged it and rejects with a Faye error when it refused.
 */
declare module 'faye' {
  namespace Faye {
    interface Advice {
      reconnect?: 'retry' | 'handshake' | 'none';
      interval?: number;
      timeout?: number;
      [other: string]: unknown;
    }

    interface Message {
      channel: string;
      id?: string;
      clientId?: string;
      data?: unknown;
      successful?: boolean;
      error?: string;
      advice?: Advice;
      ext?: Record<string, unknown>;
      subscription?: string | string[];
      supportedConnectionTypes?: string[];
      connectionType?: string;
      [other: string]: unknown;
    }

    /** Pass the (possibly edited) message on, or null to drop it. */
    type Next = (message: Message | null) => void;

    interface Extension {
      incoming?(message: Message, callback: Next): void;
      outgoing?(message: Message, callback: Next): void;
      added?(client: Client): void;
      removed?(client: Client): void;
    }

    /** What a refused publish or subscribe rejects with (`code:params:message` parsed). */
    interface FayeError {
      code: number | null;
      params: string[];
      message: string;
    }

    interface Subscription extends PromiseLike<void> {
      cancel(): void;
      unsubscribe(): void;
      withChannel(callback: (channel: string, data: unknown) => void): Subscription;
    }

    type Publication = PromiseLike<void>;

    interface ClientOptions {
      /** Seconds; the client's own connect timeout until the server advises one. */
      timeout?: number;
      /** Seconds between connects until the server advises one. */
      interval?: number;
      /** Seconds before a failed message is sent again. */
      retry?: number;
      endpoints?: Record<string, string>;
      proxy?: unknown;
      scheduler?: unknown;
      websocketExtensions?: unknown;
      tls?: unknown;
      ca?: unknown;
    }

    interface PublishOptions {
      attempts?: number;
      deadline?: number;
    }

    class Client {
      constructor(endpoint: string, options?: ClientOptions);
      /** Features: `websocket`, `eventsource`, `autodisconnect` (transports `long-polling`, `callback-polling`, `in-process` too). */
      disable(feature: string): void;
      setHeader(name: string, value: string): void;
      addExtension(extension: Extension): void;
      removeExtension(extension: Extension): void;
      handshake(callback?: () => void, context?: unknown): void;
      connect(callback?: () => void, context?: unknown): void;
      /** Returns undefined when the client is not connected. */
      disconnect(): Publication | undefined;
      subscribe(channel: string, callback?: (data: any) => void, context?: unknown): Subscription;
      unsubscribe(channel: string, subscription?: Subscription): void;
      publish(channel: string, data: unknown, options?: PublishOptions): Publication;
      bind(event: 'transport:up' | 'transport:down', listener: () => void, context?: unknown): void;
      unbind(event: 'transport:up' | 'transport:down', listener?: () => void, context?: unknown): void;
    }

    const VERSION: string;
  }

  export = Faye;
}
