/**
 * A checkpoint and the parallelism it was written at: the key groups are fixed for the query's
 * life (state is split by them), and the number of tasks may change only where the state can follow.
 */
import { WeirError } from '../../common/errors.js';
import type { Parallelism } from '../../planner/incremental/exchanges.js';
import { DEFAULT_KEY_GROUPS, MAX_PARALLELISM_SETTING } from '../../planner/incremental/parallelism-setting.js';
import { taskStoreId } from './task-set.js';

/** The store ids of every task's stateful operators. */
export function taskOperatorIds(operatorIds: readonly number[], p: Parallelism | undefined): number[] {
  const tasks = p?.tasks ?? 1;
  const out: number[] = [];
  for (let t = 0; t < tasks; t++) for (const id of operatorIds) out.push(taskStoreId(id, t));
  return out;
}

/**
 * Refuse to resume where the checkpoint's parallelism says the state cannot be read: another number
 * of key groups (every key would move to another group), or another number of tasks for a query
 * with state (not supported yet: the state is split per task, not yet re-split on restore).
 */
export function checkRecordedParallelism(recorded: Readonly<Record<string, string>> | undefined, now: Parallelism | undefined, stateful: boolean): void {
  if (recorded === undefined) return;
  const groupsThen = Number(recorded[MAX_PARALLELISM_SETTING] ?? DEFAULT_KEY_GROUPS);
  const groupsNow = now?.maxParallelism ?? DEFAULT_KEY_GROUPS;
  if (groupsThen !== groupsNow) {
    throw new WeirError('PLAN', `the checkpoint was written with '${MAX_PARALLELISM_SETTING}' = '${groupsThen}' and this run sets '${groupsNow}': `
      + `the number of key groups is fixed for a query's life (its state is split by them); set '${MAX_PARALLELISM_SETTING}' = '${groupsThen}' again, or start with a new checkpoint`);
  }
  const tasksThen = Number(recorded['parallelism'] ?? 1);
  const tasksNow = now?.tasks ?? 1;
  if (stateful && tasksThen !== tasksNow) {
    throw new WeirError('UNSUPPORTED', `the checkpoint was written at 'parallelism' = '${tasksThen}' and this run sets '${tasksNow}': `
      + `resuming a query with state at another parallelism is not supported yet; set 'parallelism' = '${tasksThen}' again`);
  }
}
