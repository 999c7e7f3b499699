/**
 * A query's N tasks: one operator tree per task, each with the stores of the key groups it owns,
 * and the pull of one micro-batch through them stage by stage. The source rows of a batch are split
 * into N contiguous ranges; a stateless node runs in the task its rows are in; on each input of a
 * keyed node the rows are exchanged by key group (exchange.ts), and a node without keys (`single`:
 * a global aggregate, a Top-N without PARTITION BY) runs in task 0 alone. The output is the union of
 * the tasks' outputs, in task order, handed to the sink as one batch.
 *
 * The tasks run one after another in the query's thread: the exchanges, the key-grouped state and
 * the results are those of N tasks, the speed is one thread's. It is the fallback of the tasks on
 * worker threads (worker-task-set.ts): `parallelism.threads` 'false', or a plan that cannot cross.
 */
import type { PhysicalNode } from '../../planner/incremental/physical.js';
import { inputExchange, type Parallelism } from '../../planner/incremental/exchanges.js';
import type { PlanProperties } from '../../planner/incremental/properties.js';
import type { StateStore } from '../../state/state-store.js';
import type { ExprContext } from '../expr/compile.js';
import type { BatchContext, Chunk, Operator } from '../operators/operator.js';
import { allOperators, buildTree, type BuildContext, type ExecNode } from '../streaming/operator-tree.js';
import { selectColumns } from '../streaming/source-columns.js';
import { HashExchange, splitRange } from './exchange.js';

/** Store ids of a task are the operator's id plus a multiple of this. */
export const TASK_STORE_STRIDE = 100_000;

/**
 * The store id of an operator in task `task` of `tasks`. Each parallelism has stores of its own (at
 * 2 tasks slots 1 and 2, at 3 slots 3 to 5, …; parallelism 1 keeps the operator's id, so it writes
 * what it always wrote): a resume at another parallelism rebuilds the new stores and never writes
 * over the ones the offset log still points at, so a kill in the middle of it loses nothing.
 */
export const taskStoreId = (operatorId: number, task: number, tasks: number): number =>
  (tasks === 1 ? operatorId : operatorId + ((tasks * (tasks - 1)) / 2 + task) * TASK_STORE_STRIDE);

export class TaskSet {
  readonly trees: ExecNode[] = [];
  private readonly nodes: Map<PhysicalNode, ExecNode>[] = [];
  private readonly exchanges = new Map<PhysicalNode, (HashExchange | 'single' | undefined)[]>();

  constructor(
    root: PhysicalNode,
    private readonly p: Parallelism,
    private readonly properties: PlanProperties,
    expr: ExprContext,
    /** the build context of task t (its stores) */
    contextOf: (task: number) => BuildContext,
  ) {
    for (let t = 0; t < p.tasks; t++) {
      const built = new Map<PhysicalNode, ExecNode>();
      this.trees.push(buildTree(root, contextOf(t), built));
      this.nodes.push(built);
    }
    for (const node of this.nodes[0]!.keys()) {
      const kids = this.nodes[0]!.get(node)!.children;
      this.exchanges.set(node, kids.map((k, i) => {
        const e = inputExchange(node, i, properties);
        if (!e) return undefined;
        return e.kind === 'single' ? 'single' : new HashExchange(e.keys, k.node.schema, expr, p.tasks, p.maxParallelism);
      }));
    }
  }

  operators(): Operator[] {
    return this.trees.flatMap((t) => allOperators(t));
  }

  /** One micro-batch through every task: the root's output of every task, in task order. */
  run(root: PhysicalNode, sourceChunks: readonly (readonly Chunk[])[], ctx: BatchContext): Chunk[] {
    const done = new Map<PhysicalNode, Chunk[][]>();
    return this.runNode(root, sourceChunks, ctx, done).flat();
  }

  private runNode(node: PhysicalNode, sourceChunks: readonly (readonly Chunk[])[], ctx: BatchContext, done: Map<PhysicalNode, Chunk[][]>): Chunk[][] {
    const known = done.get(node);
    if (known) return known;
    const n = this.p.tasks;
    let out: Chunk[][];
    if (node.kind === 'source') {
      out = splitRange(selectColumns(node, sourceChunks[node.sourceIndex] ?? []), n);
    } else {
      const kids = this.nodes[0]!.get(node)!.children;
      const exchanges = this.exchanges.get(node)!;
      // each input's chunks per task, after its exchange
      const inputs = kids.map((k, i) => this.exchange(this.runNode(k.node, sourceChunks, ctx, done), exchanges[i]));
      const single = exchanges.some((e) => e === 'single');
      out = Array.from({ length: n }, () => []);
      for (let t = 0; t < (single ? 1 : n); t++) {
        const exec = this.nodes[t]!.get(node)!;
        const op = exec.op!;
        const sink = out[t]!;
        const opCtx: BatchContext = exec.chained ? { ...ctx, lateWatermark: exec.chained.previousWatermark } : ctx;
        inputs.forEach((perTask, i) => {
          for (const chunk of perTask[t]!) for (const o of op.process(chunk, opCtx, i)) sink.push(o);
        });
        if (op.onWatermark) for (const o of op.onWatermark(ctx.watermark, opCtx)) sink.push(o);
        if (op.finishBatch) for (const o of op.finishBatch(opCtx)) sink.push(o);
        if (exec.chained) exec.chained.previousWatermark = ctx.watermark;
      }
    }
    done.set(node, out);
    return out;
  }

  /** Chunks per task moved by an exchange: every task's rows cut by key group, collected in task order. */
  private exchange(perTask: Chunk[][], e: HashExchange | 'single' | undefined): Chunk[][] {
    if (e === undefined) return perTask;
    const n = this.p.tasks;
    const out: Chunk[][] = Array.from({ length: n }, () => []);
    if (e === 'single') {
      out[0] = perTask.flat();
      return out;
    }
    for (const chunks of perTask) {
      for (const c of chunks) {
        const cut = e.cut(c);
        for (let t = 0; t < n; t++) if (cut[t]) out[t]!.push(cut[t]!);
      }
    }
    return out;
  }
}

/** The stores of task `task`, by operator id, out of every task's stores (by task store id). */
export function storesOfTask(all: ReadonlyMap<number, StateStore>, operatorIds: readonly number[], task: number, tasks: number): Map<number, StateStore> {
  const out = new Map<number, StateStore>();
  for (const id of operatorIds) {
    const s = all.get(taskStoreId(id, task, tasks));
    if (s) out.set(id, s);
  }
  return out;
}
