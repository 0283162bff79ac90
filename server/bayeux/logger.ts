/**
 * Where the Bayeux server reports what no listener took: a failure of its own (an `error` event)
 * and a peer's rejected frame (a `rejected` event). An interface, so an application hands in its
 * own logger (levels, a node name); this package never imports one.
 */
export interface BayeuxLogger {
  /** Something a peer did, or an outage: one line, no stack (it says nothing about our code). */
  warn(message: string): void;
  /** A failure of our own: the logger decides how much of `error` (its stack) to write. */
  error(message: string, error: Error): void;
}

/** The default: `[bayeux] …` on the console, an error with its stack as the console prints it. */
export const CONSOLE_LOGGER: BayeuxLogger = {
  warn: (message) => console.warn(`[bayeux] ${message}`),
  error: (message, error) => console.error(`[bayeux] ${message}`, error),
};
