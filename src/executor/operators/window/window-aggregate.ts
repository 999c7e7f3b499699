/**
 * Window aggregation for TUMBLE, HOP and CUMULATE: state per (window, key).
 *
 * A batch assigns its rows to windows over the time column's typed array; rows of windows that are
 * already closed (window_end ≤ the batch's watermark) are late and dropped, and counted (not in
 * complete mode, which keeps every window: there a late row still counts). At the end
 * of the batch the changed groups are saved; then every window the watermark has closed is final:
 * in append mode its rows are emitted now (once) and its state dropped; in update mode the changed
 * groups were emitted as they changed and a closed window's state is dropped; in complete mode every
 * window is emitted each batch and kept.
 *
 * In the processing-time domain (a window over PROCTIME()) the engine clock closes windows instead
 * of the watermark, and no row is ever late.
 *
 * Layout, for the hot loop: state is kept per grouping key, as one store entry
 * [grouping values, [[start, end, accs, emitted, rows], …]] holding the key's open windows (a HOP
 * row touches size/slide windows of one key: one entry, not one per window). The operator keeps
 * every open key in memory as well, reached by the row's grouping key (a number or a string, see
 * row-keys.ts): one Map lookup per row, then the window by its end in a small array (for TUMBLE,
 * HOP and CUMULATE one end has one start). The store is never read while rows flow and is written
 * once per changed key and batch; a window's accumulators are copied the first time a batch
 * touches it, so the stored value stays intact for abort.
 *
 * Memory: a window is one array [start, end, accs, emitted, rows, batch], the very array the store
 * entry holds while the key is being changed. Stored arrays are never changed: the first time a
 * batch touches a key its window list is copied, and the first time it touches a window that
 * window's array (with its accumulators), so the committed value stays intact for abort. The sixth
 * element (the batch that copied it) is stored too; old checkpoints without it read as untouched,
 * and rebuild() resets it. Between batches a key whose accumulators hold plain numbers (COUNT, SUM,
 * MIN/MAX of numbers, ...) keeps its windows as one compact string instead (window-groups-codec.ts:
 * about a sixth of the arrays' memory), which the store entry holds too; the first row of a batch
 * that touches the key decodes it into fresh arrays, and the end of the batch encodes it again.
 * When every call has a flat form and no window keeps an emitted row (not update mode), a touched key
 * is not decoded into arrays at all: its numbers go into one Float64Array for the batch
 * (flat-windows.ts), so a batch leaves one new string per touched key and no arrays to collect.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import type { WindowAggregateNode } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import { AggregateFunctions, sameRow } from '../aggregate/aggregate-functions.js';
import { KeyCodec } from '../../keys/key-codec.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { alignStart, timesOf } from './assign-windows.js';
import { describeWindow } from './describe.js';
import { LateRows, type LateRowsSink } from './late-rows.js';
import { ResultColumns } from './result-columns.js';
import { mapKeyOfStored, rowKeys } from './row-keys.js';
import { isoOrNull } from '../../streaming/trigger.js';
import { FlatWindows } from './flat-windows.js';
import { closingTime, lateThreshold, windowParams } from './window-time.js';
import { decodeWindowGroupEnding, decodeWindowGroups, encodedHasEnd, encodedOpenAfter, encodeWindowGroups, type WindowGroup } from './window-groups-codec.js';

/** The most rows of closed windows one output chunk holds (see finishBatch). */
export const EMIT_CHUNK_ROWS = 16_384;

/*
 * One open window of one key (WindowGroup), as the store entry holds it: [start, end, accs, emitted
 * (the result row last sent downstream in update mode, so an update can retract it), rows (live
 * input rows: 0 after retractions, the group is gone), batch (the batch sequence number that copied it)].
 */
const START = 0, END = 1, ACCS = 2, EMITTED = 3, ROWS = 4, BATCH = 5;

