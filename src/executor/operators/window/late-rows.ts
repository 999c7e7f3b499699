/**
 * Rows that came too late: dropped from the window they missed, and counted (progress
 * `numRowsDroppedByWatermark`, per batch). With `SET 'late-rows.table' = 'name'` each late row is
 * also sent to that table, with the watermark at the time and the operator that refused it, so
 * nothing is lost silently. In complete mode no row is late (see lateThreshold in window-aggregate.ts).
 *
 * Every window operator of a query shares one LateRowsSink. Each reports its late rows of batch N
 * when it checkpoints batch N (an empty report too), and the sink writes the batch's late rows once
 * all of them have reported: one write per batch id, so a sink that makes a repeated batch
 * idempotent (a re-run after a crash) keeps the late rows exactly once as well.
 */
import type * as arrow from 'apache-arrow';
import { batchToRows, takeBatch } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import type { BatchContext } from '../operator.js';

export interface LateRow {
  /** the input row, by the refusing operator's input column names */
  readonly row: Record<string, unknown>;
  /** the watermark the row was judged late against */
  readonly watermark: number;
  /** the operator that refused it: `windowAggregate[0]`, `sessionAggregate[1]` */
  readonly operator: string;
  readonly batchId: number;
}

export interface LateRowsSink {
  /** An operator that will report every batch (called when it is built). */
  register(operator: string, input: Schema): void;
  /** The late rows `operator` refused in batch `batchId` (possibly none). */
  report(operator: string, batchId: number, rows: readonly LateRow[]): Promise<void>;
  /** Forget what was reported for the batch in flight (the batch failed and is rolled back). */
  discard(): void;
}

export class LateRows {
  /** late rows of the batch in progress, and of the last finished batch (what progress reports) */
  private count = 0;
  private finished = 0;
  private pending: LateRow[] = [];

  constructor(private readonly operator: string, schema: Schema, private readonly sink: LateRowsSink | undefined) {
    sink?.register(operator, schema);
  }

  /** Count (and keep, if a late-rows table is set) the rows with a time that no open window took. */
  collect(b: arrow.RecordBatch, times: Float64Array, accepted: Uint8Array, watermark: number, ctx: BatchContext): void {
    let late = 0;
    const idx: number[] = [];
    for (let i = 0; i < accepted.length; i++) {
      if (accepted[i] === 0 && times[i] === times[i]) { late++; if (this.sink) idx.push(i); }
    }
    this.count += late;
    if (this.sink && idx.length > 0) {
      for (const row of batchToRows(takeBatch(b, Uint32Array.from(idx)))) {
        this.pending.push({ row, watermark, operator: this.operator, batchId: ctx.batchId });
      }
    }
  }

  /** The batch is done (its operator's finishBatch): its count is what progress reports until the next. */
  endBatch(): void {
    this.finished = this.count;
    this.count = 0;
  }

  /** The late rows of the last finished batch (progress may ask more than once). */
  batchCount(): number {
    return this.finished;
  }

  /** Hand batch `batchId`'s late rows to the sink (called when the operator checkpoints the batch). */
  async flush(batchId: number): Promise<void> {
    if (!this.sink) return;
    const rows = this.pending;
    this.pending = [];
    await this.sink.report(this.operator, batchId, rows);
  }

  discard(): void {
    this.pending = [];
    this.count = 0;
    this.finished = 0;
    this.sink?.discard();
  }
}
