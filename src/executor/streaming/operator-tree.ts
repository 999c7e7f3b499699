/**
 * The streaming plan made concrete: one operator per physical node (a `Record<PhysicalKind, …>` so a
 * node kind without an operator is a compile error), and the pull of one micro-batch through them.
 */
import type * as arrow from 'apache-arrow';
import { InternalError } from '../../common/errors.js';
import type { LookupJoinNode, PhysicalKind, PhysicalNode } from '../../planner/incremental/physical.js';
import type { PlanProperties } from '../../planner/incremental/properties.js';
import type { StateStore } from '../../state/state-store.js';
import type { ExprContext } from '../expr/compile.js';
import { GroupAggregateOperator } from '../operators/aggregate/group-aggregate.js';
import { FilterOperator } from '../operators/filter.js';
import { LookupJoinOperator } from '../operators/join/lookup-join.js';
import { StreamJoinOperator } from '../operators/join/stream-join.js';
import { SemiJoinOperator } from '../operators/join/semi-join.js';
import { SingleRowOperator } from '../operators/single-row.js';
import { TemporalJoinOperator } from '../operators/join/temporal-join.js';
import type { BatchContext, Chunk, Operator } from '../operators/operator.js';
import { ProjectOperator } from '../operators/project.js';
import { TopNOperator } from '../operators/rank/top-n.js';
import { OverAggregateOperator } from '../operators/over/over-aggregate.js';
import { UnionOperator } from '../operators/union.js';
import { TableFunctionOperator } from '../operators/table-function.js';
import { ProcessFunctionOperator } from '../operators/process/process-function.js';
import { UnnestOperator } from '../operators/unnest.js';
import { isUnnest } from '../../planner/logical/unnest.js';
import type { EventTimeObserver } from '../operators/watermark.js';
import { selectColumns } from './source-columns.js';
import { WatermarkOperator } from '../operators/watermark.js';
import type { LateRowsSink } from '../operators/window/late-rows.js';
import { SessionAggregateOperator } from '../operators/window/session-aggregate.js';
import { WindowAggregateOperator } from '../operators/window/window-aggregate.js';
import { WindowAssignOperator } from '../operators/window/window-assign.js';

export interface BuildContext {
  readonly expr: ExprContext;
  /** the plan's node properties: which operator runs a node, which see the watermark a batch late */
  readonly properties: PlanProperties;
  readonly observer: EventTimeObserver;
  /** the state store of each stateful operator, by operator id */
  readonly stores: ReadonlyMap<number, StateStore>;
  /** where late rows go when `late-rows.table` is set */
  readonly lateRows?: LateRowsSink;
  /** each lookup join's table rows, loaded before the tree is built */
  readonly lookupTables?: ReadonlyMap<LookupJoinNode, arrow.RecordBatch>;
}

export interface ExecNode {
  readonly node: PhysicalNode;
  readonly op: Operator | undefined;
  readonly children: readonly ExecNode[];
  /**
   * A stateful operator fed by another stateful operator (a window aggregation over a window
   * aggregation's window_time): its input watermark lags one batch, see BatchContext.lateWatermark.
   * Starts at -∞ (also after a restart): upstream only ever emits rows at or after it anyway.
   */
  readonly chained?: { previousWatermark: number };
}

type Factory<K extends PhysicalKind> = (node: Extract<PhysicalNode, { kind: K }>, ctx: BuildContext) => Operator | undefined;

function store(ctx: BuildContext, id: number): StateStore {
  const s = ctx.stores.get(id);
  if (!s) throw new InternalError(`no state store opened for operator ${id}`);
  return s;
}

const FACTORIES: { [K in PhysicalKind]: Factory<K> } = {
  source: () => undefined,
  watermark: (n, c) => new WatermarkOperator(n, n.input.schema, c.expr, c.observer),
  project: (n, c) => new ProjectOperator(n, n.input.schema, c.expr),
  filter: (n, c) => new FilterOperator(n, n.input.schema, c.expr),
  union: (n) => new UnionOperator(n),
  aggregate: (n, c) => new GroupAggregateOperator(n, store(c, n.operatorId), n.input.schema, c.expr),
  windowAggregate: (n, c) => c.properties.of(n).operator === 'sessionWindow'
    ? new SessionAggregateOperator(n, store(c, n.operatorId), n.input.schema, c.expr, c.lateRows)
    : new WindowAggregateOperator(n, store(c, n.operatorId), n.input.schema, c.expr, c.lateRows),
  windowAssign: (n) => new WindowAssignOperator(n),
  join: (n, c) => new StreamJoinOperator(n, store(c, n.operatorId), c.expr, c.lateRows),
  lookupJoin: (n, c) => new LookupJoinOperator(n, lookupRows(c, n), c.expr),
  temporalJoin: (n, c) => new TemporalJoinOperator(n, store(c, n.operatorId), c.expr),
  topN: (n, c) => new TopNOperator(n, store(c, n.operatorId), c.expr, c.lateRows),
  correlate: (n, c) => (isUnnest(n.fn) ? new UnnestOperator(n, c.expr) : new TableFunctionOperator(n, c.expr)),
  overAggregate: (n, c) => new OverAggregateOperator(n, store(c, n.operatorId), c.expr, c.lateRows),
  processFunction: (n, c) => new ProcessFunctionOperator(n, store(c, n.operatorId), c.expr),
  semiJoin: (n, c) => new SemiJoinOperator(n, store(c, n.operatorId), c.expr, c.lateRows),
  singleRow: (n, c) => new SingleRowOperator(n, store(c, n.operatorId)),
};

