/**
 * One side of a stream-stream join: its rows by join key, with multiplicity (equal rows are separate
 * rows), each with how many rows of the other side it matches (for outer joins) and, for a
 * time-bounded side, when it expires.
 *
 * Rows are kept columnar, as they arrived: each input chunk's stored rows form one block, an Arrow
 * batch of this side's columns plus typed arrays (alive, matches, expiry). A row is named by a
 * RowRef, its block id and row packed in one number, so the index by join key holds numbers, not
 * objects, and a million stored rows cost a few typed-array slots each instead of an object, an
 * array of values and a state-store key apiece. Values are read (strings decoded) only for rows that
 * are output or compared.
 *
 * In the state store a block is two entries: `<tag><id>` = [Arrow IPC bytes of its rows, expiry
 * bytes], written once when the block is made (the in-memory batch reads those very bytes), and
 * `<tag><id>:s` = [alive bitmap bytes, match counts bytes], rewritten at a checkpoint when rows of
 * the block died or matched. A block whose rows are all gone is deleted. The index by key and the
 * expiry order are rebuilt from the store on restart and after an aborted batch.
 *
 * Under a state TTL (regular joins) a block's entry also holds the processing time it was stored:
 * blocks are kept in storing order, so expireUnwritten drops the oldest until one is within the TTL.
 *
 * The index by key is built only once the other side probes this one often (see scan): until then
 * a probe reads the blocks' keys, which costs less than indexing every row of a side that is probed
 * once per window.
 *
 * When the store spills (its spillThreshold), a side keeps the rows of at most half that many bytes
 * of blocks in memory, the blocks used last; the others keep their keys, alive flags and match
 * counts, and their rows are read back from the store (which holds them in a temporary file) when a
 * match or an expiry needs them. A regular join that keeps every row (q20's bids) then holds a few
 * bytes per row, not the rows.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, concatBatches, readerFor } from '../../../common/columns.js';
import { takeBlockRows } from '../../../common/gather.js';
import { blockKey, bytesOf, float64Of, int32Of, MAX_BLOCK_ROWS, ROW_SPAN, statusKey, storedBlocks, type RowRef } from '../block-keys.js';
import { InternalError } from '../../../common/errors.js';
import type { StateStore } from '../../../state/state-store.js';
import { readBackCopy } from '../../../state/spill-area.js';
import { BlockHeap, type ExpiringBlock } from './block-heap.js';
import { ResidentBlocks, type ResidentBlock } from './resident-blocks.js';


/** How many times the rows stored scans may read before the side builds its index. */
const SCAN_BUDGET = 4;
export { MAX_BLOCK_ROWS, type RowRef };

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** A block's keys as held: numbers in a typed array, outside the JS heap (compactKeys), else as they came. */
type BlockKeys = readonly unknown[] | Int32Array | Float64Array;

/** Blocks of fewer rows keep their keys' array (a typed array costs more than it saves there). */
const COMPACT_KEYS_FROM = 64;

/**
 * A block's keys, when every one is a 32-bit integer, as an Int32Array (4 bytes a key), when every one
 * is a number, as a Float64Array; else the array itself. Why: q23's sides keep 1.8 M rows each, and
 * their keys in JS arrays were 50 MB of the V8 heap, which the collector lets grow about twofold
 * before collecting it (peak RSS 440 MB at 2 M events). Reads give the same numbers, but -0, read back
 * as 0: the same key for both the index (a Map takes -0 as 0) and a scan (which compares with ===).
 */
function compactKeys(keys: readonly unknown[]): BlockKeys {
  if (keys.length < COMPACT_KEYS_FROM) return keys;
  let ints = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (typeof k !== 'number') return keys;
    if (ints && (k | 0) !== k) ints = false;
  }
  return ints ? Int32Array.from(keys as readonly number[]) : Float64Array.from(keys as readonly number[]);
}

