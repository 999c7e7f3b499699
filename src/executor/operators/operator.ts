/**
 * The one interface every operator implements (DESIGN.md "Operators").
 *
 * Rows travel as changelog chunks: an Arrow batch plus, for results that update, one RowKind per
 * row. A micro-batch drives each operator as: `process` for every input chunk (`input` says which
 * child for multi-input operators), then `onWatermark` with the batch's watermark (emit closed
 * windows, evict state), then `finishBatch` (emit what the output mode asks for this batch), then,
 * once the sink has the batch, `checkpoint(batchId)`.
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
  checkpoint?(version: number): Promise<void>;
  /** roll back the uncommitted batch (a failed batch) */
  abort?(): void;
  progress?(): StateOperatorProgress;
  close?(): void;
}
