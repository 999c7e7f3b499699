/**
 * A checkpoint's state re-split between tasks by key group, when a query resumes at another
 * parallelism (Flink's rescaling of keyed state). Each task of a keyed node holds the state of the
 * keys in the key groups it owns (exchange.ts), so the state written by T₁ tasks becomes that of T₂
 * tasks by moving every entry to the task that owns its key group now: the old tasks' stores are
 * read at the committed version, each entry goes where its key group says (an entry holding rows of
 * many keys, a join's or an OVER's block, is cut by row), and each new store is written whole at
 * that version (StateStoreProvider.restate). No batch runs again, so neither the offsets of old
 * batches ('checkpoint.retain') nor sources that can read them again are needed.
 *
 * A node that runs in one task (`single`) keeps task 0's state in task 0. A store that cannot be
 * written whole (restate), or an operator without a splitter here, leaves the re-split to the
 * replay of the committed batches (parallel-settings.ts rescaledStores), which says so.
 *
 * The old stores stay on disk untouched (each parallelism has stores of its own, task-set.ts
 * taskStoreId) until the first batch at the new parallelism commits: a kill in the middle of a
 * re-split loses nothing, the next start splits again.
 */
import { InternalError, WeirError } from '../../common/errors.js';
import type { Parallelism } from '../../planner/incremental/exchanges.js';
import { DEFAULT_KEY_GROUPS } from '../../planner/incremental/parallelism-setting.js';
import { statefulNodes, type PhysicalNode } from '../../planner/incremental/physical.js';
import type { PlanProperties } from '../../planner/incremental/properties.js';
import type { StateStoreProvider, StateValue } from '../../state/state-store.js';
import type { ExprContext } from '../expr/compile.js';
import type { ParallelismChange } from './parallel-settings.js';
import { taskStoreId } from './task-set.js';
import { CannotSplit, splitterOf, type StateSplitter } from './state-splitters.js';

export interface SplitRequest {
  readonly root: PhysicalNode;
  readonly operatorIds: readonly number[];
  readonly properties: PlanProperties;
  readonly parallelism: Parallelism | undefined;
  readonly change: ParallelismChange;
  /** the committed version every old store is read at and every new store written at */
  readonly version: number;
  readonly provider: StateStoreProvider;
  readonly expr: ExprContext;
}

/**
 * Why the state cannot be re-split by key group (the replay is then the way), or undefined when it
 * can: every operator has a splitter and the provider can write a store whole.
 */
export function splitRefusal(r: Omit<SplitRequest, 'version' | 'expr'>): string | undefined {
  if (r.provider.restate === undefined) return 'the state backend cannot write a store whole';
  const nodes = statefulNodes(r.root);
  for (const id of r.operatorIds) {
    const node = nodes.get(id);
    if (node === undefined) throw new InternalError(`no node of stateful operator ${id}`);
    if (r.properties.of(node).distribution.kind === 'single') continue;
    if (splitterOf(node) === undefined) return `a ${node.kind} operator's state is not split by key group yet`;
  }
  return undefined;
}

/**
 * Re-split every stateful operator's state (splitRefusal must have said yes). Undefined when done,
 * else why a store could not be split (CannotSplit): the stores written by then are written again
 * by the replay, which opens them empty.
 */
export async function splitStateByKeyGroup(r: SplitRequest): Promise<string | undefined> {
  try {
    await splitEach(r);
    return undefined;
  } catch (e) {
    if (e instanceof CannotSplit) return e.message;
    // a damaged file of an old store: the replay rebuilds what it can (state-rebuild.ts), or says what is missing
    if (e instanceof WeirError && e.code === 'STATE') return `an old task's store could not be read (${e.message})`;
    throw e;
  }
}

async function splitEach(r: SplitRequest): Promise<void> {
  const { tasksThen, tasksNow } = r.change;
  // one task (no 'parallelism' set) keeps the default key groups; a resume with others was refused before
  const maxParallelism = r.parallelism?.maxParallelism ?? DEFAULT_KEY_GROUPS;
  const nodes = statefulNodes(r.root);
  for (const id of r.operatorIds) {
    const node = nodes.get(id)!;
    const out = Array.from({ length: tasksNow }, () => new Map<string, StateValue>());
    const single = r.properties.of(node).distribution.kind === 'single';
    const splitter: StateSplitter | undefined = single ? undefined
      : splitterOf(node)!({ tasks: tasksNow, maxParallelism, expr: r.expr, properties: r.properties });
    for (let t = 0; t < tasksThen; t++) {
      // a single node's rows all went to task 0: the other tasks' stores hold an idle operator's
      if (single && t > 0) continue;
      const oldId = taskStoreId(id, t, tasksThen);
      const store = await r.provider.open(oldId, r.version);
      try {
        if (single) for (const [k, v] of store.entries()) out[0]!.set(k, v);
        else splitter!.add(t, store.entries(), out);
      } finally {
        // read once: its spilled values give their place back, split or not
        r.provider.release?.(oldId);
      }
    }
    splitter?.finish?.(out);
    for (let t = 0; t < tasksNow; t++) await r.provider.restate!(taskStoreId(id, t, tasksNow), r.version, out[t]!);
  }
}
