/**
 * The streaming (physical) plan: plain data that the executor turns into operators, one operator
 * per node. Stateful nodes carry an `operatorId`, stable for a given plan, which names their state
 * in the checkpoint.
 *
 * Rows flow between operators as changelog chunks (each row an insert, or for updating results an
 * update-before/after or delete, see connectors/api.ts RowKind). `appendOnly` on a node says its
 * output never retracts.
 */
import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { OutputModeName } from './output-mode.js';
import type { PlanProperties } from './properties.js';
import type { BoundExpr } from '../expr.js';
import type { CatalogTable } from '../catalog.js';
import type { AggregateCall, OverFrame, RankFunction, RankOrderKey, WindowSpec } from '../logical/plan.js';
import type { ProcessCallArgs } from '../logical/process-call.js';

interface NodeBase {
  readonly schema: Schema;
  /** true when the node's output only ever inserts rows */
  readonly appendOnly: boolean;
}

/** Read a table's physical columns `columns` (indices into its physical columns). `sourceIndex` numbers sources in the query. */
export interface SourceNode extends NodeBase {
  readonly kind: 'source';
  readonly sourceIndex: number;
  readonly table: CatalogTable;
  readonly columns: readonly number[];
  /** ROW columns read only in part: physical column index → names of the fields read (others may be left null) */
  readonly requiredFields?: ReadonlyMap<number, readonly string[]>;
}

/** Pass rows on; track max(expr) per batch for the watermark of source `sourceIndex`. */
export interface WatermarkNode extends NodeBase {
  readonly kind: 'watermark';
  readonly input: PhysicalNode;
  readonly sourceIndex: number;
  readonly column: number;
  readonly expr: BoundExpr;
}

export interface ProjectNode extends NodeBase {
  readonly kind: 'project';
  readonly input: PhysicalNode;
  readonly exprs: readonly BoundExpr[];
}

export interface FilterNode extends NodeBase {
  readonly kind: 'filter';
  readonly input: PhysicalNode;
  readonly predicate: BoundExpr;
}

export interface UnionNode extends NodeBase {
  readonly kind: 'union';
  readonly inputs: readonly PhysicalNode[];
}

/**
 * A grouped aggregation with state per key, emitting per the query's output mode: in `update` mode
 * the groups that changed in a batch (with update-before rows when the input retracts), in `complete`
 * mode every group each batch. Not windowed: groups never finalize (append mode is refused).
 */
export interface AggregateNode extends NodeBase {
  readonly kind: 'aggregate';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  readonly mode: OutputModeName;
  /** SET 'table.exec.state.ttl': a key unwritten this long (processing time) is dropped; absent: kept forever */
  readonly stateTtlMs?: number;
}

/** Window TVF followed by aggregation: state per (key, window); emits a window when the watermark passes its end. */
export interface WindowAggregateNode extends NodeBase {
  readonly kind: 'windowAggregate';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  readonly window: WindowSpec;
  readonly timeColumn: number;
  /**
   * Windows given by the input's columns (over the input): an aggregation grouped by the window_start
   * and window_end of a window aggregation below. Each row is in exactly that window; `window` is the
   * upstream's, for EXPLAIN; `timeColumn` is the window_end column.
   */
  readonly windowColumns?: { readonly start: number; readonly end: number };
  /** grouping keys other than the window bounds, over the input */
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  /** output column positions: where window_start / window_end go among the keys */
  readonly keyLayout: readonly ({ readonly kind: 'key'; readonly index: number } | { readonly kind: 'windowStart' } | { readonly kind: 'windowEnd' })[];
  readonly mode: OutputModeName;
  /**
   * What closes a window: the watermark (event time, the default when absent), or the engine clock
   * passing its end (processing time: a window over a PROCTIME() column; its rows are never late).
   */
  readonly timeDomain?: 'event' | 'processing';
}