interface Block extends ExpiringBlock, ResidentBlock {
  /** each row's Map key (NULL keys are never stored) */
  readonly keys: BlockKeys;
  readonly alive: Uint8Array;
  /** match counts (sides an outer join preserves), else undefined */
  readonly matches: Int32Array | undefined;
  live: number;
  /** the status entry must be written at the next checkpoint */
  dirty: boolean;
  /** processing time it was stored (state TTL); undefined when stored without a TTL */
  readonly writtenAt: number | undefined;
}

/** The rows of a side's chunk to keep, as the operator hands them over. */
export interface NewRows {
  /** this side's columns, only the rows to store */
  readonly batch: arrow.RecordBatch;
  readonly keys: readonly unknown[];
  /** per row: the watermark past which it goes (undefined: rows never expire) */
  readonly expiry: Float64Array | undefined;
  /** processing time of the batch storing them, kept when a state TTL applies */
  readonly writtenAt?: number;
}

export class JoinSideState {
  private readonly index = new Map<unknown, RowRef | RowRef[]>();
  /** whether `index` is kept (else probes scan the blocks; see scan) */
  private indexed = false;
  /** rows stored, and block rows read by scans, since the state was built */
  private stored = 0;
  private scanned = 0;
  private readonly blocks = new Map<number, Block>();
  private readonly heap: BlockHeap<Block> | undefined;
  private nextBlock = 0;
  private rows = 0;
  private bytes = 0;
  /** the blocks whose rows are in memory (all unless the store spills) */
  private readonly resident: ResidentBlocks<Block>;

  /**
   * `tag` prefixes this side's store keys; `bounded`: rows expire (blocks kept in a heap by their
   * next expiry); `keepMatches`: match counts are kept (an outer join preserves this side).
   */
  constructor(
    private readonly tag: string,
    private readonly store: StateStore,
    private readonly schema: arrow.Schema,
    bounded: boolean,
    private readonly keepMatches: boolean,
    /** each row's Map key, from the operator's key kernels (blocks read back from the store need them) */
    private readonly keysOf: (batch: arrow.RecordBatch) => unknown[],
  ) {
    this.heap = bounded ? new BlockHeap<Block>() : undefined;
    this.resident = new ResidentBlocks<Block>(store.spillThreshold ? store.spillThreshold / 2 : Infinity, (b) => {
      const v = this.store.get(blockKey(this.tag, b.id));
      if (v === undefined) throw new InternalError(`join block ${this.tag}${b.id} is not in the state store`);
      const bytes = v[0] as Uint8Array;
      return { batch: arrow.tableFromIPC(bytes).batches[0]!, readBack: readBackCopy(bytes) ? bytes : undefined };
    });
    this.rebuild();
  }

  /** live rows */
  get size(): number {
    return this.rows;
  }

  /** whether probes use the key index (else they scan the blocks; see scan) */
  get isIndexed(): boolean {
    return this.indexed;
  }

  /** bytes of the stored rows' buffers, roughly */
  get memoryBytes(): number {
    return this.bytes + this.index.size * 40;
  }

  /** Store new rows: one block. Returns the RowRef of the first; the others follow consecutively. */
  add(rows: NewRows): RowRef {
    const n = rows.batch.numRows;
    if (n === 0 || n > MAX_BLOCK_ROWS) throw new InternalError(`a join block of ${n} rows`);
    const id = this.nextBlock++;
    const ipc = arrow.tableToIPC(new arrow.Table(rows.batch), 'stream');
    this.store.put(blockKey(this.tag, id), rows.writtenAt === undefined
      ? [ipc, rows.expiry ? bytesOf(rows.expiry) : null]
      : [ipc, rows.expiry ? bytesOf(rows.expiry) : null, rows.writtenAt]);
    const block = this.makeBlock(id, ipc, rows.keys, rows.expiry, undefined, undefined, rows.writtenAt);
    block.dirty = true;
    return id * ROW_SPAN;
  }

  /** The live rows under a key. */
  bucket(mapKey: unknown): readonly RowRef[] {
    if (!this.indexed) return this.scan(mapKey);
    const b = this.index.get(mapKey);
    if (b === undefined) return [];
    return typeof b === 'number' ? [b] : b;
  }

