/**
 * The one interface every operator implements (DESIGN.md "Operators").
 *
 * Rows travel as changelog chunks: an Arrow batch plus, for results that update, one RowKind per
 * row. A micro-batch drives each operator as: `process` for every input chunk (`input` says which
 * child for multi-input operators), then `onWatermark` with the batch's watermark (emit closed
 * windows, evict state), then `finishBatch` (emit what the output mode asks for this batch), then,
 * once the sink has the batch, `flushState` (put what it keeps in memory into its store), then the
 * execution commits every store at version batchId, then `checkpoint(batchId)`.
 *
 * State belongs to the execution: the planner declares each stateful operator (its operatorId, see
 * physical.ts), the execution opens its store before the operator is built (and at the right version
 * after a restart), commits it after each batch and rolls it back when a batch fails. An operator
 * reads and writes its store, and never commits or aborts it itself.
 */
import type * as arrow from 'apache-arrow';
import type { ExprContext } from '../expr/compile.js';

export interface Chunk {
  readonly batch: arrow.RecordBatch;
  /** RowKind per row (connectors/api.ts); undefined: all inserts */
  readonly kinds?: Uint8Array;
}

export interface BatchContext {
  readonly batchId: number;
  /** the watermark this batch runs with (computed at the end of the batches before it) */
  readonly watermark: number;
  /**
   * The watermark rows are judged late against, when it is not `watermark`: an operator fed by
   * another stateful operator gets its input's watermark as of the previous batch, since the rows
   * upstream emits in this batch are those `watermark` has just released (Flink forwards a watermark
   * after the rows it fired). Windows still close at `watermark`.
   */
  readonly lateWatermark?: number;
  /** processing time of this batch: the clock when it started */
  readonly processingTime: number;
  readonly expr: ExprContext;
}

export interface StateOperatorProgress {
  readonly operatorName: string;
  readonly numRowsTotal: number;
  readonly numRowsUpdated: number;
  readonly memoryUsedBytes: number;
  /** rows of this batch that came too late for every window they belonged to */
  readonly numRowsDroppedByWatermark: number;
  /** window operators: how many windows hold state, and the end of the oldest (why it has not fired) */
  readonly numOpenWindows?: number;
  readonly oldestOpenWindowEnd?: string | null;
  /** operators under `table.exec.state.ttl`: keys whose state expired in this batch */
  readonly numRowsExpired?: number;
}

export interface Operator {
  /** one line for EXPLAIN and progress */
  explain(): string;
  process(chunk: Chunk, ctx: BatchContext, input?: number): Chunk[];
  onWatermark?(watermark: number, ctx: BatchContext): Chunk[];
  finishBatch?(ctx: BatchContext): Chunk[];
  /**
   * True when a batch run now, with this watermark and processing time, would make the operator emit
   * or evict (a closed event-time window, a processing-time window whose end the clock passed): the
   * loop then runs a batch even without new data.
   */
  hasTimerWork?(watermark: number, processingTime: number): boolean;
  /** before the stores commit: write into the store what the operator holds in memory for this batch */
  flushState?(): void;
  /** after the stores committed `version`: make durable what else the batch produced (late rows) */
  checkpoint?(version: number): Promise<void>;
  /** a failed batch: the stores are rolled back already; drop what the operator derived from the batch */
  abort?(): void;
  progress?(): StateOperatorProgress;
  close?(): void;
}