/** A window TVF without aggregation: assigns rows to windows (stateless). */
export interface WindowAssignNode extends NodeBase {
  readonly kind: 'windowAssign';
  readonly input: PhysicalNode;
  readonly window: WindowSpec;
  readonly timeColumn: number;
}

/**
 * A stream-stream join with state on both sides (see plan-join.ts for how the planner fills it in).
 * The output row is the left row's columns then the right row's.
 *
 * Rows are hashed by their key expressions; a pair of rows with equal, non-NULL keys matches when
 * `residual` (over the output row) is TRUE. Without `expiry` on a side, that side's rows stay in state
 * forever (a regular join) and an outer join emits a NULL-padded row at once, retracting it when a
 * match arrives. With `expiry`, a row goes once the watermark passes the least of its expiry values
 * (no row of the other side can match it any more), and an outer side's row that never matched is
 * emitted NULL-padded then: interval and window joins.
 */
export interface JoinNode extends NodeBase {
  readonly kind: 'join';
  readonly operatorId: number;
  readonly left: PhysicalNode;
  readonly right: PhysicalNode;
  readonly joinType: 'inner' | 'left' | 'right' | 'full';
  /** equi-join keys, over the left input / over the right input, pairwise */
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  /** the rest of the condition, over the output row (left columns then right columns) */
  readonly residual: BoundExpr | undefined;
  readonly leftBound?: JoinSideBound;
  readonly rightBound?: JoinSideBound;
  /** how the planner ran it, for EXPLAIN: `regular`, `interval` (a time range), `window` (equal window ends) */
  readonly strategy: 'regular' | 'interval' | 'window';
  /** SET 'table.exec.state.ttl' (regular joins): a stored row goes this long after it was stored (processing time) */
  readonly stateTtlMs?: number;
}

/** What bounds one side of a time-bounded join. */
export interface JoinSideBound {
  /** over this side's columns: a row can go once the watermark passes the least of these values */
  readonly expiry: readonly BoundExpr[];
  /**
   * This side's time columns that bound the other side's rows: a row of this side with such a time
   * below the watermark is late and dropped (as an interval join's late rows). `chained`: the
   * column comes out of an operator that emits when the watermark passes it (a window aggregation),
   * so it is judged against the previous batch's watermark.
   */
  readonly lateness: readonly { readonly column: number; readonly chained: boolean }[];
}

/**
 * A lookup join (plan-lookup-join.ts): the bounded table's columns `columns` are loaded once when
 * the query starts and hashed on `tableKeys`; each probe row is looked up by `probeKeys` (equal,
 * non-NULL keys match) and a pair is kept when `residual` (over the output row) is TRUE. LEFT pads a
 * probe row without a match with NULLs. No state in the checkpoint: a restart loads the table again.
 * Row kinds pass through from the probe row (the table does not change while the query runs).
 */
export interface LookupJoinNode extends NodeBase {
  readonly kind: 'lookupJoin';
  readonly input: PhysicalNode;
  readonly joinType: 'inner' | 'left';
  readonly table: CatalogTable;
  /** the table's columns loaded, as indices into its (physical) columns: the lookup row */
  readonly columns: readonly number[];
  /** over the probe input / over the lookup row, pairwise */
  readonly probeKeys: readonly BoundExpr[];
  readonly tableKeys: readonly BoundExpr[];
  readonly residual: BoundExpr | undefined;
  /** `FOR SYSTEM_TIME AS OF …`, where an error about the table (unbounded) points */
  readonly span?: SourceSpan;
}

/**
 * An event-time temporal join (plan-temporal-join.ts): each left row waits in state until the
 * watermark passes its time (`leftTime`), then is joined with the version of its key valid then: the
 * latest right row of that key (`leftKeys` = `rightKeys`, the versioned table's primary key) whose
 * `rightTime` is at or before it, kept when `residual` (over the output row) is TRUE; LEFT pads a row
 * without one. Versions older than the one valid at the watermark are dropped. Append-only output.
 */
