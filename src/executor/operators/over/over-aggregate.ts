/**
 * OVER aggregates (physical OverAggregateNode), and ORDER BY a rowtime on a stream (no calls).
 *
 * The 'watermark' form (append-only input, Flink's streaming OVER): a row waits in its partition's
 * pending rows until the watermark passes its time; then the released rows of every partition are
 * ordered by time (ties: arrival), each gets its frame's aggregates over the rows before it that the
 * frame reaches (kept from earlier releases) and itself (RANGE: and its peers), and they come out in
 * time order, once. A row at or below the watermark it is judged against is late: dropped, counted.
 * State per partition: the pending rows, the released rows a later frame can still reach (ROWS n:
 * the last n; RANGE interval: those within it) or, for UNBOUNDED frames, the accumulators only.
 *
 * The 'processing' form (ordered by a processing-time attribute, Flink's proctime OVER) is the
 * watermark form with every row released in the batch that reads it: no row waits, none is late,
 * and RANGE frames drop rows older than the batch's processing time minus the interval.
 *
 * The 'updating' form (an input that retracts, beyond Flink): a partition keeps every live row, in
 * order of time then row (a deterministic order whatever the arrivals); at the end of a batch each
 * partition it changed is recomputed and the difference from what was emitted for it goes out as
 * DELETE and INSERT rows (the result is a multiset: a row has no key).
 *
 * Rows are held columnar (row-blocks.ts): each input chunk's held rows one Arrow block, a row named
 * by a number; the operator keeps per row only its time, arrival number and call arguments (and, in
 * the updating form, its row string, which orders and matches rows).
 *
 * Store layout: `b<block>` → [Arrow IPC bytes, first arrival number] and `b<block>:s` → [alive flags]
 * for the held rows (row-blocks.ts), `w` → [the watermark rows were last released at] (rows at or
 * below it were released: held for frames; the others wait), `a<partition key>` → [accumulators]
 * (UNBOUNDED frames).
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues } from '../../../common/columns.js';
import { takeColumns } from '../../../common/take.js';
import { InternalError } from '../../../common/errors.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import { overAggregateText } from '../../../planner/explain.js';
import type { OverAggregateNode } from '../../../planner/incremental/physical.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import { KeyCodec } from '../../keys/key-codec.js';
import type { AccState } from '../aggregate/accumulators.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { RowCodec } from '../rank/row-codec.js';
import { LateRows, type LateRowsSink } from '../window/late-rows.js';
import { decodeColumn } from '../window/row-keys.js';
import { lateThreshold } from '../window/window-time.js';
import type { OverRow } from './over-frames.js';
import { byTimeThenSeq, byTimeThenText, frameResults, lowerBound, notIn, OverFunctions, stillInFrame } from './over-frames.js';
import { MAX_BLOCK_ROWS, RowBlocks, type RowRef } from './row-blocks.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

/** Where a row is: waiting ('p'), held for frames ('h'), live in the updating form ('u'), or gone. */
type Place = 'p' | 'h' | 'u' | undefined;

/** A row the operator holds (its `text` is '' but in the updating form), its place in the blocks and where it is now. */
interface HeldRow extends OverRow {
  readonly ref: RowRef;
  where: Place;
}

interface Partition {
  readonly key: string;
  /** watermark form: rows waiting for the watermark; updating form: unused */
  pending: HeldRow[];
  /** watermark form: released rows a later frame reaches; updating form: every live row, in order */
  rows: HeldRow[];
  /** watermark form, UNBOUNDED frame: the accumulators over every released row */
  accs: AccState[] | undefined;
  /** updating form: the output rows emitted for the partition before this batch changed it */
  before: Output | undefined;
}

/** An output row: its input row string and its calls' results, with what orders it. */
interface OutRow { readonly row: OverRow; readonly results: readonly unknown[] }

/** A partition's output rows (updating form), each also as one string (its row string and results) to compare by. */
interface Output { readonly keys: string[]; readonly rows: OutRow[] }

export class OverAggregateOperator implements Operator {
  private readonly partitionKernels: Kernel[];
  private readonly timeKernel: Kernel;
  private readonly keyCodec: KeyCodec;
  private readonly resultCodec: KeyCodec;
  private readonly codec: RowCodec;
  private readonly fns: OverFunctions;
  private readonly outSchema: arrow.Schema;
  private readonly partitions = new Map<string, Partition>();
  private readonly late: LateRows;
  private readonly updating: boolean;
  private readonly processing: boolean;
  private touched: Partition[] = [];
  private nextSeq = 0;
  /** the rows held, columnar */
  private readonly blocks: RowBlocks;
  private readonly inputSchema: arrow.Schema;
  /** UNBOUNDED accumulators changed in this batch: written to the store at its end */
  private dirtyAccs = new Set<Partition>();
  /** the watermark rows were last released at (watermark form) */
  private releasedUpTo = -Infinity;
  private releasedStored = -Infinity;