  /** Every live row (a null-aware anti join's rows all change when the other side's first NULL arrives). */
  liveRefs(): RowRef[] {
    const out: RowRef[] = [];
    for (const b of this.blocks.values()) {
      const base = b.id * ROW_SPAN;
      for (let row = 0; row < b.alive.length; row++) if (b.alive[row] === 1) out.push(base + row);
    }
    return out;
  }

  /**
   * The rows under a key found by reading every block's keys: a side the other side rarely probes
   * (q7's bids, probed once per window by its maximum) is cheaper scanned than indexed, since each
   * of its rows would be put into and taken out of the index. Once probing has read many times the
   * rows stored, the side builds its index and keeps it: the scans cost at most that bound more.
   */
  private scan(mapKey: unknown): RowRef[] {
    const out: RowRef[] = [];
    for (const b of this.blocks.values()) {
      const keys = b.keys, alive = b.alive, base = b.id * ROW_SPAN;
      for (let row = 0; row < keys.length; row++) {
        const k = keys[row];
        if ((k === mapKey || Object.is(k, mapKey)) && alive[row] === 1) out.push(base + row);
      }
      this.scanned += keys.length;
    }
    if (this.scanned > SCAN_BUDGET * (this.stored + 1024)) this.buildIndex();
    return out;
  }

  /** From now on the side keeps its index by key (see scan). */
  private buildIndex(): void {
    this.indexed = true;
    for (const b of this.blocks.values()) {
      const base = b.id * ROW_SPAN;
      for (let row = 0; row < b.keys.length; row++) if (b.alive[row] === 1) this.link(b.keys[row], base + row);
    }
  }

  /** A live row with these values under this key (a retraction's row), if any. */
  findEqual(mapKey: unknown, values: readonly unknown[]): RowRef | undefined {
    for (const ref of this.bucket(mapKey)) if (sameValues(this.values(ref), values)) return ref;
    return undefined;
  }

  /** A stored row's values, in column order. */
  values(ref: RowRef): unknown[] {
    const b = this.blockOf(ref);
    const batch = this.resident.use(b);
    b.readers ??= batch.data.children.map(readerFor);
    const row = ref % ROW_SPAN;
    const values = b.readers.map((r) => r(row));
    this.resident.releaseLetGo();
    return values;
  }

  matches(ref: RowRef): number {
    return this.blockOf(ref).matches?.[ref % ROW_SPAN] ?? 0;
  }

  /** Change a row's match count (kept only for preserved sides). */
  addMatches(ref: RowRef, delta: number): void {
    const b = this.blockOf(ref);
    if (!b.matches) return;
    b.matches[ref % ROW_SPAN]! += delta;
    b.dirty = true;
  }

  /** Take a row out (a retraction). */
  remove(ref: RowRef): void {
    const b = this.blockOf(ref);
    const row = ref % ROW_SPAN;
    if (b.alive[row] === 0) return;
    this.kill(b, row);
    if (this.indexed) this.unlink(b.keys[row], ref);
    if (b.live === 0) this.drop(b);
  }

  /** The least expiry of a live row (+∞ when none expires). */
  nextExpiry(): number {
    const h = this.heap;
    if (!h) return Infinity;
    for (;;) {
      const top = h.peek();
      if (top === undefined) return Infinity;
      if (!this.blocks.has(top.id)) { h.pop(); continue; }
      while (top.next < top.order!.length && top.alive[top.order![top.next]!] === 0) top.next++;
      if (top.next >= top.order!.length) { h.pop(); continue; }
      const e = top.expiry![top.order![top.next]!]!;
      if (e !== h.keyOf(top)) { h.pop(); h.push(top, e); continue; }
      return e;
    }
  }

