/**
 * What the planner knows of each node of a streaming plan, computed once per plan (Flink's physical
 * traits): the planner's checks, the executor (which operator runs a node, which operators see the
 * watermark a batch late) and the exchanges of a parallel execution read it here, instead of each
 * working it out from the node kinds again.
 *
 * A `Record<PhysicalKind, …>` holds what each kind of node is on its own, so a new kind of node is a
 * compile error until it says; what lies below a node is derived from its children.
 */
import { exprChildren, isDeterministic, type BoundExpr } from '../expr.js';
import type { PhysicalKind, PhysicalNode } from './physical.js';
import { physicalChildren } from './physical.js';

/**
 * How a node's input rows must be spread when the query runs as several tasks: `any` task may take
 * any row (a stateless operator), rows with equal `keys` (one list per input, pairwise) must meet in
 * one task (the state of a key lives in one place), or all rows in a `single` task (state without a key).
 */
export type Distribution =
  | { readonly kind: 'any' }
  | { readonly kind: 'hash'; readonly keys: readonly (readonly BoundExpr[])[] }
  | { readonly kind: 'single' };

/** Which operator runs a node (where one kind of node has several). */
export type OperatorChoice = 'default' | 'sessionWindow';

export interface NodeProperties {
  /** keeps state in the checkpoint (the node has an operatorId) */
  readonly stateful: boolean;
  /**
   * emits rows out of state kept from earlier batches (aggregations, window Top-N): an operator of
   * this kind fed by another sees the rows its input released with this batch's watermark, so it
   * judges lateness against the previous batch's watermark (`chainedWatermark`)
   */
  readonly emitsFromState: boolean;
  /** an operator that emits from state is below this node */
  readonly emitsBelow: boolean;
  /** emitsFromState, and another such operator is below it */
  readonly chainedWatermark: boolean;
  /** in complete mode emits its whole result each batch (aggregations, Top-N) */
  readonly restatesResult: boolean;
  /** an operator that restates its result is below this node */
  readonly restatesBelow: boolean;
  readonly distribution: Distribution;
  readonly operator: OperatorChoice;
  /**
   * How the node's output rows are spread at parallelism N, when a keyed node below placed them and
   * nothing since moved them: each row is in the task owning the key group of these output columns'
   * values (hashed as an exchange on these columns would hash them). Undefined when unknown. A node
   * keyed by exactly these columns needs no exchange above its input (exchanges.ts).
   */
  readonly partitionedBy: readonly number[] | undefined;
}

type OwnProperties = Pick<NodeProperties, 'stateful' | 'emitsFromState' | 'restatesResult' | 'distribution' | 'operator'>;

const STATELESS: OwnProperties = { stateful: false, emitsFromState: false, restatesResult: false, distribution: { kind: 'any' }, operator: 'default' };

/**
 * Rows with equal keys together; no key at all: one task. A key drawing RAND() would be drawn by the
 * exchange and again by the operator, placing a row by one value and keying its state by another (a
 * Top-N's partition in two tasks, each with its own top row): its rows go to one task, where the
 * operator alone draws it. (A GROUP BY's keys that are not deterministic are computed once below the
 * aggregation instead, plan-streaming.ts keysComputedOnce; a join never takes one as a key.) The
 * clock functions read the batch's time wherever they run, and a function the user registers is
 * taken to be deterministic here, as Flink takes its functions by default: a Top-N or an OVER
 * partitioned by one stays spread by it, and its checkpoints keep their meaning.
 */
const hashed = (...keys: (readonly BoundExpr[])[]): Distribution =>
  keys.every((k) => k.length === 0) || keys.some((k) => k.some(drawsRandom)) ? { kind: 'single' } : { kind: 'hash', keys };

/** Whether `e` calls RAND(). */
function drawsRandom(e: BoundExpr): boolean {
  return (e.kind === 'call' && e.fn === 'rand') || exprChildren(e).some(drawsRandom);
}