function lookupRows(ctx: BuildContext, n: LookupJoinNode): arrow.RecordBatch {
  const rows = ctx.lookupTables?.get(n);
  if (!rows) throw new InternalError(`the rows of lookup table ${n.table.name} were not loaded`);
  return rows;
}

/**
 * The operators of a plan. A physical node the plan shares between several parents (an identical
 * sub-plan, see plan-streaming.ts) gets one operator: the tree is a DAG like the plan.
 */
export function buildTree(node: PhysicalNode, ctx: BuildContext, built = new Map<PhysicalNode, ExecNode>()): ExecNode {
  const known = built.get(node);
  if (known) return known;
  const children = childrenOf(node).map((c) => buildTree(c, ctx, built));
  const factory = FACTORIES[node.kind] as Factory<PhysicalKind>;
  const op = factory(node as never, ctx);
  const t: ExecNode = ctx.properties.of(node).chainedWatermark
    ? { node, op, children, chained: { previousWatermark: -Infinity } }
    : { node, op, children };
  built.set(node, t);
  return t;
}

/** Every node of the tree once, children before parents. */
export function allNodes(t: ExecNode, out: ExecNode[] = [], seen = new Set<ExecNode>()): ExecNode[] {
  if (seen.has(t)) return out;
  seen.add(t);
  for (const c of t.children) allNodes(c, out, seen);
  out.push(t);
  return out;
}

function childrenOf(n: PhysicalNode): readonly PhysicalNode[] {
  switch (n.kind) {
    case 'source': return [];
    case 'union': return n.inputs;
    case 'join': case 'semiJoin': return [n.left, n.right];
    case 'temporalJoin': return [n.input, n.versions];
    default: return [n.input];
  }
}

export function allOperators(t: ExecNode): Operator[] {
  return allNodes(t).flatMap((n) => (n.op ? [n.op] : []));
}

/** Per tree, its nodes that more than one parent reads (a view or a source used twice). */
const sharedByTree = new WeakMap<ExecNode, ReadonlySet<ExecNode>>();

export function sharedNodes(root: ExecNode): ReadonlySet<ExecNode> {
  let shared = sharedByTree.get(root);
  if (shared) return shared;
  const parents = new Map<ExecNode, number>();
  for (const t of allNodes(root)) for (const c of t.children) parents.set(c, (parents.get(c) ?? 0) + 1);
  shared = new Set([...parents].filter(([, n]) => n > 1).map(([t]) => t));
  sharedByTree.set(root, shared);
  return shared;
}

/** What one batch's pull keeps: the outputs of the shared nodes that ran, for their other parents. */
interface BatchPull {
  readonly sourceChunks: readonly (readonly Chunk[])[];
  readonly ctx: BatchContext;
  readonly shared: ReadonlySet<ExecNode>;
  readonly done: Map<ExecNode, Chunk[]>;
}

/**
 * Run one micro-batch through the tree: sources give their chunks for this batch, every operator
 * processes its inputs' chunks, then sees the watermark, then finishes the batch.
 */
export function runBatch(t: ExecNode, sourceChunks: readonly (readonly Chunk[])[], ctx: BatchContext): Chunk[] {
  return pull(t, { sourceChunks, ctx, shared: sharedNodes(t), done: new Map() });
}

/**
 * A node's output for the batch. A node shared by several parents runs once and its output is kept
 * until the batch ends; any other node's output is its one parent's alone and dropped as soon as
 * that parent has processed it. Why: a batch's chunks held to its end outlive two young collections
 * and wait for a full one (q23's peak RSS at 2 M events: 388–401 MB with every output kept, 376–385
 * with only the shared ones; issue 12 item 3).
 */
function pull(t: ExecNode, p: BatchPull): Chunk[] {
  const known = p.done.get(t);
  if (known) return known;
  const out = runNode(t, p);
  if (p.shared.has(t)) p.done.set(t, out);
  return out;
}

function runNode(t: ExecNode, p: BatchPull): Chunk[] {
  if (t.node.kind === 'source') return selectColumns(t.node, p.sourceChunks[t.node.sourceIndex] ?? []);
  const op = t.op!;
  const out: Chunk[] = [];
  const ctx = p.ctx;
  const opCtx: BatchContext = t.chained ? { ...ctx, lateWatermark: t.chained.previousWatermark } : ctx;
  t.children.forEach((child, i) => {
    for (const chunk of pull(child, p)) {
      for (const o of op.process(chunk, opCtx, i)) out.push(o);
    }
  });
  if (op.onWatermark) for (const o of op.onWatermark(ctx.watermark, opCtx)) out.push(o);
  if (op.finishBatch) for (const o of op.finishBatch(opCtx)) out.push(o);
  if (t.chained) t.chained.previousWatermark = ctx.watermark;
  return out;
}
