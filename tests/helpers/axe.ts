/**
 * axe-core, the accessibility judge, run inside a page: injected from node_modules with
 * addScriptTag (never fetched), answering the violations as `rule: target, target…` lines.
 */
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
}

/** Every violation axe finds in the page as it is now (open dialogs included), with every rule axe runs by default: WCAG 2.x A/AA and best practices. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
    return (await axe.run(document, {})) as unknown;
  });
  return (result as AxeResult).violations.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary})` : ''}`).join('; ')}`);
}
