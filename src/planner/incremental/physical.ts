/**
 * The streaming (physical) plan: plain data that the executor turns into operators, one operator
 * per node. Stateful nodes carry an `operatorId`, stable for a given plan, which names their state
 * in the checkpoint.
 *
 * Rows flow between operators as changelog chunks (each row an insert, or for updating results an
 * update-before/after or delete, see connectors/api.ts RowKind). `appendOnly` on a node says its
 * output never retracts.
 */
import type { Schema } from '../../common/schema.js';
import type { OutputModeName } from './output-mode.js';
import type { BoundExpr } from '../expr.js';
import type { CatalogTable } from '../catalog.js';
import type { AggregateCall, WindowSpec } from '../logical/plan.js';

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
}

/** Window TVF followed by aggregation: state per (key, window); emits a window when the watermark passes its end. */
export interface WindowAggregateNode extends NodeBase {
  readonly kind: 'windowAggregate';
  readonly operatorId: number;
  readonly input: PhysicalNode;
  readonly window: WindowSpec;
  readonly timeColumn: number;
  /** grouping keys other than the window bounds, over the input */
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  /** output column positions: where window_start / window_end go among the keys */
  readonly keyLayout: readonly ({ readonly kind: 'key'; readonly index: number } | { readonly kind: 'windowStart' } | { readonly kind: 'windowEnd' })[];
  readonly mode: OutputModeName;
}

/** A window TVF without aggregation: assigns rows to windows (stateless). */
export interface WindowAssignNode extends NodeBase {
  readonly kind: 'windowAssign';
  readonly input: PhysicalNode;
  readonly window: WindowSpec;
  readonly timeColumn: number;
}

export type PhysicalNode =
  | SourceNode | WatermarkNode | ProjectNode | FilterNode | UnionNode
  | AggregateNode | WindowAggregateNode | WindowAssignNode;
export type PhysicalKind = PhysicalNode['kind'];

export interface StreamingPlan {
  readonly root: PhysicalNode;
  readonly mode: OutputModeName;
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
    case 'watermark': case 'project': case 'filter': case 'aggregate': case 'windowAggregate': case 'windowAssign':
      return [n.input];
  }
}