/** A grouping key's open windows: one state store entry. */
interface KeyState {
  readonly key: unknown;
  readonly values: unknown[];
  readonly storeKey: string;
  /**
   * The windows as arrays: shared with the stored value until `copied` is the batch in progress
   * (copy on write), or decoded from `text` by the batch in progress; undefined while they are only `text`
   */
  groups: WindowGroup[] | undefined;
  /** the windows as the stored compact string (window-groups-codec.ts), when they have that form */
  text: string | undefined;
  /** the batch sequence number that last changed it (touched by rows, or a window closed) */
  dirty: number;
  /** the batch sequence number that last copied `groups` */
  copied: number;
  /** with flat windows: the batch sequence number that loaded the key into the arena, and its first group there */
  loaded: number;
  head: number;
  /**
   * The end of the last window the watermark closed for it. A key is listed under an end again when
   * retractions emptied its window there and a later batch's rows made it anew: the second listing
   * must not emit the window twice (the compact form still holds it until the end of the closing).
   */
  closed: number;
}

export class WindowAggregateOperator implements Operator {
  private readonly keyKernels: ((b: arrow.RecordBatch) => arrow.Data)[];
  private readonly codec: KeyCodec;
  private readonly fns: AggregateFunctions;
  private readonly outSchema: arrow.Schema;
  /** open keys by grouping key */
  private byKey = new Map<unknown, KeyState>();
  /** the keys with a window of each end: what the watermark closes */
  private byEnd = new Map<number, KeyState[]>();
  /** the windows this batch's rows touched (touchedGroups[i] of key touchedKeys[i]), in order */
  private touchedKeys: KeyState[] = [];
  private touchedGroups: WindowGroup[] = [];
  private batchSeq = 0;
  /**
   * The working memory of touched keys when every call has a flat form and no window holds an
   * emitted row (not update mode): flat-windows.ts; undefined: arrays per window (the other branch
   * of process)
   */
  private flat: FlatWindows | undefined;
  /** with flat windows: the keys this batch loaded into the arena, in order */
  private loadedKeys: KeyState[] = [];
  private readonly late: LateRows;
  private readonly params: ReturnType<typeof windowParams>;

  constructor(
    private readonly node: WindowAggregateNode,
    private readonly store: StateStore,
    private readonly inputSchema: Schema,
    exprCtx: ExprContext,
    lateSink: LateRowsSink | undefined,
  ) {
    this.keyKernels = node.groupBy.map((e) => compileExpr(e, inputSchema, exprCtx));
    this.codec = new KeyCodec(node.groupBy.map((e) => e.type));
    this.fns = new AggregateFunctions(node.aggregates, inputSchema, exprCtx, node.input.appendOnly);
    this.outSchema = toArrowSchema(node.schema);
    // windows given by columns: one window per row, read from the row
    this.params = node.windowColumns ? { size: 0, slide: 0, offset: 0, perRow: 1 } : windowParams(node.window);
    this.late = new LateRows(`windowAggregate[${node.operatorId}]`, inputSchema, lateSink);
    const kinds = this.fns.flatKinds;
    this.flat = kinds !== undefined && node.mode !== 'update' ? new FlatWindows(kinds) : undefined;
    // state that survived a restart
    this.rebuild();
  }

  /** The in-memory state again from the store's (committed) entries. */
  private rebuild(): void {
    this.byKey = new Map();
    this.byEnd = new Map();
    for (const [storeKey, v] of this.store.entries()) {
      const values = v[0] as unknown[];
      const stored = v[1] as WindowGroup[] | string;
      const key = mapKeyOfStored(this.codec, values, storeKey);
      if (typeof stored === 'string') {
        const ks: KeyState = { key, values, storeKey, groups: undefined, text: stored, dirty: -1, copied: -1, loaded: -1, head: -1, closed: -Infinity };
        this.byKey.set(key, ks);
        for (const g of decodeWindowGroups(stored, this.fns.count, -1)) this.addEnd(g[END], ks);
        continue;
      }
      const groups = stored.map(([start, end, accs, emitted, rows]): WindowGroup => [start, end, accs, emitted, rows, -1]);
      // flat windows work on compact strings: a key a checkpoint stored as arrays becomes one
      const text = this.flat ? encodeWindowGroups(groups) : undefined;
      if (this.flat && text === undefined) this.flat = undefined; // (not expected: flat calls hold numbers only)
      const ks: KeyState = {
        key, values, storeKey, groups: text === undefined ? groups : undefined, text, dirty: -1, copied: -1, loaded: -1, head: -1,
        closed: -Infinity,
      };
      this.byKey.set(key, ks);
      for (const g of groups) this.addEnd(g[END], ks);
    }
  }