const OWN: { [K in PhysicalKind]: (n: Extract<PhysicalNode, { kind: K }>) => OwnProperties } = {
  source: () => STATELESS,
  watermark: () => STATELESS,
  project: () => STATELESS,
  filter: () => STATELESS,
  union: () => STATELESS,
  windowAssign: () => STATELESS,
  // the table is loaded whole into every task that probes it
  lookupJoin: () => STATELESS,
  // a table function's rows come from each input row alone
  correlate: () => STATELESS,
  aggregate: (n) => ({ stateful: true, emitsFromState: true, restatesResult: true, distribution: hashed(n.groupBy), operator: 'default' }),
  windowAggregate: (n) => {
    const session = n.window.kind === 'session' && !n.windowColumns;
    // a session's PARTITION BY is over its TVF's input: an aggregation over a session aggregation's
    // windows (windowColumns) reads those windows' rows, and groups by its own keys alone
    const keys = session && n.window.kind === 'session' ? [...n.window.partitionBy, ...n.groupBy] : n.groupBy;
    return { stateful: true, emitsFromState: true, restatesResult: true, distribution: hashed(keys), operator: session ? 'sessionWindow' : 'default' };
  },
  join: (n) => ({ stateful: true, emitsFromState: false, restatesResult: false, distribution: hashed(n.leftKeys, n.rightKeys), operator: 'default' }),
  // a window semi/anti join emits a left row when the watermark closes its window; a NOT IN (null
  // aware) decides every left row by whether the right side holds a NULL anywhere: one task sees all
  semiJoin: (n) => ({
    stateful: true, emitsFromState: n.strategy !== 'regular', restatesResult: false,
    distribution: n.nullAware ? { kind: 'single' } : hashed(n.leftKeys, n.rightKeys), operator: 'default',
  }),
  // a scalar subquery's rows all meet in one task, to be counted
  singleRow: () => ({ stateful: true, emitsFromState: false, restatesResult: false, distribution: { kind: 'single' }, operator: 'default' }),
  // left rows come out of state when the watermark passes them, keyed by the versioned table's key
  temporalJoin: (n) => ({ stateful: true, emitsFromState: true, restatesResult: false, distribution: hashed(n.leftKeys, n.rightKeys), operator: 'default' }),
  // rows released by the watermark ('watermark' form) come out of state kept from earlier batches
  overAggregate: (n) => ({
    stateful: true, emitsFromState: n.form === 'watermark', restatesResult: false, distribution: hashed(n.partitionBy), operator: 'default',
  }),
  // rows come out of state and timers kept from earlier batches, per partition key
  processFunction: (n) => ({
    stateful: true, emitsFromState: true, restatesResult: false,
    distribution: hashed(processFunctionKeys(n)),
    operator: 'default',
  }),
  topN: (n) => ({
    stateful: true, emitsFromState: n.windowEndKey !== undefined, restatesResult: true, distribution: hashed(n.partitionBy), operator: 'default',
  }),
};

/** The output columns of plain column references `keys` (over an input whose columns start at `offset` of the output). */
function columnsOf(keys: readonly BoundExpr[], offset = 0): number[] | undefined {
  const out: number[] = [];
  for (const k of keys) {
    if (k.kind !== 'column') return undefined;
    out.push(k.index + offset);
  }
  return out.length > 0 ? out : undefined;
}

type Partitioning = readonly number[] | undefined;

/**
 * Where each kind of node leaves its output rows (NodeProperties.partitionedBy), from its children's.
 * A join's output row is made in the task owning its key, so it is spread by the key columns of a
 * side whose columns every output row carries: both sides' of an inner join (the left's are taken),
 * the preserved side's of an outer one, none of a full join (a padded row's other side is NULL).
 * An aggregation's, a Top-N's or an OVER's output row comes out of the task owning its key, so it is
 * spread by the output columns that hold the key (the group keys; the partition keys, when plain
 * columns of the input, which those operators pass on in place).
 */
