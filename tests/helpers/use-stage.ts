/** A describe's stage for the Node test runner (kept apart from slideshow-browser.ts, which the bench imports too). */
import { after, before } from 'node:test';
import { startStage, stopStage, type Stage } from '../../support/slideshow-browser';

/**
 * A describe's stage, started in `before` (then `setUp` adds what the scenario needs, a deck, a
 * page) and stopped in `after`: the tests read its fields once `before` has run.
 */
export function useStage<Extra extends object>(setUp: (stage: Stage) => Promise<Extra>, options: { timeout?: number; signal?: NodeJS.Signals } = {}): Stage & Extra {
  const stage = {} as Stage & Extra;
  before(async () => {
    Object.assign(stage, await startStage());
    Object.assign(stage, await setUp(stage));
  }, { timeout: options.timeout });
  after(() => stopStage(stage, options.signal), { timeout: options.timeout });
  return stage;
}
