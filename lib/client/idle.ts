/** Runs `run` at the browser's next idle moment, or within `timeoutMs` at the latest (a macrotask where there is no requestIdleCallback). */
export function whenIdle(run: () => void, timeoutMs: number): void {
  if (typeof globalThis.requestIdleCallback === 'function') globalThis.requestIdleCallback(run, { timeout: timeoutMs });
  else setTimeout(run, 0);
}