  /**
   * Remove the live rows whose expiry is below `watermark`. Returns the rows removed that never
   * matched (`unmatched`: an outer join pads them now) as a batch, read before their blocks go;
   * `matched` instead: the rows removed that did match (a window semi join emits them now).
   */
  expire(watermark: number, unmatched: boolean, matched = false): arrow.RecordBatch | undefined {
    const h = this.heap;
    if (!h) return undefined;
    const out: RowRef[] = [];
    const touched = new Set<unknown>();
    const emptied: Block[] = [];
    while (this.nextExpiry() < watermark) {
      const b = h.pop()!;
      const order = b.order!, expiry = b.expiry!;
      while (b.next < order.length && expiry[order[b.next]!]! < watermark) {
        const row = order[b.next++]!;
        if (b.alive[row] === 0) continue;
        this.kill(b, row);
        if (this.indexed) {
          const key = b.keys[row];
          // a key with this one row: unlinked now; a shared bucket is compacted once below
          if (this.index.get(key) === b.id * ROW_SPAN + row) this.index.delete(key);
          else touched.add(key);
        }
        const m = b.matches?.[row] ?? 0;
        if (matched ? m > 0 : unmatched && m === 0) out.push(b.id * ROW_SPAN + row);
      }
      if (b.live === 0) emptied.push(b);
      else if (b.next < order.length) h.push(b, expiry[order[b.next]!]!);
    }
    const batch = out.length > 0 ? this.take(out) : undefined;
    for (const b of emptied) this.drop(b);
    for (const k of touched) this.compact(k);
    return batch;
  }

  /**
   * State TTL: remove every live row stored at least `ttlMs` before `now`, silently (as Flink: an
   * expired row is neither matched nor padded). Blocks are in storing order, and a block's rows share
   * its time, so this stops at the first block still within the TTL. Returns the rows removed.
   */
  expireUnwritten(now: number, ttlMs: number): number {
    let removed = 0;
    const touched = new Set<unknown>();
    const emptied: Block[] = [];
    for (const b of this.blocks.values()) {
      if (b.writtenAt === undefined) continue; // stored before the TTL was set: kept
      if (b.writtenAt + ttlMs > now) break;
      for (let row = 0; row < b.alive.length; row++) {
        if (b.alive[row] === 0) continue;
        this.kill(b, row);
        removed++;
        if (this.indexed) touched.add(b.keys[row]);
      }
      emptied.push(b);
    }
    for (const b of emptied) this.drop(b);
    for (const k of touched) this.compact(k);
    return removed;
  }

  /** Write the status of the blocks changed since the last checkpoint (before the store commits). */
  flush(): void {
    for (const b of this.blocks.values()) {
      if (!b.dirty) continue;
      b.dirty = false;
      this.store.put(statusKey(this.tag, b.id), [b.alive.slice(), b.matches ? bytesOf(b.matches.slice()) : null]);
    }
  }

  /** Rows `refs` of this side as one batch of its columns, in that order. */
  take(refs: readonly RowRef[]): arrow.RecordBatch {
    if (refs.length === 0) return concatBatches(this.schema, []);
    return batchFromColumns(this.schema, this.takeColumns(refs, this.schema.fields.map((_, c) => c)), refs.length);
  }

  /** Columns `columns` of rows `refs` of this side, in that order. */
  takeColumns(refs: readonly RowRef[], columns: readonly number[]): arrow.Data[] {
    const columnsTaken = takeBlockRows(refs, ROW_SPAN, (id) => this.resident.use(this.blockOf(id * ROW_SPAN)), columns);
    this.resident.releaseLetGo(); // the columns are copies: no block read back is viewed any more
    return columnsTaken;
  }

  /** Index the store's rows of this side again (at start, and after an aborted batch). */
  rebuild(): void {
    this.index.clear();
    this.indexed = false;
    this.stored = 0;
    this.scanned = 0;
    this.blocks.clear();
    this.heap?.clear();
    this.rows = 0;
    this.bytes = 0;
    this.resident.clear();
    // block ids only: a block's rows are read in the loop below, one at a time, so that a side
    // whose blocks wait in the store's spill file is not all in memory at once
    const { ids, status } = storedBlocks(this.store, this.tag);
    for (const id of ids) {
      const v = this.store.get(blockKey(this.tag, id))!;
      const st = status.get(id);
      const ipc = v[0] as Uint8Array;
      const expiry = v[1] ? float64Of(v[1] as Uint8Array) : undefined;
      this.makeBlock(id, ipc, undefined, expiry, st ? (st[0] as Uint8Array).slice() : undefined, st?.[1] ? int32Of(st[1] as Uint8Array) : undefined,
        typeof v[2] === 'number' ? v[2] : undefined);
      this.nextBlock = Math.max(this.nextBlock, id + 1);
    }
  }

