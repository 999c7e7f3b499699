/**
 * A checkpoint and the parallelism it was written at: the key groups are fixed for the query's
 * life (state is split by them), and the number of tasks may change only where the state can follow.
 */
import { WeirError } from '../../common/errors.js';
import type { Parallelism } from '../../planner/incremental/exchanges.js';
import { DEFAULT_KEY_GROUPS, MAX_PARALLELISM_SETTING } from '../../planner/incremental/parallelism-setting.js';
import { taskStoreId } from './task-set.js';
import type { Checkpoint } from '../../state/checkpoint/checkpoint.js';
import type { StateStore, StateStoreProvider } from '../../state/state-store.js';
import { replayPlan, type OpenedStores } from '../streaming/state-rebuild.js';

/** The tasks a batch was planned at, from the settings its offsets recorded (undefined: no batch). */
export const tasksOf = (settings: Readonly<Record<string, string>> | undefined): number | undefined =>
  (settings === undefined ? undefined : Number(settings['parallelism'] ?? 1));

/** The store ids of every task's stateful operators. */
export function taskOperatorIds(operatorIds: readonly number[], p: Parallelism | undefined): number[] {
  const tasks = p?.tasks ?? 1;
  const out: number[] = [];
  for (let t = 0; t < tasks; t++) for (const id of operatorIds) out.push(taskStoreId(id, t, tasks));
  return out;
}

/**
 * Refuse to resume at another number of key groups (every key would move to another group); say
 * when the number of tasks changed for a query with state (its state is then re-split: rescaledStores).
 */
export function checkRecordedParallelism(recorded: Readonly<Record<string, string>> | undefined, committedTasks: number | undefined,
  now: Parallelism | undefined, stateful: boolean): ParallelismChange | undefined {
  if (recorded === undefined) return undefined;
  const groupsThen = Number(recorded[MAX_PARALLELISM_SETTING] ?? DEFAULT_KEY_GROUPS);
  const groupsNow = now?.maxParallelism ?? DEFAULT_KEY_GROUPS;
  if (groupsThen !== groupsNow) {
    throw new WeirError('PLAN', `the checkpoint was written with '${MAX_PARALLELISM_SETTING}' = '${groupsThen}' and this run sets '${groupsNow}': `
      + `the number of key groups is fixed for a query's life (its state is split by them); set '${MAX_PARALLELISM_SETTING}' = '${groupsThen}' again, or start with a new checkpoint`);
  }
  if (committedTasks === undefined) return undefined; // nothing committed yet: no state to re-split
  const tasksThen = committedTasks;
  const tasksNow = now?.tasks ?? 1;
  return stateful && tasksThen !== tasksNow ? { tasksThen, tasksNow } : undefined;
}

/**
 * The state of a checkpoint written at another parallelism that cannot be re-split by key group
 * (state-split.ts; `notByKeyGroup` says why), rebuilt: every task's stores open empty
 * and the committed batches are run again from the offset log (exactly as planned, their output not
 * delivered again), so each task ends up with the state of the key groups it owns now. This needs
 * every batch's offsets (within 'checkpoint.retain') and sources that can read them again; otherwise
 * the resume is refused with what would be needed.
 */
export async function rescaledStores(operatorIds: readonly number[], version: number, provider: StateStoreProvider, checkpoint: Checkpoint,
  notReplayable: readonly string[], change: ParallelismChange, notByKeyGroup: string): Promise<OpenedStores> {
  const what = `the checkpoint was written at 'parallelism' = '${change.tasksThen}' and this run sets '${change.tasksNow}', and its state cannot be moved by key group (${notByKeyGroup})`;
  if (notReplayable.length > 0) {
    throw new WeirError('UNSUPPORTED', `${what}: re-splitting state between tasks replays the committed batches, but ${notReplayable.join(', ')} cannot read them again; `
      + `set 'parallelism' = '${change.tasksThen}' again`);
  }
  const stores = new Map<number, StateStore>();
  for (const id of operatorIds) stores.set(id, await provider.open(id, -1));
  const reason = new WeirError('STATE', `${what}: the state is rebuilt for the new tasks by replaying the committed batches`);
  try {
    return { stores, rebuild: await replayPlan(checkpoint, -1, version, reason) };
  } catch (e) {
    throw new WeirError('UNSUPPORTED', `${what}: re-splitting state between tasks replays every committed batch, and ${(e as Error).message.replace(/^.*The newest state every operator can rebuild is version -1, but /, '')}; `
      + `set 'parallelism' = '${change.tasksThen}' again, or raise 'checkpoint.retain' before the next run`);
  }
}

export interface ParallelismChange {
  readonly tasksThen: number;
  readonly tasksNow: number;
}