export interface TemporalJoinNode extends NodeBase {
  readonly kind: 'temporalJoin';
  readonly operatorId: number;
  /** the probe (left) side, whose rows come out joined */
  readonly input: PhysicalNode;
  /** the versioned table (right side) */
  readonly versions: PhysicalNode;
  readonly joinType: 'inner' | 'left';
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  readonly residual: BoundExpr | undefined;
  readonly leftTime: number;
  readonly rightTime: number;
  readonly tableName: string;
}

/**
 * Top-N per partition (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered to ranks
 * `rankStart`..`rankEnd`; deduplication when that is 1..1). The output is the input's columns and,
 * with `outputRank`, the rank (BIGINT). Over an append-only input the operator keeps only the top
 * `rankEnd` rows of a partition; over a retracting one every row (a retracted top row promotes the
 * next). The result updates (update mode) unless it is a keep-first deduplication on processing
 * time over an append-only input (`appendOnly`); in complete mode every kept row is emitted each batch.
 */
export interface TopNNode extends NodeBase {
  readonly kind: 'topN';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly RankOrderKey[];
  readonly rankStart: number;
  readonly rankEnd: number;
  /** ROW_NUMBER, RANK or DENSE_RANK (logical/rank.ts) */
  readonly rankFunction: RankFunction;
  readonly outputRank: boolean;
  readonly mode: OutputModeName;
  /**
   * A window Top-N (plan-top-n.ts): the position in `partitionBy` of the window_end closing each
   * partition. Its rows are emitted once, when the watermark passes that end; state then goes.
   */
  readonly windowEndKey?: number;
  /** SET 'table.exec.state.ttl' (not a window Top-N): a partition no row entered for this long (processing time) is dropped */
  readonly stateTtlMs?: number;
  /**
   * A keep-last deduplication on a time attribute (ROW_NUMBER, rank 1, ORDER BY rowtime or proctime
   * DESC): among rows of the same time the one that came last wins, as in Flink's deduplication
   * (every other Top-N ranks the earlier of two tied rows first).
   */
  readonly tiesToLatest?: boolean;
}

/**
 * LATERAL TABLE(f(…)) (logical Correlate): user table function `fn` called on each input row with
 * `args`; its rows joined to that row (LEFT keeps a row the function yields nothing for, padded with
 * NULLs). Stateless: no operator id, nothing in the checkpoint; row kinds pass through, so a
 * retracted input row retracts the rows the function made of it (the function must be deterministic).
 */
export interface CorrelateNode extends NodeBase {
  readonly kind: 'correlate';
  readonly input: PhysicalNode;
  readonly joinType: 'inner' | 'left';
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  readonly span?: SourceSpan;
}

/**
 * OVER aggregates sharing one window (or, with no calls, ORDER BY a rowtime: `sort`). `form`:
 * - 'watermark' (an append-only input ordered by its event time, as Flink runs it): rows wait until
 *   the watermark passes their time, then come out in time order with their frames' aggregates,
 *   once (append-only); state: the rows a later frame can reach, or an UNBOUNDED frame's accumulators;
 * - 'updating' (an input that retracts, beyond Flink): every row of a partition is kept; a change
 *   recomputes the partition's frames and emits what changed (DELETE / INSERT: update mode).
 */
export interface OverAggregateNode extends NodeBase {
  readonly kind: 'overAggregate';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  readonly partitionBy: readonly BoundExpr[];
  readonly timeColumn: number;
  readonly frame: OverFrame;
  readonly calls: readonly AggregateCall[];
  readonly sort: boolean;
  /** 'processing': ordered by a processing-time attribute, rows come out in the batch that reads them */
  readonly form: 'watermark' | 'processing' | 'updating';
  readonly mode: OutputModeName;
}

/**
 * A process function (logical ProcessCall, operators/process/): `fn` called on each row of an
 * append-only input with the state and timers of the row's partition key (`partitionBy`, input
 * columns); `onTimer` when the watermark (event-time timers) or the clock (processing-time timers)
 * passes a timer. Emits rows of the partition key columns then `columns`, append-only.
 */