  private makeBlock(id: number, ipc: Uint8Array, keys: readonly unknown[] | undefined, expiry: Float64Array | undefined,
    alive: Uint8Array | undefined, matches: Int32Array | undefined, writtenAt: number | undefined): Block {
    const batch = arrow.tableFromIPC(ipc).batches[0]!;
    const n = batch.numRows;
    const b: Block = {
      id, batch, keys: compactKeys(keys ?? this.keysOf(batch)), expiry,
      alive: alive ?? new Uint8Array(n).fill(1),
      matches: this.keepMatches ? matches ?? new Int32Array(n) : undefined,
      live: 0, bytes: ipc.byteLength, dirty: false, readers: undefined, order: undefined, next: 0, writtenAt,
    };
    for (let row = 0; row < n; row++) {
      if (b.alive[row] === 0) continue;
      b.live++;
      if (this.indexed) this.link(b.keys[row], id * ROW_SPAN + row);
    }
    this.stored += b.live;
    if (b.live === 0) {
      this.deleteEntries(id);
      return b;
    }
    this.blocks.set(id, b);
    this.rows += b.live;
    this.bytes += b.bytes;
    this.resident.added(b);
    if (this.heap && expiry) {
      const order = new Uint32Array(n);
      let sorted = true;
      for (let i = 0; i < n; i++) {
        order[i] = i;
        if (i > 0 && expiry[i]! < expiry[i - 1]!) sorted = false;
      }
      // in-order input (the common case) expires in arrival order: no sort
      b.order = sorted ? order : order.sort((x, y) => expiry[x]! - expiry[y]!);
      while (b.next < n && b.alive[order[b.next]!] === 0) b.next++;
      if (b.next < n) this.heap.push(b, expiry[order[b.next]!]!);
    }
    return b;
  }

  private blockOf(ref: RowRef): Block {
    const b = this.blocks.get(Math.floor(ref / ROW_SPAN));
    if (!b) throw new InternalError(`join row ${ref} of a dropped block`);
    return b;
  }

  private kill(b: Block, row: number): void {
    b.alive[row] = 0;
    b.live--;
    b.dirty = true;
    this.rows--;
  }

  private drop(b: Block): void {
    this.blocks.delete(b.id);
    this.bytes -= b.bytes;
    this.resident.dropped(b);
    this.deleteEntries(b.id);
  }

  private deleteEntries(id: number): void {
    this.store.delete(blockKey(this.tag, id));
    this.store.delete(statusKey(this.tag, id));
  }

  private link(key: unknown, ref: RowRef): void {
    const cur = this.index.get(key);
    if (cur === undefined) this.index.set(key, ref);
    else if (typeof cur === 'number') this.index.set(key, [cur, ref]);
    else cur.push(ref);
  }

  private unlink(key: unknown, ref: RowRef): void {
    const cur = this.index.get(key);
    if (cur === undefined) return;
    if (typeof cur === 'number') {
      if (cur === ref) this.index.delete(key);
      return;
    }
    const i = cur.indexOf(ref);
    if (i < 0) return;
    cur[i] = cur[cur.length - 1]!;
    cur.pop();
    if (cur.length === 1) this.index.set(key, cur[0]!);
  }

  /** Drop dead rows from a key's bucket. */
  private compact(key: unknown): void {
    const cur = this.index.get(key);
    if (cur === undefined) return;
    const alive = (ref: RowRef): boolean => {
      const b = this.blocks.get(Math.floor(ref / ROW_SPAN));
      return b !== undefined && b.alive[ref % ROW_SPAN] === 1;
    };
    if (typeof cur === 'number') {
      if (!alive(cur)) this.index.delete(key);
      return;
    }
    const kept = cur.filter(alive);
    if (kept.length === 0) this.index.delete(key);
    else this.index.set(key, kept.length === 1 ? kept[0]! : kept);
  }
}
