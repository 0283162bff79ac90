/** Bounded waiting for the tests and the bench: every wait has a deadline and says what it waited for. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `condition` (it may be async) every 10 ms until it holds; throw after `ms`, naming `what`
 * (or what `what()` says then, for a message that shows the state at the deadline).
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string | (() => string | Promise<string>), ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : await what()}`);
    await sleep(10);
  }
}

/** `promise`, or a rejection naming `what` once `ms` have passed without it settling. */
export function within<T>(promise: PromiseLike<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
