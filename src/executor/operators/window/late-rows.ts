/**
 * Rows that came too late: dropped from the window they missed, and counted (progress
 * `numRowsDroppedByWatermark`, per batch). With `SET 'late-rows.table' = 'name'` each late row is
 * also sent to that table, with the watermark at the time and the operator that refused it, so
 * nothing is lost silently.
 */
import type * as arrow from 'apache-arrow';
import { batchToRows, takeBatch } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import type { BatchContext } from '../operator.js';

export interface LateRow {
  readonly row: Record<string, unknown>;
  readonly watermark: number;
  readonly operator: string;
  readonly batchId: number;
}

export interface LateRowsSink {
  write(rows: readonly LateRow[]): Promise<void>;
}

export class LateRows {
  private count = 0;
  private pending: LateRow[] = [];

  constructor(private readonly operator: string, private readonly schema: Schema, private readonly sink: LateRowsSink | undefined) {
    void this.schema;
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

  /** This batch's count, reset for the next batch. */
  takeBatchCount(): number {
    const c = this.count;
    this.count = 0;
    return c;
  }

  async flush(): Promise<void> {
    if (!this.sink || this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    await this.sink.write(rows);
  }

  discard(): void {
    this.pending = [];
    this.count = 0;
  }
}