  private hasWindow(ks: KeyState, end: number): boolean {
    return ks.groups !== undefined ? ks.groups.some((g) => g[END] === end) : encodedHasEnd(ks.text!, this.fns.count, end);
  }

  private addEnd(end: number, ks: KeyState): void {
    const forEnd = this.byEnd.get(end);
    if (forEnd) forEnd.push(ks);
    else this.byEnd.set(end, [ks]);
  }

  explain(): string {
    const wc = this.node.windowColumns;
    const cols = this.inputSchema.columns;
    const over = wc ? `windows from ${cols[wc.start]!.name}, ${cols[wc.end]!.name}` : `time=${cols[this.node.timeColumn]!.name}`;
    return `WindowAggregate[${this.node.operatorId}](${describeWindow(this.node.window)}, ${over}, ` +
      `${this.node.timeDomain === 'processing' ? 'processing time, ' : ''}keys=[${this.node.groupBy.map(exprToString).join(', ')}], ` +
      `aggs=[${this.fns.describe()}], mode=${this.node.mode})`;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const times = timesOf(b.data.children[this.node.timeColumn]!);
    const keys = rowKeys(this.codec, this.keyKernels.map((k) => k(b)), n);
    const rk = keys.keys;
    const bound = this.fns.bind(b);
    const wm = lateThreshold(this.node.timeDomain, ctx, this.node.mode);
    const kinds = chunk.kinds;
    const seq = this.batchSeq;
    const fns = this.fns;
    const flat = this.flat;
    const { size, slide, offset, perRow } = this.params;
    const cumulate = this.node.window.kind === 'cumulate' && !this.node.windowColumns;
    const starts = this.node.windowColumns ? timesOf(b.data.children[this.node.windowColumns.start]!) : undefined;
    // rows that landed in at least one open window; the others were late for all their windows
    const accepted = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (t !== t) continue; // NULL time: in no window (as Flink)
      // the row's windows, earliest start first (TUMBLE: one; HOP: size/slide; CUMULATE: the growing ends that contain t)
      let start: number, end: number, count: number;
      if (starts) {
        start = starts[i]!;
        end = t;
        count = 1;
      } else if (cumulate) {
        start = alignStart(t, size, offset);
        end = alignStart(t, slide, offset) + slide;
        count = (start + size - end) / slide + 1;
      } else {
        start = alignStart(t, slide, offset) - (perRow - 1) * slide;
        end = start + size;
        count = perRow;
      }
      let ks: KeyState | undefined;
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      for (let w = 0; w < count; w++, end += slide) {
        if (end <= wm) continue;
        accepted[i] = 1;
        if (ks === undefined) {
          const key = rk[i];
          ks = this.byKey.get(key);
          if (ks === undefined) {
            const values = keys.values(i);
            ks = {
              key, values, storeKey: keys.storeKey(i), groups: flat ? undefined : [], text: undefined, dirty: -1, copied: seq, loaded: -1, head: -1,
              closed: -Infinity,
            };
            this.byKey.set(key, ks);
          }
          if (flat) {
            // its windows into the arena, once per batch
            if (ks.loaded !== seq) {
              ks.head = flat.load(ks.text);
              ks.loaded = seq;
              this.loadedKeys.push(ks);
            }
          } else if (ks.groups === undefined) {
            // decoded from the compact string: fresh arrays of this batch's own (nothing to copy on
            // write; `text` stays set until the end of the batch, which tells them apart)
            ks.groups = decodeWindowGroups(ks.text!, this.fns.count, -1);
            ks.copied = seq;
          } else if (ks.copied !== seq) { ks.groups = ks.groups.slice(); ks.copied = seq; }
        }
        if (flat) {
          let fg = flat.find(ks.head, end);
          if (fg < 0) {
            fg = flat.append(ks.head, cumulate ? start : start + w * slide, end);
            if (ks.head < 0) ks.head = fg;
            this.addEnd(end, ks);
          }
          flat.apply(fg, bound, i, retract);
          continue;
        }
        const groups = ks.groups!;
        let g: WindowGroup | undefined;
        let j = 0;
        for (; j < groups.length; j++) if (groups[j]![END] === end) { g = groups[j]; break; }
        if (g === undefined) {
          g = [cumulate ? start : start + w * slide, end, fns.init(), null, 0, seq];
          groups.push(g);
          this.addEnd(end, ks);
          this.touchedKeys.push(ks);
          this.touchedGroups.push(g);
        } else if (g[BATCH] !== seq) {
          // first touch in this batch: copied unless decoded (above), and listed to be saved
          if (ks.text === undefined) {
            g = [g[START], g[END], fns.copyAccs(g[ACCS]), g[EMITTED], g[ROWS], seq];
            groups[j] = g;
          } else g[BATCH] = seq;
          this.touchedKeys.push(ks);
          this.touchedGroups.push(g);
        }
        g[ROWS] += fns.applyToAccs(g[ACCS], bound, i, retract);
      }
    }
    this.late.collect(b, times, accepted, wm, ctx);
    return [];
  }

  /** The end of the oldest open window, +∞ when none. */
  private minEnd(): number {
    let min = Infinity;
    for (const e of this.byEnd.keys()) if (e < min) min = e;
    return min;
  }

  hasTimerWork(watermark: number, processingTime: number): boolean {
    // no open window: nothing to close (minEnd is +Infinity, which an infinite watermark would reach)
    const end = this.minEnd();
    return this.node.mode !== 'complete' && Number.isFinite(end) && end <= closingTime(this.node.timeDomain, watermark, processingTime);
  }

  finishBatch(ctx: BatchContext): Chunk[] {
    this.late.endBatch();
    const seq = this.batchSeq;
    let out = new ResultColumns(this.node.schema);
    // closed windows leave in chunks of at most EMIT_CHUNK_ROWS rows: the rows as boxed values in
    // ResultColumns cost several times their Arrow form, so a full buffer becomes Arrow before the
    // next one fills (the end of a run closes every window at once: hundreds of MB in one buffer)
    const chunks: Chunk[] = [];
    const flushFull = (): void => {
      if (out.size < EMIT_CHUNK_ROWS) return;
      chunks.push(out.chunk(this.outSchema, update));
      out = new ResultColumns(this.node.schema);
    };
    const update = this.node.mode === 'update';
    /** the closing time windows closed up to in this batch (their ends ≤ it): what a dirty compact key loses */
    let closedUpTo = -Infinity;
    const dirty: KeyState[] = [];
    const markDirty = (ks: KeyState): void => {
      if (ks.dirty !== seq) { ks.dirty = seq; dirty.push(ks); }
    };
    if (this.flat) {
      // the keys rows touched, back to compact strings ('' when retractions emptied every window)
      for (const ks of this.loadedKeys) {
        ks.text = this.flat.encode(ks.head);
        ks.head = -1;
        markDirty(ks);
      }
      this.loadedKeys = [];
      this.flat.reset();
    }
    for (let k = 0; k < this.touchedGroups.length; k++) {
      const ks = this.touchedKeys[k]!, g = this.touchedGroups[k]!;
      markDirty(ks);
      const before = g[EMITTED];
      if (g[ROWS] <= 0) {
        ks.groups = ks.groups!.filter((x) => x !== g);
        if (update && before) out.addRow(before, RowKind.DELETE);
        continue;
      }
      if (update) {
        const result = this.resultRow(ks, g);
        g[EMITTED] = result;
        if (!(before && sameRow(before, result))) {
          if (before) out.addRow(before, RowKind.UPDATE_BEFORE);
          out.addRow(result, before ? RowKind.UPDATE_AFTER : RowKind.INSERT);
        }
      }
    }
    this.touchedKeys = [];
    this.touchedGroups = [];
    if (this.node.mode === 'complete') {
      for (const ks of this.byKey.values()) {
        // a key untouched by this batch: its windows decoded for the emission only
        const groups = ks.groups ?? decodeWindowGroups(ks.text!, this.fns.count, -1);
        for (const g of groups) this.emitGroup(out, ks, g);
      }
    } else {
      // the watermark (or the clock) closes windows, oldest first: final rows in append mode, state dropped in both modes
      const t = closingTime(this.node.timeDomain, ctx.watermark, ctx.processingTime);
      closedUpTo = t;
      const closed = [...this.byEnd.keys()].filter((e) => e <= t).sort((x, y) => x - y);
      for (const end of closed) {
        for (const ks of this.byEnd.get(end)!) {
          if (ks.closed === end) continue; // listed twice
          ks.closed = end;
          if (ks.groups === undefined) {
            // a key in its compact form stays so: its window decoded alone, the closed ones taken
            // out once below (all of a run's windows decoded at once at its end cost more than the state)
            const g = decodeWindowGroupEnding(ks.text!, this.fns.count, end);
            if (g === undefined) continue; // gone by retraction
            if (!update) { this.emitGroup(out, ks, g); flushFull(); }
            markDirty(ks);
            continue;
          }
          const i = ks.groups.findIndex((g) => g[END] === end);
          if (i < 0) continue; // gone by retraction
          if (!update) { this.emitGroup(out, ks, ks.groups[i]!); flushFull(); }
          // a new list: the old one may be the committed value's
          ks.groups = ks.groups.filter((_, j) => j !== i);
          markDirty(ks);
        }
        this.byEnd.delete(end);
      }
    }
    for (const ks of dirty) {
      const groups = ks.groups;
      if (groups === undefined) {
        // a key in its compact form was dirtied by closing windows: the open ones are what is left
        const open = encodedOpenAfter(ks.text!, this.fns.count, closedUpTo);
        if (open === '') {
          this.store.delete(ks.storeKey);
          this.byKey.delete(ks.key);
        } else {
          ks.text = open;
          this.store.put(ks.storeKey, [ks.values, open]);
        }
        continue;
      }
      if (groups.length === 0) {
        this.store.delete(ks.storeKey);
        this.byKey.delete(ks.key);
        continue;
      }
      ks.text = encodeWindowGroups(groups);
      if (ks.text !== undefined) {
        // the arrays are dropped: the next batch that touches the key decodes fresh ones
        ks.groups = undefined;
        this.store.put(ks.storeKey, [ks.values, ks.text]);
      } else {
        // shared, not copied: nothing changes a stored list or window in place (see copy on write above)
        this.store.put(ks.storeKey, [ks.values, groups]);
      }
    }
    this.batchSeq++;
    if (out.size > 0) chunks.push(out.chunk(this.outSchema, update));
    return chunks;
  }

  /** Output row: keys with the window bounds where keyLayout puts them, then aggregate values. */
  private resultRow(ks: KeyState, g: WindowGroup): unknown[] {
    const out: unknown[] = [];
    for (const slot of this.node.keyLayout) {
      out.push(slot.kind === 'windowStart' ? g[START] : slot.kind === 'windowEnd' ? g[END] : ks.values[slot.index]);
    }
    for (const v of this.fns.results(g[ACCS])) out.push(v);
    return out;
  }

  /** The same as resultRow, straight into the output columns. */
  private emitGroup(out: ResultColumns, ks: KeyState, g: WindowGroup): void {
    const layout = this.node.keyLayout;
    const cols = out.cols;
    let c = 0;
    for (; c < layout.length; c++) {
      const slot = layout[c]!;
      cols[c]!.push(slot.kind === 'windowStart' ? g[START] : slot.kind === 'windowEnd' ? g[END] : ks.values[slot.index]);
    }
    const results = this.fns.results(g[ACCS]);
    for (let a = 0; a < results.length; a++) cols[c + a]!.push(results[a]);
    out.pushed(RowKind.INSERT);
  }

  async checkpoint(version: number): Promise<void> {
    this.fns.commitBatch();
    await this.late.flush(version);
  }

  abort(): void {
    this.loadedKeys = [];
    this.flat?.reset();
    this.touchedKeys = [];
    this.touchedGroups = [];
    this.batchSeq++;
    this.fns.rollback();
    this.rebuild();
    this.late.discard();
  }

  progress(): StateOperatorProgress {
    let windows = 0;
    for (const [end, list] of this.byEnd) if (list.some((ks) => this.hasWindow(ks, end))) windows++;
    return {
      operatorName: 'windowAggregate',
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: this.late.batchCount(),
      numOpenWindows: windows,
      oldestOpenWindowEnd: isoOrNull(this.minEnd()),
    };
  }
}