  constructor(private readonly node: OverAggregateNode, private readonly store: StateStore, exprCtx: ExprContext, lateSink?: LateRowsSink) {
    const input = node.input.schema;
    this.partitionKernels = node.partitionBy.map((e) => compileExpr(e, input, exprCtx));
    const t = input.columns[node.timeColumn]!;
    this.timeKernel = compileExpr({ kind: 'column', index: node.timeColumn, name: t.name, type: t.type }, input, exprCtx);
    this.keyCodec = new KeyCodec(node.partitionBy.map((e) => e.type));
    this.resultCodec = new KeyCodec(node.calls.map((c) => c.type));
    this.codec = new RowCodec(input);
    this.fns = new OverFunctions(node.calls, input, exprCtx);
    this.outSchema = toArrowSchema(node.schema);
    this.updating = node.form === 'updating';
    this.processing = node.form === 'processing';
    this.late = new LateRows(`${node.sort ? 'sort' : 'overAggregate'}[${node.operatorId}]`, input, lateSink);
    this.blocks = new RowBlocks(store);
    this.inputSchema = toArrowSchema(input);
    this.load();
  }

  explain(): string {
    return `${this.node.sort ? 'Sort' : 'OverAggregate'}[${this.node.operatorId}](${overAggregateText(this.node)})`;
  }

