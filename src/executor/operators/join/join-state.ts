/**
 * One side of a stream-stream join: its rows by join key, with multiplicity (equal rows are separate
 * entries), each with how many rows of the other side it matches (for outer joins) and, for a
 * time-bounded side, when it expires.
 *
 * The rows live in the operator's state store (one key per row: the side's tag and a sequence
 * number; the value is [join key values, matches, expiry, row]) so a checkpoint carries them;
 * the in-memory index by join key and the expiry heap are rebuilt from the store on restart. A row
 * is its row string (row-codec.ts): one compact object, equal rows are equal strings, and pairs are
 * built from it by byte copies (state written as an array of values before is read too).
 */
import type { StateStore } from '../../../state/state-store.js';
import { encodeKey } from '../aggregate/aggregate-functions.js';
import type { RowCodec } from '../row-codec.js';
import { NULL_KEY } from '../window/row-keys.js';

export interface JoinEntry {
  readonly storeKey: string;
  readonly mapKey: unknown;
  readonly keyValues: readonly unknown[];
  /** the row's column values, as a row string (row-codec.ts) */
  readonly row: string;
  /** rows of the other side this row matches (kept for sides an outer join preserves) */
  matches: number;
  /** the watermark past which the row goes (+∞: never) */
  readonly expiry: number;
  alive: boolean;
}

/** The Map key of a row's join key values: the value for one key, an encoded string for several; NULL_KEY when any is NULL (it never matches). */
export function mapKeyOf(values: readonly unknown[]): unknown {
  if (values.length === 0) return 0;
  if (values.length === 1) {
    const v = values[0];
    return v === null || v === undefined ? NULL_KEY : v;
  }
  for (const v of values) if (v === null || v === undefined) return NULL_KEY;
  return encodeKey(values);
}

/** A binary min-heap of entries by expiry. */
class ExpiryHeap {
  private readonly a: JoinEntry[] = [];

  get size(): number {
    return this.a.length;
  }

  peek(): JoinEntry | undefined {
    return this.a[0];
  }

  push(e: JoinEntry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.expiry <= e.expiry) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = e;
  }

  pop(): JoinEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]!.expiry < a[l]!.expiry ? r : l;
      if (a[c]!.expiry >= last.expiry) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }

  clear(): void {
    this.a.length = 0;
  }
}

export class JoinSideState {
  private readonly index = new Map<unknown, Set<JoinEntry>>();
  private readonly heap: ExpiryHeap | undefined;
  private seq = 0;
  private count = 0;

  /**
   * `tag` prefixes this side's store keys; `bounded`: rows expire (kept in a heap by expiry);
   * `keepMatches`: the match count is stored with the row (an outer join preserves this side).
   */
  constructor(
    private readonly tag: string,
    private readonly store: StateStore,
    bounded: boolean,
    private readonly keepMatches: boolean,
    /** the side's rows (for state written with rows as arrays of values) */
    private readonly codec: RowCodec,
  ) {
    this.heap = bounded ? new ExpiryHeap() : undefined;
    this.rebuild();
  }

  get size(): number {
    return this.count;
  }

  bucket(mapKey: unknown): ReadonlySet<JoinEntry> | undefined {
    return this.index.get(mapKey);
  }

  add(mapKey: unknown, keyValues: readonly unknown[], row: string, expiry: number): JoinEntry {
    const storeKey = this.tag + (this.seq++).toString(36);
    const e: JoinEntry = { storeKey, mapKey, keyValues, row, matches: 0, expiry, alive: true };
    this.link(e);
    this.store.put(storeKey, [keyValues, 0, Number.isFinite(expiry) ? expiry : null, row]);
    return e;
  }

  /** A live entry of this row under this key (a retraction's row), if any. */
  findEqual(mapKey: unknown, row: string): JoinEntry | undefined {
    const b = this.index.get(mapKey);
    if (!b) return undefined;
    for (const e of b) if (e.row === row) return e;
    return undefined;
  }

  remove(e: JoinEntry): void {
    if (!e.alive) return;
    e.alive = false;
    const b = this.index.get(e.mapKey);
    if (b) {
      b.delete(e);
      if (b.size === 0) this.index.delete(e.mapKey);
    }
    this.count--;
    this.store.delete(e.storeKey);
  }

  /** Write an entry's changed match count. */
  save(e: JoinEntry): void {
    if (!e.alive || !this.keepMatches) return;
    this.store.put(e.storeKey, [e.keyValues, e.matches, Number.isFinite(e.expiry) ? e.expiry : null, e.row]);
  }

  /** The least expiry of a live row (+∞ when none expires). */
  nextExpiry(): number {
    const h = this.heap;
    if (!h) return Infinity;
    while (h.size > 0 && !h.peek()!.alive) h.pop();
    return h.size > 0 ? h.peek()!.expiry : Infinity;
  }

  /** Remove and return the live rows whose expiry is below `watermark`. */
  expire(watermark: number): JoinEntry[] {
    const out: JoinEntry[] = [];
    const h = this.heap;
    if (!h) return out;
    while (h.size > 0 && h.peek()!.expiry < watermark) {
      const e = h.pop()!;
      if (!e.alive) continue;
      this.remove(e);
      out.push(e);
    }
    return out;
  }

  /** Index the store's rows of this side again (at start, and after an aborted batch). */
  rebuild(): void {
    this.index.clear();
    this.heap?.clear();
    this.count = 0;
    let maxSeq = -1;
    for (const [storeKey, v] of this.store.entries()) {
      if (!storeKey.startsWith(this.tag)) continue;
      const seq = parseInt(storeKey.slice(this.tag.length), 36);
      if (seq > maxSeq) maxSeq = seq;
      const keyValues = v[0] as unknown[];
      const expiry = v[2] === null ? -Infinity : (v[2] as number);
      const row = typeof v[3] === 'string' ? v[3] : this.codec.encodeValues(v[3] as unknown[]);
      this.link({ storeKey, mapKey: mapKeyOf(keyValues), keyValues, row, matches: v[1] as number, expiry, alive: true });
    }
    this.seq = Math.max(this.seq, maxSeq + 1);
  }

  private link(e: JoinEntry): void {
    let b = this.index.get(e.mapKey);
    if (!b) {
      b = new Set();
      this.index.set(e.mapKey, b);
    }
    b.add(e);
    this.count++;
    this.heap?.push(e);
  }
}