const PARTITIONING: {
  [K in PhysicalKind]: (n: Extract<PhysicalNode, { kind: K }>, below: readonly NodeProperties[], keys: readonly BoundExpr[] | undefined) => Partitioning
} = {
  // a source's rows are cut into ranges, not by key
  source: () => undefined,
  watermark: (_, [c]) => c!.partitionedBy,
  filter: (_, [c]) => c!.partitionedBy,
  project: (n, [c]) => {
    if (!c!.partitionedBy) return undefined;
    const at = c!.partitionedBy.map((col) => n.exprs.findIndex((e) => e.kind === 'column' && e.index === col));
    return at.every((i) => i >= 0) ? at : undefined;
  },
  union: () => undefined,
  windowAssign: () => undefined,
  lookupJoin: () => undefined,
  // each output row is made from one input row, in its task, the input's columns first
  correlate: (_, [c]) => c!.partitionedBy,
  // a group's rows come out of the task owning its key: the group keys lead the output
  aggregate: (n, _, keys) => keys && outputPositions(keys, (k) => n.groupBy.indexOf(k)),
  // its input is spread by its group keys (not the window bounds; a session's also by its PARTITION
  // BY, which is not in the output); keyLayout says where each lands in the output
  windowAggregate: (n, _, keys) => keys && outputPositions(keys, (k) => n.keyLayout.findIndex((l) => l.kind === 'key' && n.groupBy[l.index] === k)),
  join: (n) => {
    switch (n.joinType) {
      case 'inner': case 'left': return columnsOf(n.leftKeys);
      case 'right': return columnsOf(n.rightKeys, n.left.schema.columns.length);
      case 'full': return undefined;
    }
  },
  semiJoin: (n) => (n.nullAware ? undefined : columnsOf(n.leftKeys)),
  singleRow: () => undefined,
  temporalJoin: () => undefined,
  // the input's columns lead the output, each row in the task owning its partition
  overAggregate: (_n, _, keys) => keys && columnsOf(keys),
  processFunction: () => undefined,
  topN: (_n, _, keys) => keys && columnsOf(keys),
};

/** Where each key lands in the output (`at`; -1: not there), or undefined when one does not. */
function outputPositions(keys: readonly BoundExpr[], at: (k: BoundExpr) => number): Partitioning {
  const out = keys.map(at);
  return out.every((j) => j >= 0) ? out : undefined;
}

/**
 * The keys a keyed node's (first) input is spread by, when each row's key is the same value wherever
 * it is computed. A user's function is computed by the exchange below and again by the operator
 * (`hashed` takes it to be deterministic), so its output's placement is left unknown rather than
 * trusted twice over. (An aggregation's such keys are computed once below it, plan-streaming.ts
 * keysComputedOnce, and are plain columns here.)
 */
function placingKeys(d: Distribution): readonly BoundExpr[] | undefined {
  return d.kind === 'hash' && d.keys.every((ks) => ks.every(isDeterministic)) ? d.keys[0] : undefined;
}

/** A process function's PARTITION BY columns as expressions: its rows' key, and its state's. */
export function processFunctionKeys(n: Extract<PhysicalNode, { kind: 'processFunction' }>): BoundExpr[] {
  return n.partitionBy.map((i) => ({ kind: 'column' as const, index: i, name: n.input.schema.columns[i]!.name, type: n.input.schema.columns[i]!.type }));
}

export interface PlanProperties {
  of(node: PhysicalNode): NodeProperties;
}

/** The properties of every node under `root` (a DAG: a shared node is looked at once). */
export function planProperties(root: PhysicalNode): PlanProperties {
  const known = new Map<PhysicalNode, NodeProperties>();
  const visit = (n: PhysicalNode): NodeProperties => {
    const seen = known.get(n);
    if (seen) return seen;
    const below = physicalChildren(n).map(visit);
    const own = (OWN[n.kind] as (x: PhysicalNode) => OwnProperties)(n);
    const emitsBelow = below.some((c) => c.emitsFromState || c.emitsBelow);
    const p: NodeProperties = {
      ...own,
      partitionedBy: (PARTITIONING[n.kind] as (x: PhysicalNode, b: readonly NodeProperties[], k: readonly BoundExpr[] | undefined) => Partitioning)(n, below, placingKeys(own.distribution)),
      emitsBelow,
      chainedWatermark: own.emitsFromState && emitsBelow,
      restatesBelow: below.some((c) => c.restatesResult || c.restatesBelow),
    };
    known.set(n, p);
    return p;
  };
  visit(root);
  return { of: (node) => known.get(node) ?? visit(node) };
}
