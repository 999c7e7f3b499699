/**
 * Session window aggregation: per key, sessions that grow and merge as rows arrive.
 *
 * A row at time t opens the window [t, t + gap); windows of one key that overlap or touch merge into
 * one session (as Flink's TimeWindow.intersects), their accumulators merged. A row whose own window
 * already ended (t + gap ≤ the batch's watermark) is late: dropped and counted. Sessions close when
 * the watermark reaches their end: append mode emits them then, once; update mode emits each change
 * (a session swallowed by a merge is deleted downstream); complete mode emits every session each batch.
 *
 * State per key: [keys, sessions], a session being [start, end, accs, rows, emitted row or null],
 * kept sorted by start.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import { InternalError } from '../../../common/errors.js';
import type { WindowAggregateNode } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import { AggregateFunctions, rowsToArrow, sameRow, type Group } from '../aggregate/aggregate-functions.js';
import { KeyCodec } from '../../keys/key-codec.js';
import { encodeColumns } from '../../keys/key-columns.js';
import type { AccState } from '../aggregate/accumulators.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { isoOrNull } from '../../streaming/trigger.js';
import { timesOf } from './assign-windows.js';
import { describeWindow } from './describe.js';
import { LateRows, type LateRowsSink } from './late-rows.js';
import { OpenWindows } from './open-windows.js';
import { closingTime, lateThreshold } from './window-time.js';

type Session = [start: number, end: number, accs: AccState[], rows: number, emitted: unknown[] | null];
interface KeyState { keys: unknown[]; sessions: Session[]; }

export class SessionAggregateOperator implements Operator {
  private readonly keyKernels: ((b: arrow.RecordBatch) => arrow.Data)[];
  private readonly codec: KeyCodec;
  private readonly fns: AggregateFunctions;
  private readonly outSchema: arrow.Schema;
  private readonly gap: number;
  private touched = new Map<string, KeyState>();
  /** rows removed by merges this batch that had been emitted (update mode deletes them) */
  private retracted: unknown[][] = [];
  /** each key by the end of each of its sessions */
  private readonly open = new OpenWindows();
  private readonly late: LateRows;

  constructor(
    private readonly node: WindowAggregateNode,
    private readonly store: StateStore,
    private readonly inputSchema: Schema,
    exprCtx: ExprContext,
    lateSink: LateRowsSink | undefined,
  ) {
    if (node.window.kind !== 'session') throw new InternalError('SessionAggregateOperator needs a session window');
    this.gap = node.window.gapMs;
    this.keyKernels = node.groupBy.map((e) => compileExpr(e, inputSchema, exprCtx));
    this.codec = new KeyCodec(node.groupBy.map((e) => e.type));
    this.fns = new AggregateFunctions(node.aggregates, inputSchema, exprCtx, node.input.appendOnly);
    this.outSchema = toArrowSchema(node.schema);
    this.late = new LateRows(`sessionAggregate[${node.operatorId}]`, inputSchema, lateSink);
    this.reindex();
  }

  private reindex(): void {
    const entries: [string, unknown[]][] = [];
    for (const [key, v] of this.store.entries()) {
      for (const s of v[1] as Session[]) entries.push([key, [[s[0], s[1]]]]);
    }
    this.open.rebuild(entries);
  }

  explain(): string {
    return `SessionAggregate[${this.node.operatorId}](${describeWindow(this.node.window)}, time=${this.inputSchema.columns[this.node.timeColumn]!.name}, ` +
      `keys=[${this.node.groupBy.map(exprToString).join(', ')}], aggs=[${this.fns.describe()}], mode=${this.node.mode})`;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const times = timesOf(b.data.children[this.node.timeColumn]!);
    const keyColumns = this.keyKernels.map((k) => k(b));
    const keys = encodeColumns(this.codec, keyColumns, n);
    const keyReaders = keyColumns.map(readerFor);
    const bound = this.fns.bind(b);
    const accepted = new Uint8Array(n);
    const keyValues: unknown[] = new Array(keyReaders.length);
    const wm = lateThreshold(this.node.timeDomain, ctx, this.node.mode);
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (t !== t || t + this.gap <= wm) continue; // NULL time, or late
      accepted[i] = 1;
      for (let c = 0; c < keyReaders.length; c++) keyValues[c] = keyReaders[c]!(i);
      const key = keys[i]!;
      const ks = this.keyState(key, keyValues);
      const s = this.sessionFor(ks, t, t + this.gap);
      const g: Group = { keys: [], accs: s[2], emitted: null, rows: s[3] };
      const retract = chunk.kinds !== undefined && (chunk.kinds[i] === RowKind.UPDATE_BEFORE || chunk.kinds[i] === RowKind.DELETE);
      this.fns.apply(g, bound, i, retract);
      s[3] = g.rows;
    }
    this.late.collect(b, times, accepted, wm, ctx);
    return [];
  }

  private keyState(key: string, keyValues: readonly unknown[]): KeyState {
    let ks = this.touched.get(key);
    if (ks) return ks;
    const stored = this.store.get(key);
    ks = stored
      ? { keys: stored[0] as unknown[], sessions: (stored[1] as Session[]).map((s) => [s[0], s[1], this.fns.copyAccs(s[2]), s[3], s[4]] as Session) }
      : { keys: keyValues.slice(), sessions: [] };
    for (const s of ks.sessions) this.open.remove(s[1], key);
    this.touched.set(key, ks);
    return ks;
  }

  /** The session [start, end) joins: merged with every session it overlaps or touches. */
  private sessionFor(ks: KeyState, start: number, end: number): Session {
    const merged: Session = [start, end, this.fns.init(), 0, null];
    const keep: Session[] = [];
    for (const s of ks.sessions) {
      if (s[0] <= merged[1] && s[1] >= merged[0]) {
        merged[0] = Math.min(merged[0], s[0]);
        merged[1] = Math.max(merged[1], s[1]);
        this.fns.merge(merged[2], s[2]);
        merged[3] += s[3];
        if (s[4]) {
          // the largest emitted session carries on as the merged one; others are gone downstream
          if (merged[4]) this.retracted.push(merged[4]);
          merged[4] = s[4];
        }
      } else keep.push(s);
    }
    keep.push(merged);
    keep.sort((a, b) => a[0] - b[0]);
    ks.sessions = keep;
    return merged;
  }

  hasTimerWork(watermark: number, processingTime: number): boolean {
    // no open window: nothing to close (minEnd is +Infinity, which an infinite watermark would reach)
    return this.node.mode !== 'complete' && this.open.windowCount() > 0 && this.open.minEnd() <= closingTime(this.node.timeDomain, watermark, processingTime);
  }

  finishBatch(ctx: BatchContext): Chunk[] {
    this.late.endBatch();
    const update = this.node.mode === 'update';
    const rows: unknown[][] = [];
    const kinds: number[] = [];
    if (update) for (const r of this.retracted) { rows.push(r); kinds.push(RowKind.DELETE); }
    this.retracted = [];
    for (const [key, ks] of this.touched) {
      ks.sessions = ks.sessions.filter((s) => {
        if (s[3] > 0) return true;
        if (update && s[4]) { rows.push(s[4]); kinds.push(RowKind.DELETE); }
        return false;
      });
      for (const s of ks.sessions) {
        if (!update) continue;
        const result = this.resultRow(ks.keys, s);
        if (s[4] && sameRow(s[4], result)) continue;
        if (s[4]) { rows.push(s[4]); kinds.push(RowKind.UPDATE_BEFORE); }
        rows.push(result);
        kinds.push(s[4] ? RowKind.UPDATE_AFTER : RowKind.INSERT);
        s[4] = result;
      }
      this.save(key, ks);
    }
    this.touched = new Map();
    if (this.node.mode === 'complete') {
      for (const [, v] of this.store.entries()) for (const s of v[1] as Session[]) rows.push(this.resultRow(v[0] as unknown[], s));
      return rows.length === 0 ? [] : [{ batch: rowsToArrow(this.node.schema, this.outSchema, rows) }];
    }
    const closeAt = closingTime(this.node.timeDomain, ctx.watermark, ctx.processingTime);
    const keys = new Set<string>();
    for (const set of this.open.closeUpTo(closeAt)) for (const k of set) keys.add(k);
    for (const key of keys) {
      const v = this.store.get(key);
      if (!v) continue;
      const remaining: Session[] = [];
      for (const s of v[1] as Session[]) {
        if (s[1] > closeAt) { remaining.push(s); continue; }
        if (!update) { rows.push(this.resultRow(v[0] as unknown[], s)); kinds.push(RowKind.INSERT); }
      }
      if (remaining.length > 0) this.store.put(key, [v[0], remaining]);
      else this.store.delete(key);
    }
    if (rows.length === 0) return [];
    const batch = rowsToArrow(this.node.schema, this.outSchema, rows);
    return [update ? { batch, kinds: Uint8Array.from(kinds) } : { batch }];
  }

  private save(key: string, ks: KeyState): void {
    if (ks.sessions.length === 0) { this.store.delete(key); return; }
    this.store.put(key, [ks.keys, ks.sessions]);
    for (const s of ks.sessions) this.open.add(s[1], key);
  }

  private resultRow(keys: readonly unknown[], s: Session): unknown[] {
    const out: unknown[] = [];
    for (const slot of this.node.keyLayout) out.push(slot.kind === 'windowStart' ? s[0] : slot.kind === 'windowEnd' ? s[1] : keys[slot.index]);
    for (const v of this.fns.results(s[2])) out.push(v);
    return out;
  }

  async checkpoint(version: number): Promise<void> {
    this.fns.commitBatch();
    await this.late.flush(version);
  }

  abort(): void {
    this.touched = new Map();
    this.retracted = [];
    this.fns.rollback();
    this.reindex();
    this.late.discard();
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'sessionAggregate',
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: this.late.batchCount(),
      numOpenWindows: this.open.windowCount(),
      oldestOpenWindowEnd: isoOrNull(this.open.minEnd()),
    };
  }
}
