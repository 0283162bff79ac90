/**
 * The server's one logger. Every entry is one line, `<node> <level> [<component>] <message>`
 * (`web-1 warn [slides] ignoring folder "x": not a deck id`), so the entries of several nodes can
 * be read side by side and grepped by level or component. Control characters in a message are
 * escaped: a folder name or a peer's text cannot forge a second entry. An error's stack follows
 * its entry (indented lines) only when it is unexpected (level error) or at LOG_LEVEL=debug;
 * otherwise its message is part of the one line.
 *
 * `configureLogging` is called once by the composition root (LOG_LEVEL, the node's name); a
 * module takes its component's logger at import time (`logger('slides')`), and it follows the
 * configuration made later. Entries go to `console[level]` when written (stdout for debug and
 * info, stderr for warn and error), so a test that replaces `console.warn` sees them.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, error?: unknown): void;
  info(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export interface LogSettings {
  /** The least severe level written. */
  level: LogLevel;
  /** NODE_ID, or the host name and process id; no prefix when unset. */
  node: string | undefined;
  /** Where a finished entry goes. */
  write: (level: LogLevel, entry: string) => void;
}

const processSettings: LogSettings = { level: 'info', node: undefined, write: (level, entry) => console[level](entry) };

/** Set this process's level and node name (once, at start); loggers already taken follow. */
export function configureLogging(settings: Partial<LogSettings>): void {
  Object.assign(processSettings, settings);
}

/** The logger of one component (`bayeux`, `slideshow`, `slides`, `next`, …); `settings` for tests. */
export function logger(component: string, settings: LogSettings = processSettings): Logger {
  const at = (level: LogLevel) => (message: string, error?: unknown) => {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(settings.level)) return;
    settings.write(level, formatEntry(settings, level, component, message, error));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function formatEntry(settings: LogSettings, level: LogLevel, component: string, message: string, error: unknown): string {
  const node = settings.node === undefined ? '' : `${settings.node} `;
  const line = `${node}${level} [${component}] ${oneLine(message)}${error === undefined ? '' : `: ${oneLine(describe(error))}`}`;
  const withStack = error instanceof Error && (level === 'error' || settings.level === 'debug');
  return withStack ? line + stackFrames(error) : line;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The `at …` lines of a stack, each on its own indented line (the message is already in the entry). */
function stackFrames(error: Error): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return frames.map((frame) => `\n    ${frame.trim()}`).join('');
}

/** Line breaks and other control characters (a tab aside) as escapes, so an entry stays one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
