/**
 * Runs tasks with bounded concurrency and stops at the first failure. Nothing is left running when
 * it returns, so the caller may remove the folder the tasks were writing into.
 */
import { type UploadFailure, fail } from './limits';

export async function mapBounded<T, R extends { ok: true }>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R | UploadFailure>,
): Promise<{ ok: true; results: R[] } | UploadFailure> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: UploadFailure | undefined;
  const runner = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        const outcome = await task(items[index]!, index);
        if (outcome.ok) results[index] = outcome;
        else failure ??= outcome;
      } catch (error) {
        failure ??= fail(500, `Processing failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, runner));
  return failure ?? { ok: true, results };
}