  /** Partition keys, times, arguments and (updating form) row strings of a batch's rows. */
  private read(b: arrow.RecordBatch): { keys: string[]; times: unknown[]; args: unknown[][]; texts: string[] | undefined } {
    const n = b.numRows;
    const cols = this.partitionKernels.map((k) => decodeColumn(k(b)));
    const keys: string[] = new Array(n);
    const vals: unknown[] = new Array(cols.length);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < cols.length; c++) vals[c] = cols[c]![i] ?? null;
      keys[i] = this.keyCodec.encode(vals);
    }
    let texts: string[] | undefined;
    if (this.updating) {
      const enc = this.codec.source(b);
      texts = new Array(n);
      for (let i = 0; i < n; i++) texts[i] = this.codec.encode(enc, i);
    }
    return { keys, times: decodeColumn(this.timeKernel(b)), args: this.fns.argsOf(b), texts };
  }

  private partition(key: string): Partition {
    let p = this.partitions.get(key);
    if (!p) {
      p = { key, pending: [], rows: [], accs: undefined, before: undefined };
      this.partitions.set(key, p);
    }
    return p;
  }

  /** The state again from the store's committed entries. */
  private load(): void {
    this.partitions.clear();
    this.touched = [];
    this.dirtyAccs.clear();
    const accs: [string, AccState[]][] = [];
    this.releasedUpTo = -Infinity;
    for (const [k, v] of this.store.entries()) {
      if (k === 'w') this.releasedUpTo = v[0] as number;
      else if (k.startsWith('a')) accs.push([k.slice(1), v[0] as AccState[]]);
    }
    this.releasedStored = this.releasedUpTo;
    for (const [key, a] of accs) this.partition(key).accs = this.copyAccs(a);
    this.nextSeq = 0;
    for (const block of this.blocks.load()) {
      const r = this.read(block.batch);
      const n = block.batch.numRows;
      this.nextSeq = Math.max(this.nextSeq, block.firstSeq + n);
      for (let i = 0; i < n; i++) {
        if (block.alive[i] === 0) continue;
        const time = Number(r.times[i]);
        // (processing form: every row was released in the batch that read it)
        const where: Place = this.updating ? 'u' : this.processing || time <= this.releasedUpTo ? 'h' : 'p';
        const row: HeldRow = { seq: block.firstSeq + i, time, text: r.texts?.[i] ?? '', args: r.args[i]!, ref: block.first + i, where };
        const p = this.partition(r.keys[i]!);
        (where === 'p' ? p.pending : p.rows).push(row);
      }
    }
    for (const p of this.partitions.values()) {
      p.pending.sort(byTimeThenSeq);
      p.rows.sort(this.updating ? byTimeThenText : byTimeThenSeq);
    }
  }

  /**
   * Hold rows `rows` of `b` (ascending) as a block (several past MAX_BLOCK_ROWS), numbered from
   * nextSeq on (the j-th row held arrives as nextSeq + j); returns their RowRefs, in that order.
   */
  private hold(b: arrow.RecordBatch, rows: readonly number[]): Float64Array {
    const refs = new Float64Array(rows.length);
    for (let from = 0; from < rows.length; from += MAX_BLOCK_ROWS) {
      const part = rows.slice(from, from + MAX_BLOCK_ROWS);
      const kept = part.length === b.numRows ? b
        : batchFromColumns(this.inputSchema, takeColumns(b.data.children.slice(), Uint32Array.from(part)), part.length);
      const first = this.blocks.add(kept, this.nextSeq + from);
      for (let j = 0; j < part.length; j++) refs[from + j] = first + j;
    }
    return refs;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const r = this.read(b);
    const kinds = chunk.kinds;
    if (this.updating) {
      const retracts = (i: number): boolean => kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      // no place in the order: in no frame, as Flink drops a NULL rowtime
      const inserted: number[] = [];
      for (let i = 0; i < n; i++) if (r.times[i] !== null && !retracts(i)) inserted.push(i);
      const refs = this.hold(b, inserted);
      let j = 0;
      for (let i = 0; i < n; i++) {
        if (r.times[i] === null) continue;
        const p = this.touch(this.partition(r.keys[i]!));
        const row: HeldRow = { seq: this.nextSeq, time: Number(r.times[i]), text: r.texts![i]!, args: r.args[i]!, ref: refs[j] ?? -1, where: undefined };
        const at = lowerBound(p.rows, row);
        if (retracts(i)) {
          const hit = p.rows[at];
          if (hit && hit.time === row.time && hit.text === row.text) {
            p.rows.splice(at, 1);
            this.place(hit, undefined);
          }
        } else {
          this.nextSeq++;
          j++;
          p.rows.splice(at, 0, row);
          this.place(row, 'u');
        }
      }
      return [];
    }
    const closed = this.processing ? -Infinity : lateThreshold('event', ctx, this.node.mode);
    const accepted = new Uint8Array(n).fill(1);
    const times = new Float64Array(n);
    const held: number[] = [];
    for (let i = 0; i < n; i++) {
      if (kinds !== undefined && kinds[i] !== RowKind.INSERT) throw new InternalError(`${this.explain()}: a retraction from an append-only input`);
      const t = r.times[i];
      times[i] = t === null ? NaN : Number(t);
      if (t === null || times[i]! <= closed) accepted[i] = 0;
      else held.push(i);
    }
    if (held.length > 0) {
      const refs = this.hold(b, held);
      held.forEach((i, j) => {
        const row: HeldRow = { seq: this.nextSeq++, time: times[i]!, text: '', args: r.args[i]!, ref: refs[j]!, where: undefined };
        this.partition(r.keys[i]!).pending.push(row);
        this.place(row, 'p');
      });
    }
    if (held.length < n) this.late.collect(b, times, accepted, closed, ctx);
    return [];
  }

  /** Partition `p`, its output noted the first time a batch changes it (updating form). */
  private touch(p: Partition): Partition {
    if (p.before === undefined) {
      p.before = this.outputKeys(p);
      this.touched.push(p);
    }
    return p;
  }

  /** The output rows of a partition of the updating form. */
  private outputKeys(p: Partition): Output {
    const results = frameResults(p.rows, 0, this.node.frame, this.fns);
    const rows = p.rows.map((row, i) => ({ row, results: results[i]! }));
    // the codec's row strings have no separator; the result's encoding is self-delimiting, so it goes first
    return { keys: rows.map((o) => this.resultCodec.encode(o.results) + o.row.text), rows };
  }

  onWatermark(eventWatermark: number, ctx: BatchContext): Chunk[] {
    if (this.updating) return [];
    // processing time: everything read so far is released; the clock is where frames reach back from
    const watermark = this.processing ? Infinity : eventWatermark;
    const out: OutRow[] = [];
    const frame = this.node.frame;
    if (!this.processing && watermark > this.releasedUpTo) this.releasedUpTo = watermark;
    for (const p of this.partitions.values()) {
      if (p.pending.length === 0) continue;
      p.pending.sort(byTimeThenSeq);
      let k = 0;
      while (k < p.pending.length && p.pending[k]!.time <= watermark) k++;
      if (k === 0) continue;
      const released = p.pending.splice(0, k);
      const all = p.rows.concat(released);
      const unbounded = frame.preceding === Infinity;
      if (unbounded) p.accs ??= this.fns.init();
      const results = this.node.calls.length === 0 ? undefined : frameResults(all, p.rows.length, frame, this.fns, p.accs);
      released.forEach((row, i) => out.push({ row, results: results ? results[i]! : [] }));
      const kept = stillInFrame(all, frame);
      const keep = new Set(kept);
      for (const row of p.rows) if (!keep.has(row)) this.place(row, undefined);
      for (const row of released) this.place(row, keep.has(row) ? 'h' : undefined);
      p.rows = kept as HeldRow[];
      if (unbounded && this.node.calls.length > 0) this.dirtyAccs.add(p);
      // a partition holding nothing but accumulators stays (they are its state); an empty one goes
      if (p.pending.length === 0 && p.rows.length === 0 && p.accs === undefined) this.partitions.delete(p.key);
    }
    // a row still to come is later than the watermark (processing form: than this batch's time, at least)
    const horizon = this.processing ? ctx.processingTime : watermark;
    if (frame.unit === 'RANGE' && Number.isFinite(frame.preceding)) this.evictBefore(horizon - frame.preceding);
    if (out.length === 0) return [];
    out.sort((a, b) => byTimeThenSeq(a.row, b.row));
    return [this.chunkOf(out)];
  }

  /**
   * RANGE frames: a row still to come is later than this watermark, so its frame starts after
   * `watermark - interval`: rows before that are out of every frame, in every partition (also
   * those that get no more rows). What keeps RANGE state flat as the watermark moves.
   */
  private evictBefore(horizon: number): void {
    for (const p of this.partitions.values()) {
      if (p.rows.length === 0 || p.rows[0]!.time >= horizon) continue;
      const k = p.rows.findIndex((r) => r.time >= horizon);
      const gone = k < 0 ? p.rows : p.rows.slice(0, k);
      for (const r of gone) this.place(r, undefined);
      p.rows = k < 0 ? [] : p.rows.slice(k);
      if (p.pending.length === 0 && p.rows.length === 0 && p.accs === undefined) this.partitions.delete(p.key);
    }
  }

  private copyAccs(accs: readonly AccState[]): AccState[] {
    return accs.map((a, c) => this.fns.accs[c]!.copy(a));
  }

  /** Row `row` is now at `where` (gone: its block lets it go; the store follows at the end of the batch). */
  private place(row: HeldRow, where: Place): void {
    row.where = where;
    if (where === undefined) this.blocks.remove(row.ref);
  }

  /** Write what the batch changed: the blocks' alive flags, the watermark released at, UNBOUNDED accumulators. */
  private sync(): void {
    this.blocks.sync();
    if (this.releasedUpTo !== this.releasedStored) {
      this.store.put('w', [this.releasedUpTo]);
      this.releasedStored = this.releasedUpTo;
    }
    // a copy: the running accumulators change in place, the store's value must stay what was committed (abort)
    for (const p of this.dirtyAccs) this.store.put(`a${p.key}`, [this.copyAccs(p.accs!)]);
    this.dirtyAccs.clear();
  }

  finishBatch(): Chunk[] {
    this.late.endBatch();
    if (!this.updating) {
      this.sync();
      return [];
    }
    const removedRows: OutRow[] = [], addedRows: OutRow[] = [];
    for (const p of this.touched) {
      const before = p.before!;
      const after = this.outputKeys(p);
      // multiset difference: what left the partition's output, what entered it
      for (const i of notIn(before.keys, after.keys)) removedRows.push(before.rows[i]!);
      for (const i of notIn(after.keys, before.keys)) addedRows.push(after.rows[i]!);
      p.before = undefined;
      if (p.rows.length === 0) this.partitions.delete(p.key);
    }
    this.touched = [];
    const rows = [...removedRows, ...addedRows];
    // the rows removed are read from their blocks before sync lets go of the blocks emptied
    const out = rows.length === 0 ? [] : [{ ...this.chunkOf(rows), kinds: new Uint8Array(rows.length).fill(RowKind.DELETE, 0, removedRows.length) }];
    this.sync();
    return out;
  }

  private chunkOf(rows: readonly OutRow[]): Chunk {
    const cols = this.blocks.take(rows.map((r) => (r.row as HeldRow).ref));
    this.node.calls.forEach((c, i) => cols.push(columnFromValues(c.type, rows.map((r) => r.results[i] ?? null))));
    return { batch: batchFromColumns(this.outSchema, cols, rows.length) };
  }

  hasTimerWork(watermark: number): boolean {
    if (this.updating || this.processing) return false;
    for (const p of this.partitions.values()) for (const r of p.pending) if (r.time <= watermark) return true;
    return false;
  }

  async checkpoint(version: number): Promise<void> {
    await this.late.flush(version);
  }

  abort(): void {
    this.late.discard();
    const next = this.nextSeq;
    this.load();
    this.nextSeq = Math.max(next, this.nextSeq);
  }

  progress(): StateOperatorProgress {
    let accs = 0;
    for (const p of this.partitions.values()) if (p.accs !== undefined) accs++;
    const rows = this.blocks.size;
    return {
      operatorName: this.node.sort ? 'sort' : 'overAggregate',
      // rows held (pending, in reach of a frame, or live) and UNBOUNDED frames' accumulators
      numRowsTotal: rows + accs,
      numRowsUpdated: this.blocks.updated,
      // the blocks, a held row's object of its time and arguments, the store's other entries
      memoryUsedBytes: this.blocks.memoryBytes + rows * 64 + accs * 128,
      numRowsDroppedByWatermark: this.late.batchCount(),
    };
  }
}
