/**
 * Grouped aggregation with state per key (not windowed: groups never finalize).
 *
 * Per micro-batch: the key and argument columns are computed once per chunk by compiled kernels,
 * each row's key is looked up once in a batch-local table, and accumulators are updated; at the end
 * of the batch the changed groups are written to the state store and emitted as the output mode
 * asks (update: the changed groups, with update-before rows for their previous result; complete:
 * every group).
 *
 * State TTL (`SET 'table.exec.state.ttl'`, Flink's semantics): a key not written for the TTL
 * (processing time) has expired; its state is never read again: a row for it starts a new group and
 * the old result is not retracted (as Flink). Expired keys are deleted at the end of each batch
 * (state-ttl-index.ts), and the last-write time is kept in the stored value across restarts.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import type { AggregateNode } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { KeyCodec } from '../../keys/key-codec.js';
import { rowKeys } from '../window/row-keys.js';
import { AggregateFunctions, rowsToArrow, sameRow, type Group } from './aggregate-functions.js';
import { StateTtlIndex } from './state-ttl-index.js';
import { stateTtlText } from '../../../planner/incremental/state-ttl.js';

export class GroupAggregateOperator implements Operator {
  private readonly keyKernels: ((b: arrow.RecordBatch) => arrow.Data)[];
  private readonly codec: KeyCodec;
  private readonly fns: AggregateFunctions;
  private readonly outSchema: arrow.Schema;
  /**
   * groups touched in this batch, by their row key (row-keys.ts: the key value itself for one key
   * column a Map compares as SQL groups, no string per row; else the store key)
   */
  private touched = new Map<unknown, Group>();
  /**
   * the state store keys of the groups touched, in the order `touched` lists them (beside it, not
   * in an object per group and batch: what lives as long as a batch is old garbage when it goes)
   */
  private readonly touchedKeys: string[] = [];
  /** a group's result row while it is compared with the row emitted before */
  private readonly result: unknown[];
  /** set when `table.exec.state.ttl` is */
  private readonly ttl: StateTtlIndex | undefined;
  /** keys whose state expired in the current batch (progress) */
  private numExpired = 0;
  /** the batch was checkpointed: the next process/finishBatch starts a new batch's counts */
  private batchDone = false;

  constructor(
    private readonly node: AggregateNode,
    private readonly store: StateStore,
    inputSchema: Schema,
    exprCtx: ExprContext,
  ) {
    this.keyKernels = node.groupBy.map((e) => compileExpr(e, inputSchema, exprCtx));
    this.codec = new KeyCodec(node.groupBy.map((e) => e.type));
    this.fns = new AggregateFunctions(node.aggregates, inputSchema, exprCtx, node.input.appendOnly);
    this.outSchema = toArrowSchema(node.schema);
    this.result = new Array(node.groupBy.length + node.aggregates.length);
    this.ttl = node.stateTtlMs !== undefined && node.stateTtlMs > 0
      ? new StateTtlIndex(node.stateTtlMs, (v) => v[4] as number | undefined)
      : undefined;
  }

  private startBatchCounts(): void {
    if (!this.batchDone) return;
    this.batchDone = false;
    this.numExpired = 0;
  }

  explain(): string {
    return `GroupAggregate[${this.node.operatorId}](keys=[${this.node.groupBy.map(exprToString).join(', ')}], aggs=[${this.fns.describe()}], mode=${this.node.mode}${this.ttl ? `, state ttl ${stateTtlText(this.ttl.ttlMs)}` : ''})`;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    this.startBatchCounts();
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const ttl = this.ttl;
    const now = ctx.processingTime;
    const keyColumns = this.keyKernels.map((k) => k(b));
    // the window operators' row keys: a group's store key is encoded once, when the batch first touches it
    const rk = rowKeys(this.codec, keyColumns, n);
    const keys = rk.keys;
    const keyReaders = keyColumns.map(readerFor);
    const bound = this.fns.bind(b);
    const kinds = chunk.kinds;
    const nk = keyReaders.length;
    const keyValues: unknown[] = new Array(nk);
    for (let i = 0; i < n; i++) {
      const mapKey = keys[i];
      let g = this.touched.get(mapKey);
      if (!g) {
        // the values are read only for a group's first row in a batch: the group keeps them for its result rows
        for (let c = 0; c < nk; c++) keyValues[c] = keyReaders[c]!(i);
        const key = rk.storeKey(i);
        g = this.fns.load(this.store, key, keyValues);
        if (ttl && ttl.expired(g.lastWrite, now)) {
          // expired state is never read: the key starts over (its old result stays where it was sent)
          g = this.fns.fresh(keyValues);
          this.numExpired++;
        }
        this.touched.set(mapKey, g);
        this.touchedKeys.push(key);
      }
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      // as Flink: a retraction for a key without state (it expired, here or upstream) is dropped
      if (ttl && retract && g.rows === 0 && g.emitted === null) continue;
      this.fns.apply(g, bound, i, retract);
    }
    return [];
  }

  finishBatch(ctx: BatchContext): Chunk[] {
    this.startBatchCounts();
    const rows: unknown[][] = [];
    const kinds: number[] = [];
    const ttl = this.ttl;
    const now = ctx.processingTime;
    ttl?.ensureBuilt(this.store, now);
    const keys = this.touchedKeys;
    let j = 0;
    for (const g of this.touched.values()) {
      const key = keys[j++]!;
      const before = g.emitted;
      if (g.rows <= 0 && this.node.groupBy.length > 0) {
        // every row of the group was retracted: the group is gone
        this.store.delete(key);
        ttl?.removed(key);
        if (before) { rows.push(before); kinds.push(RowKind.DELETE); }
        continue;
      }
      const result = this.fns.resultRow(g.keys, g.accs, this.result);
      const same = before !== null && sameRow(before, result);
      // the rows sent are copies: the row emitted changes in place when the group next changes
      if (!same && this.node.mode === 'update') {
        if (before) { rows.push(before.slice()); kinds.push(RowKind.UPDATE_BEFORE); }
        rows.push(result.slice());
        kinds.push(before ? RowKind.UPDATE_AFTER : RowKind.INSERT);
      }
      if (!same) this.fns.emit(g, result);
      if (ttl) { g.lastWrite = now; ttl.wrote(key, now); }
      this.fns.save(this.store, key, g);
    }
    this.touched = new Map();
    keys.length = 0;
    if (ttl) this.numExpired += ttl.sweep(this.store, now);
    if (this.node.mode === 'complete') return this.emitAll();
    if (rows.length === 0) return [];
    return [{ batch: rowsToArrow(this.node.schema, this.outSchema, rows), kinds: Uint8Array.from(kinds) }];
  }

  private emitAll(): Chunk[] {
    const rows: unknown[][] = [];
    for (const [, v] of this.store.entries()) rows.push((v[2] as unknown[] | null) ?? []);
    return rows.length === 0 ? [] : [{ batch: rowsToArrow(this.node.schema, this.outSchema, rows) }];
  }

  async checkpoint(): Promise<void> {
    this.fns.commitBatch();
    this.batchDone = true;
  }

  abort(): void {
    this.touched = new Map();
    this.touchedKeys.length = 0;
    this.ttl?.invalidate();
    this.numExpired = 0;
    this.fns.rollback();
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'groupAggregate',
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: 0,
      ...(this.ttl ? { numRowsExpired: this.numExpired } : {}),
    };
  }
}
