/**
 * `SET 'parallelism' = 'N'` (also Flink's `parallelism.default`) and `SET 'pipeline.max-parallelism'`:
 * how many tasks a query runs as, over how many key groups. Checked here, where both are read, so
 * EXPLAIN and a running query refuse the same values with the same message.
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { Parallelism } from './exchanges.js';

export const PARALLELISM_SETTINGS = ['parallelism', 'parallelism.default'] as const;
export const MAX_PARALLELISM_SETTING = 'pipeline.max-parallelism';
/** Flink's default: the number of key groups when `pipeline.max-parallelism` is not set. */
export const DEFAULT_KEY_GROUPS = 128;
/** Key groups are numbered in 16 bits (the exchange's table of owners) */
const MOST_KEY_GROUPS = 32768;

function positiveInteger(key: string, text: string, span: SourceSpan | undefined): number {
  const t = text.trim();
  const n = /^[0-9]+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new WeirError('OPTION', `SET '${key}' = '${text}': expected a positive whole number (such as '2')`, span);
  }
  return n;
}

/** The parallelism the settings ask for (one task, 128 key groups when unset). */
export function parseParallelism(settings: ReadonlyMap<string, string>, span?: SourceSpan): Parallelism {
  const maxText = settings.get(MAX_PARALLELISM_SETTING);
  const maxParallelism = maxText === undefined ? DEFAULT_KEY_GROUPS : positiveInteger(MAX_PARALLELISM_SETTING, maxText, span);
  if (maxParallelism > MOST_KEY_GROUPS) {
    throw new WeirError('OPTION', `SET '${MAX_PARALLELISM_SETTING}' = '${maxText}': at most ${MOST_KEY_GROUPS} key groups`, span);
  }
  const key = PARALLELISM_SETTINGS.find((k) => settings.has(k));
  const tasks = key === undefined ? 1 : positiveInteger(key, settings.get(key)!, span);
  if (tasks > maxParallelism) {
    throw new WeirError('OPTION', `SET '${key}' = '${settings.get(key!)}': more tasks than key groups ('${MAX_PARALLELISM_SETTING}' is ${maxParallelism}); `
      + `a task owns at least one key group, so raise '${MAX_PARALLELISM_SETTING}' (before the query first runs) or lower the parallelism`, span);
  }
  return { tasks, maxParallelism };
}

/** The settings a checkpoint records of a query's parallelism. */
export function parallelismSettings(p: Parallelism): Record<string, string> {
  return { parallelism: String(p.tasks), [MAX_PARALLELISM_SETTING]: String(p.maxParallelism) };
}
