/**
 * Top-N per partition (physical TopNNode): `ROW_NUMBER() OVER (PARTITION BY k ORDER BY c) AS rn`
 * filtered to ranks rankStart..rankEnd; deduplication is the case 1..1.
 *
 * Rows of a partition are ranked by the ORDER BY keys, ties by arrival (the earlier row ranks first),
 * so results do not depend on how the input was split into batches. Over an append-only input only
 * the top `rankEnd` rows of a partition are kept (a row pushed below can never come back); a row
 * that does not beat the last kept row is dropped before anything of it but its keys is read. Over a
 * retracting input every row is kept, so that retracting a top row promotes the next one.
 *
 * Per batch the rows are applied as they come; at the end of the batch each partition the batch
 * touched is compared with what was emitted for it before (its visible rows when the batch first
 * touched it) and only the difference is emitted:
 * - rank output: per rank position whose row changed, UPDATE_BEFORE (old row, that rank) and
 *   UPDATE_AFTER (new row, that rank), or DELETE / INSERT where the partition shrank or grew: the
 *   upsert key is (partition keys, rank), and a row whose rank shifted is updated at both ranks;
 * - no rank output, one row per partition: UPDATE_BEFORE / UPDATE_AFTER of the partition's row;
 * - no rank output, several: DELETE for rows that left, INSERT for rows that entered (a multiset).
 * In complete mode every visible row of every partition is emitted each batch instead.
 *
 * A window Top-N (`windowEndKey`: a PARTITION BY value is the window_end of an event-time window)
 * emits nothing as rows come: when the watermark passes a window's end, each of its partitions'
 * visible rows are emitted once, as inserts, and the partition's state is dropped (window-partitions.ts).
 * A row of a window already closed is late: dropped, counted and kept in the late-rows table.
 *
 * A kept row is one string in a binary layout (row-codec.ts); rows go in and out of it by byte
 * copies. Over an append-only input a partition is stored as one string of its rows (a pack,
 * partition-pack.ts), and between batches the index holds just that string (unless the operator
 * closes windows, expires partitions or emits every partition each batch): a batch unpacks the
 * partitions its rows reach and packs again those it changed (top-n-state.ts).
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns } from '../../../common/columns.js';
import { InternalError } from '../../../common/errors.js';
import { toArrowSchema } from '../../../common/schema.js';
import { T } from '../../../common/types.js';
import { RowKind } from '../../../connectors/api.js';
import { topNText } from '../../../planner/explain.js';
import type { TopNNode } from '../../../planner/incremental/physical.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { int64Column } from '../window/result-columns.js';
import { decodeColumn } from '../window/row-keys.js';
import { KeyCodec } from '../../keys/key-codec.js';
import { encodeColumn } from '../../keys/key-columns.js';
import { RowCodec } from './row-codec.js';
import { WindowPartitions } from './window-partitions.js';
import { TopNTtl } from './top-n-ttl.js';
import { stateTtlText } from '../../../planner/incremental/state-ttl.js';
import { LateRows, type LateRowsSink } from '../window/late-rows.js';
import { lateThreshold } from '../window/window-time.js';
import type { SortComparator, SortKey } from './top-n-state.js';
import { deletePack, deleteRow, Entry, firstNotBefore, insertionPoint, loadPack, loadRows, markPackSpillable, Partition, PartitionIndex, placeOf, savePack, saveRow, sortComparator, type Leaf } from './top-n-state.js';
import { hasPackedForm, pack, packId, unpack } from './partition-pack.js';
import { Ranking, type Emitted } from './ranking.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;
type Encoders = ReturnType<RowCodec['source']>;

export class TopNOperator implements Operator {
  private readonly partitionKernels: Kernel[];
  private readonly sortKernels: Kernel[];
  private readonly cmp: SortComparator;
  private readonly ranking: Ranking;
  private readonly outSchema: arrow.Schema;
  private readonly index: PartitionIndex;
  private readonly codec: RowCodec;
  /** the partition key's codec: columns a Map cannot compare by value (ROW, DECIMAL) are keyed by their encoding */
  private readonly keyCodec: KeyCodec;
  /** keep only the top rankEnd rows of a partition (the input never retracts) */
  private readonly trim: boolean;
  /** partitions are packed: the state store holds a pack per partition, not an entry per row, and between batches the index holds just the packs */
  private readonly packed: boolean;
  /** the next packed partition id */
  private nextId = 0;
  /** partitions the batch in progress unpacked (to hold as packs again at its end) */
  private opened: Partition[] = [];
  private nextSeq: number;
  /** the arrival number of the first row of the batch in progress: rows from it on entered in this batch */
  private batchFirstSeq: number;
  private batchSeq = 0;
  /** partitions touched in the batch in progress, in the order first touched */
  private touched: Partition[] = [];
  /** the batch's input chunks (rows not encoded yet point into them), with their encoders once needed */
  private chunks: arrow.RecordBatch[] = [];
  private encoders: (Encoders | undefined)[] = [];
  /** rows that left the state in this batch */
  private left: Entry[] = [];
  /** rows kept, and the characters of their strings (for progress) */
  private rowCount = 0;
  private rowChars = 0;
  /** a window Top-N's open windows, and the rows that came after their window closed */
  private readonly windows: WindowPartitions | undefined;
  private readonly late: LateRows | undefined;
  /** set when `table.exec.state.ttl` is (top-n-ttl.ts) */
  private readonly ttl: TopNTtl | undefined;
  /** the batch in progress's processing time, and the batch it was taken for */
  private now = 0;
  private ttlBatch = -1;

  constructor(private readonly node: TopNNode, private readonly store: StateStore, exprCtx: ExprContext, lateSink?: LateRowsSink) {
    const input = node.input.schema;
    this.partitionKernels = node.partitionBy.map((e) => compileExpr(e, input, exprCtx));
    this.sortKernels = node.orderBy.map((k) => compileExpr(k.expr, input, exprCtx));
    this.cmp = sortComparator(node.orderBy);
    this.ranking = new Ranking(node, this.cmp);
    this.outSchema = toArrowSchema(node.schema);
    this.index = new PartitionIndex(node.partitionBy.length);
    this.keyCodec = new KeyCodec(node.partitionBy.map((e) => e.type));
    this.codec = new RowCodec(input);
    this.trim = node.input.appendOnly;
    if (node.windowEndKey !== undefined) {
      this.windows = new WindowPartitions(node.windowEndKey);
      this.late = new LateRows(`windowTopN[${node.operatorId}]`, input, lateSink);
    }
    this.ttl = node.stateTtlMs !== undefined && node.stateTtlMs > 0 ? new TopNTtl(node.stateTtlMs, store) : undefined;
    // closing windows, expiring partitions and complete mode walk every partition as an object
    this.packed = this.trim && !this.windows && !this.ttl && node.mode !== 'complete' && node.orderBy.every((k) => hasPackedForm(k.expr.type));
    this.nextSeq = this.load();
    this.batchFirstSeq = this.nextSeq;
  }

  /** The partitions again from the store's committed rows (keys computed over them); the next arrival number. */
  private load(): number {
    const schema = this.node.input.schema;
    const loaded = loadRows(this.store, this.index, this.cmp, this.sortKernels.length, (rows) => {
      const b = batchFromColumns(schema, this.codec.decode(rows), rows.length);
      return { partition: this.partitionKeys(b), sort: this.sortKernels.map((k) => decodeColumn(k(b))) };
    }, this.node.tiesToLatest === true);
    this.nextId = loaded.nextId;
    this.rowCount = 0;
    this.rowChars = 0;
    this.windows?.clear();
    const partitions = [...this.index.all()];
    for (const p of partitions) {
      this.windows?.add(p);
      for (const e of p.rows) { this.rowCount++; this.rowChars += e.text!.length; }
    }
    if (this.packed && loaded.rowKeys.length > 0) {
      // a checkpoint written before partitions were packed: its rows become packs in the next commit
      for (const key of loaded.rowKeys) this.store.delete(key);
      for (const p of partitions) if (p.packed === undefined) this.savePacked(p);
    }
    if (this.packed) {
      for (const p of partitions) {
        this.index.set(p.keyValues, this.leafOf(p));
        if (p.id >= 0) markPackSpillable(this.store, p);
      }
    }
    this.ttl?.load(partitions);
    this.ttlBatch = -1;
    return loaded.nextSeq;
  }

  /**
   * How a packed partition waits for the next batch: as its pack, or, when the store spills, as its
   * id, so that the pack is held once (by the store, which moves the least recently used to its
   * spill file) and a partition no batch reaches any more costs the index an entry, not its rows.
   */
  private leafOf(p: Partition): Leaf {
    return this.store.spillThreshold ? p.id : p.packed!;
  }

  /** Pack partition `p` (giving it an id when new) and write it, or delete it when empty. */
  private savePacked(p: Partition): void {
    if (p.rows.length === 0) {
      deletePack(this.store, p);
      return;
    }
    if (p.id < 0) p.id = this.nextId++;
    p.packed = pack(p.id, p.rows, this.sortKernels.length);
    savePack(this.store, p);
  }

  /** The partition packed in `s`, whose key values are those of row i, as an object until the batch ends. */
  private unpacked(s: string, keyCols: readonly (readonly unknown[])[], i: number, nk: number): Partition {
    const keyValues = new Array(nk);
    for (let k = 0; k < nk; k++) keyValues[k] = keyCols[k]![i] ?? null;
    const p = new Partition(keyValues);
    p.id = packId(s);
    p.rows = unpack(s, this.sortKernels.length);
    p.packed = s;
    this.index.set(keyValues, p);
    this.opened.push(p);
    return p;
  }

  /**
   * The PARTITION BY columns of a batch as the partition index keys them: the values of a column a
   * JS Map compares as SQL groups them (numbers, strings: no string building per row), the key
   * codec's field encoding of any other column (a ROW value is an object: by identity two equal ROW
   * values would be two partitions).
   */
  private partitionKeys(b: arrow.RecordBatch): unknown[][] {
    return partitionKeyColumns(this.partitionKernels, this.keyCodec, b);
  }

  explain(): string {
    const ttl = this.ttl ? `, state ttl ${stateTtlText(this.ttl.ttlMs)}` : '';
    return `${this.windows ? 'WindowTopN' : 'TopN'}[${this.node.operatorId}](${topNText(this.node)}${ttl})`;
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    this.startTtl(ctx);
    const chunkIndex = this.chunks.length;
    this.chunks.push(b);
    this.encoders.push(undefined);
    const keyCols = this.partitionKeys(b);
    const sortCols = this.sortKernels.map((k) => decodeColumn(k(b)));
    const nk = keyCols.length, ns = sortCols.length;
    const kinds = chunk.kinds;
    const keep = this.node.rankEnd;
    const cmp = this.cmp;
    const tied = this.node.rankFunction !== 'ROW_NUMBER';
    // a keep-last deduplication: a row tied with the kept one replaces it (Flink's rule)
    const latest = this.node.tiesToLatest === true;
    // a window Top-N: rows of windows the watermark closed are late
    const ends = this.windows ? keyCols[this.node.windowEndKey!]! : undefined;
    const closed = this.windows ? lateThreshold('event', ctx, this.node.mode) : -Infinity;
    const accepted = ends ? new Uint8Array(n).fill(1) : undefined;
    for (let i = 0; i < n; i++) {
      if (ends !== undefined && (ends[i] as number) <= closed) {
        accepted![i] = 0;
        continue;
      }
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      let sort: SortKey;
      if (ns === 1) sort = sortCols[0]![i] ?? null;
      else {
        const a = new Array(ns);
        for (let k = 0; k < ns; k++) a[k] = sortCols[k]![i] ?? null;
        sort = a;
      }
      const leaf = this.index.find(keyCols, i);
      let p = typeof leaf === 'object' || leaf === undefined ? leaf
        : this.unpacked(typeof leaf === 'string' ? leaf : loadPack(this.store, leaf), keyCols, i, nk);
      // an expired partition is never read again: the row starts it over (what it emitted stays)
      if (p !== undefined && this.ttl && p.batch !== this.batchSeq && this.ttl.expired(p, this.now)) {
        this.expire(p);
        p = undefined;
      }
      if (this.trim) {
        if (retract) throw new InternalError(`TopN[${this.node.operatorId}]: a retraction from an append-only input`);
        // a full partition whose last row this one does not beat (ties go to the earlier row, or with
        // `latest` to the later): dropped, never copied
        if (p !== undefined && (tied ? this.ranking.beyondLast(p, sort) : p.rows.length >= keep && cmp(sort, p.rows[p.rows.length - 1]!.sort) >= (latest ? 1 : 0))) continue;
        p = this.touch(p, keyCols, i, nk);
        const e = new Entry(this.nextSeq++, sort, undefined, chunkIndex, i);
        const rows = p.rows;
        if (rows.length === 0) p.rows = [e]; // an array literal is allocated to size: most partitions hold few rows
        else if (tied) {
          rows.splice(insertionPoint(rows, sort, cmp), 0, e);
          this.ranking.trimTied(rows, (e) => this.leave(e));
        } else if (keep === 1) {
          this.leave(rows[0]!);
          rows[0] = e;
        } else {
          rows.splice(placeOf(rows, sort, cmp, latest), 0, e);
          if (rows.length > keep) this.leave(rows.pop()!);
        }
      } else if (retract) {
        if (p === undefined) continue; // never seen: nothing to take back
        const rows = p.rows;
        const text = this.codec.encode(this.encodersOf(chunkIndex), i);
        let j = firstNotBefore(rows, sort, cmp);
        while (j < rows.length && cmp(rows[j]!.sort, sort) === 0 && rows[j]!.text !== text) j++;
        if (j >= rows.length || rows[j]!.text !== text) continue;
        this.touch(p, keyCols, i, nk);
        this.leave(rows.splice(j, 1)[0]!);
      } else {
        // a retracting input: the row is kept whatever its rank (a retraction above may promote it)
        p = this.touch(p, keyCols, i, nk);
        const e = new Entry(this.nextSeq++, sort, this.codec.encode(this.encodersOf(chunkIndex), i), chunkIndex, i);
        if (p.rows.length === 0) p.rows = [e];
        else p.rows.splice(placeOf(p.rows, sort, cmp, latest), 0, e);
      }
    }
    if (accepted && accepted.includes(0)) this.late!.collect(b, Float64Array.from(ends!, Number), accepted, closed, ctx);
    return [];
  }

  /** Partition `p` (created for row i when absent), its visible rows noted the first time this batch touches it. */
  private touch(p: Partition | undefined, keyCols: readonly (readonly unknown[])[], i: number, nk: number): Partition {
    if (p === undefined) {
      const keyValues = new Array(nk);
      for (let k = 0; k < nk; k++) keyValues[k] = keyCols[k]![i] ?? null;
      p = this.index.obtain(keyValues);
      this.windows?.add(p);
    }
    if (this.ttl) this.ttl.wrote(p, this.now);
    p.packed = undefined; // its rows are about to change
    if (p.batch !== this.batchSeq) {
      p.batch = this.batchSeq;
      const v = this.ranking.ranked(p.rows);
      p.before = v.entries;
      p.beforeRanks = v.ranks;
      this.touched.push(p);
    }
    return p;
  }

  /** The batch's processing time, once per batch: partitions of unknown age count as written then. */
  private startTtl(ctx: BatchContext): void {
    if (!this.ttl || this.ttlBatch === this.batchSeq) return;
    this.ttlBatch = this.batchSeq;
    this.now = ctx.processingTime;
    this.ttl.start(this.now);
  }

  /** Drop an expired partition's rows from state (the partition is not in the batch's touched ones). */
  private expire(p: Partition): void {
    this.dropRows(p);
    this.index.remove(p);
    this.ttl!.removed(p, true);
  }

  /** A row leaves the state (pushed out of the top N, or retracted). */
  private leave(e: Entry): void {
    // a row of this batch not encoded yet leaves nothing behind
    if (e.text !== undefined) this.left.push(e);
  }

  private encodersOf(c: number): Encoders {
    let enc = this.encoders[c];
    if (enc === undefined) {
      enc = this.codec.source(this.chunks[c]!);
      this.encoders[c] = enc;
    }
    return enc;
  }

  finishBatch(ctx: BatchContext): Chunk[] {
    const complete = this.node.mode === 'complete';
    const windowed = this.windows !== undefined;
    const out: Emitted = { rows: [], ranks: [], kinds: [] };
    const first = this.batchFirstSeq;
    this.startTtl(ctx);
    for (const p of this.touched) {
      for (const e of p.rows) {
        if (e.text === undefined) e.text = this.codec.encode(this.encodersOf(e.chunk), e.row);
        if (e.seq >= first) { // entered in this batch
          if (!this.packed) saveRow(this.store, e);
          this.rowCount++;
          this.rowChars += e.text.length;
        }
      }
      if (this.packed) this.savePacked(p);
      if (!complete && !windowed) {
        if (this.node.rankFunction === 'ROW_NUMBER') this.ranking.emitChanges(out, p.before!, this.ranking.visible(p.rows));
        else this.ranking.emitTiedChanges(out, p.before!, p.beforeRanks!, this.ranking.ranked(p.rows));
      }
      if (p.rows.length === 0 && !windowed) {
        this.index.remove(p);
        this.ttl?.removed(p, false);
      }
      p.before = undefined;
      p.beforeRanks = undefined;
    }
    for (const e of this.left) {
      if (e.seq >= first) continue; // entered and left in this batch: never written, never counted
      if (!this.packed) deleteRow(this.store, e);
      this.rowCount--;
      this.rowChars -= e.text!.length;
    }
    if (this.ttl) {
      for (const p of this.ttl.due(this.now)) this.expire(p);
      this.ttl.finish();
    }
    if (complete) {
      for (const p of this.index.all()) this.ranking.addAll(out, this.ranking.ranked(p.rows));
    }
    if (windowed) this.closeWindows(out, ctx.watermark);
    if (this.packed) {
      // what the batch unpacked or changed is held as its pack again (emptied partitions left the index)
      for (const p of this.opened) if (p.packed !== undefined) this.index.set(p.keyValues, this.leafOf(p));
      for (const p of this.touched) if (p.rows.length > 0) this.index.set(p.keyValues, this.leafOf(p));
    }
    this.late?.endBatch();
    const chunks = out.rows.length === 0 ? [] : [this.chunkOf(out, !complete && !this.node.appendOnly)];
    this.endBatch();
    return chunks;
  }

  /** Emit the ranking of every window the watermark has closed, once, and drop its state. */
  private closeWindows(out: Emitted, watermark: number): void {
    for (const p of this.windows!.closeUpTo(watermark)) {
      this.ranking.addAll(out, this.ranking.ranked(p.rows));
      this.dropRows(p);
      this.index.remove(p);
    }
  }

  /** Take partition `p`'s rows out of the state (it expired, or its window closed; never a packed partition). */
  private dropRows(p: Partition): void {
    for (const e of p.rows) {
      deleteRow(this.store, e);
      this.rowCount--;
      this.rowChars -= e.text!.length;
    }
  }

  hasTimerWork(watermark: number): boolean {
    return this.windows !== undefined && this.windows.minEnd() <= watermark;
  }

  private endBatch(): void {
    this.touched = [];
    this.opened = [];
    this.chunks = [];
    this.encoders = [];
    this.left = [];
    this.batchSeq++;
    this.batchFirstSeq = this.nextSeq;
  }

  private chunkOf(out: Emitted, withKinds: boolean): Chunk {
    const cols = this.codec.decode(out.rows);
    if (this.node.outputRank) cols.push(int64Column(T.BIGINT, out.ranks));
    const batch = batchFromColumns(this.outSchema, cols, out.rows.length);
    return withKinds ? { batch, kinds: Uint8Array.from(out.kinds) } : { batch };
  }

  async checkpoint(version: number): Promise<void> {
    await this.late?.flush(version);
  }

  abort(): void {
    this.late?.discard();
    this.endBatch();
    this.nextSeq = Math.max(this.nextSeq, this.load());
    this.batchFirstSeq = this.nextSeq;
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'topN',
      numRowsTotal: this.rowCount,
      numRowsUpdated: this.store.numUpdated,
      // the rows' strings (one byte a character) and their entries, besides what the store counts for its keys
      memoryUsedBytes: this.store.memoryUsedBytes() + this.rowChars + this.rowCount * 64,
      numRowsDroppedByWatermark: this.late?.batchCount() ?? 0,
      ...(this.ttl ? { numRowsExpired: this.ttl.lastExpired } : {}),
      ...(this.windows ? {
        numOpenWindows: this.windows.openWindows,
        oldestOpenWindowEnd: Number.isFinite(this.windows.minEnd()) ? new Date(this.windows.minEnd()).toISOString() : null,
      } : {}),
    };
  }
}

/**
 * The PARTITION BY columns `kernels` compute over `b`, as a Top-N's partition index keys them (and its
 * state TTL's entries name them): a column whose values a JS Map compares as SQL groups them as those
 * values, any other as the key codec's field encoding. The re-split by key group (state-splitters.ts)
 * names partitions as the operator does.
 */
export function partitionKeyColumns(kernels: readonly Kernel[], keyCodec: KeyCodec, b: arrow.RecordBatch): unknown[][] {
  const types = keyCodec.types;
  return kernels.map((k, c) => {
    const d = k(b);
    return new KeyCodec([types[c]!]).valueIsMapKey ? decodeColumn(d) : encodeColumn(d, types[c]!, keyCodec.encoders[c]!, b.numRows);
  });
}
