/**
 * The streaming plan made concrete: one operator per physical node (a `Record<PhysicalKind, …>` so a
 * node kind without an operator is a compile error), and the pull of one micro-batch through them.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import { toArrowSchema } from '../../common/schema.js';
import type { PhysicalKind, PhysicalNode } from '../../planner/incremental/physical.js';
import type { StateStore } from '../../state/state-store.js';
import type { ExprContext } from '../expr/compile.js';
import { GroupAggregateOperator } from '../operators/aggregate/group-aggregate.js';
import { FilterOperator } from '../operators/filter.js';
import { StreamJoinOperator } from '../operators/join/stream-join.js';
import type { BatchContext, Chunk, Operator } from '../operators/operator.js';
import { ProjectOperator } from '../operators/project.js';
import { TopNOperator } from '../operators/rank/top-n.js';
import { UnionOperator } from '../operators/union.js';
import type { EventTimeObserver } from '../operators/watermark.js';
import { WatermarkOperator } from '../operators/watermark.js';
import type { LateRowsSink } from '../operators/window/late-rows.js';
import { SessionAggregateOperator } from '../operators/window/session-aggregate.js';
import { WindowAggregateOperator } from '../operators/window/window-aggregate.js';
import { WindowAssignOperator } from '../operators/window/window-assign.js';

export interface BuildContext {
  readonly expr: ExprContext;
  readonly observer: EventTimeObserver;
  /** the state store of each stateful operator, by operator id */
  readonly stores: ReadonlyMap<number, StateStore>;
  /** where late rows go when `late-rows.table` is set */
  readonly lateRows?: LateRowsSink;
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

const isStateful = (n: PhysicalNode): boolean => n.kind === 'aggregate' || n.kind === 'windowAggregate';

function hasStatefulBelow(n: PhysicalNode): boolean {
  return childrenOf(n).some((c) => isStateful(c) || hasStatefulBelow(c));
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
  windowAggregate: (n, c) => n.window.kind === 'session'
    ? new SessionAggregateOperator(n, store(c, n.operatorId), n.input.schema, c.expr, c.lateRows)
    : new WindowAggregateOperator(n, store(c, n.operatorId), n.input.schema, c.expr, c.lateRows),
  windowAssign: (n) => new WindowAssignOperator(n),
  join: (n, c) => new StreamJoinOperator(n, store(c, n.operatorId), c.expr, c.lateRows),
  topN: (n, c) => new TopNOperator(n, store(c, n.operatorId), c.expr),
};

export function buildTree(node: PhysicalNode, ctx: BuildContext): ExecNode {
  const children = childrenOf(node).map((c) => buildTree(c, ctx));
  const factory = FACTORIES[node.kind] as Factory<PhysicalKind>;
  const op = factory(node as never, ctx);
  return isStateful(node) && hasStatefulBelow(node)
    ? { node, op, children, chained: { previousWatermark: -Infinity } }
    : { node, op, children };
}

function childrenOf(n: PhysicalNode): readonly PhysicalNode[] {
  switch (n.kind) {
    case 'source': return [];
    case 'union': return n.inputs;
    case 'join': return [n.left, n.right];
    default: return [n.input];
  }
}

export function allOperators(t: ExecNode, out: Operator[] = []): Operator[] {
  for (const c of t.children) allOperators(c, out);
  if (t.op) out.push(t.op);
  return out;
}

/**
 * Run one micro-batch through the tree: sources give their chunks for this batch, every operator
 * processes its inputs' chunks, then sees the watermark, then finishes the batch.
 */
export function runBatch(t: ExecNode, sourceChunks: readonly (readonly Chunk[])[], ctx: BatchContext): Chunk[] {
  if (t.node.kind === 'source') return selectColumns(t.node.columns, t.node.schema, sourceChunks[t.node.sourceIndex] ?? []);
  const op = t.op!;
  const out: Chunk[] = [];
  const opCtx: BatchContext = t.chained ? { ...ctx, lateWatermark: t.chained.previousWatermark } : ctx;
  t.children.forEach((child, i) => {
    for (const chunk of runBatch(child, sourceChunks, ctx)) {
      for (const o of op.process(chunk, opCtx, i)) out.push(o);
    }
  });
  if (op.onWatermark) for (const o of op.onWatermark(ctx.watermark, opCtx)) out.push(o);
  if (op.finishBatch) for (const o of op.finishBatch(opCtx)) out.push(o);
  if (t.chained) t.chained.previousWatermark = ctx.watermark;
  return out;
}

/** A source's batches carry every physical column; the plan reads only `columns` of them. */
function selectColumns(columns: readonly number[], schema: PhysicalNode['schema'], chunks: readonly Chunk[]): Chunk[] {
  const arrowSchema = toArrowSchema(schema);
  return chunks.map((c) => {
    const kids = c.batch.data.children;
    const picked = columns.map((i) => kids[i]!);
    const batch: arrow.RecordBatch = batchFromColumns(arrowSchema, picked, c.batch.numRows);
    return c.kinds ? { batch, kinds: c.kinds } : { batch };
  });
}