export interface ProcessFunctionNode extends NodeBase, ProcessCallArgs {
  readonly kind: 'processFunction';
  readonly operatorId: number;
  readonly input: PhysicalNode;
}

/**
 * A semi or anti join (IN / EXISTS and their negations): the left rows that have (not) a matching
 * right row, each at most once. Keys, residual and time bounds as a JoinNode's. Without a time bound
 * it updates: a semi join emits a left row at its first match and retracts it when the last match
 * goes, an anti join the reverse. With one (equal windows) both inputs are append-only and a left
 * row is emitted when it expires (its window closes), if it matched (semi) or never did (anti).
 */
export interface SemiJoinNode extends NodeBase {
  readonly kind: 'semiJoin';
  readonly operatorId: number;
  readonly anti: boolean;
  readonly left: PhysicalNode;
  readonly right: PhysicalNode;
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  readonly residual: BoundExpr | undefined;
  readonly leftBound?: JoinSideBound;
  readonly rightBound?: JoinSideBound;
  readonly strategy: 'regular' | 'window' | 'interval';
  /**
   * An uncorrelated NOT IN over nullable values (regular): one key pair, and a NULL is a row of its
   * own in state: a NULL on the right excludes every left row, a NULL on the left is excluded by any
   * right row (SQL's three-valued NOT IN), without comparing every pair.
   */
  readonly nullAware?: boolean;
}

/** An uncorrelated scalar subquery's rows, checked to be at most one live row (a count in state). */
export interface SingleRowNode extends NodeBase {
  readonly kind: 'singleRow';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  /** the subquery, where the run-time error points */
  readonly span: SourceSpan;
}

export type PhysicalNode =
  | OverAggregateNode | ProcessFunctionNode | SemiJoinNode | SingleRowNode
  | SourceNode | WatermarkNode | ProjectNode | FilterNode | UnionNode
  | AggregateNode | WindowAggregateNode | WindowAssignNode | JoinNode | LookupJoinNode | TopNNode | CorrelateNode | TemporalJoinNode;
export type PhysicalKind = PhysicalNode['kind'];

export interface StreamingPlan {
  readonly root: PhysicalNode;
  readonly mode: OutputModeName;
  /** what the planner knows of each node (properties.ts), computed once */
  readonly properties: PlanProperties;
  /** sources in `sourceIndex` order */
  readonly sources: readonly SourceNode[];
  /** stateful operators in `operatorId` order, with a one-line description each */
  readonly statefulOperators: readonly { readonly operatorId: number; readonly kind: PhysicalKind; readonly description: string }[];
  /**
   * Columns of the result that identify a row in update mode (grouping keys), by index into
   * root.schema; empty for append-only results.
   */
  readonly keyColumns: readonly number[];
}

export function physicalChildren(n: PhysicalNode): readonly PhysicalNode[] {
  switch (n.kind) {
    case 'source': return [];
    case 'union': return n.inputs;
    case 'join': case 'semiJoin': return [n.left, n.right];
    case 'temporalJoin': return [n.input, n.versions];
    case 'watermark': case 'project': case 'filter': case 'aggregate': case 'windowAggregate': case 'windowAssign': case 'lookupJoin': case 'topN': case 'correlate': case 'overAggregate': case 'processFunction': case 'singleRow':
      return [n.input];
  }
}

/** A node that keeps state (has an operatorId). */
export type StatefulNode = Extract<PhysicalNode, { operatorId: number }>;

/** The stateful nodes under `root` by operator id (a node two parents read is one node). */
export function statefulNodes(root: PhysicalNode): Map<number, StatefulNode> {
  const out = new Map<number, StatefulNode>();
  const seen = new Set<PhysicalNode>();
  const visit = (n: PhysicalNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if ('operatorId' in n) out.set(n.operatorId, n);
    physicalChildren(n).forEach(visit);
  };
  visit(root);
  return out;
}
