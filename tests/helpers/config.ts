/** The problems loadConfig reports for an environment (none: an empty list). */
import { ConfigError, loadConfig } from '../../server/config';

export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
