/**
 * The state of a Top-N operator: per partition, its rows in rank order.
 *
 * A row is an Entry: its arrival number (`seq`, the tie-breaker: of two rows with equal ORDER BY
 * keys the one that came first ranks first), its ORDER BY key values, and its column values. A row
 * that arrived in the batch in progress may not have its values read yet (`values` undefined; it
 * points at its chunk and row): most rows of an append-only input never make the top N, or leave it
 * before the batch ends, and are never decoded.
 *
 * Partitions are found through nested Maps keyed by the partition values themselves (numbers or
 * strings; one Map level per PARTITION BY key), so a row costs a Map lookup per key and no string
 * building. In the state store each partition is one entry, key `encodeKey(partition values)`, value
 * `[partition values, [[seq, sort values, values], …]]` in rank order; the index is rebuilt from the
 * store on start and after an aborted batch.
 */
import type { RankOrderKey } from '../../../planner/logical/plan.js';
import type { StateStore } from '../../../state/state-store.js';
import { encodeKey } from '../aggregate/aggregate-functions.js';
import { NULL_KEY } from '../window/row-keys.js';

export class Entry {
  constructor(
    readonly seq: number,
    readonly sort: readonly unknown[],
    public values: readonly unknown[] | undefined,
    /** while `values` is undefined: where the row is in the batch in progress */
    readonly chunk: number,
    readonly row: number,
  ) {}
}

export class Partition {
  /** rows in rank order (the first `rankEnd` only, for an append-only input) */
  rows: Entry[] = [];
  /** the visible rows (what was emitted) when the batch in progress first touched the partition */
  before: readonly Entry[] | undefined = undefined;
  /** rows.length then */
  lengthBefore = 0;
  /** the batch number that last touched it */
  batch = -1;

  constructor(readonly storeKey: string, readonly keyValues: readonly unknown[]) {}
}

/** A Map key for a partition value (NULL is a value of its own: NULLs partition together, as in SQL). */
const mapKey = (v: unknown): unknown => (v === null || v === undefined ? NULL_KEY : v);

/** Partitions by their key values, one nested Map level per key. */
export class PartitionIndex {
  private root = new Map<unknown, unknown>();
  private single: Partition | undefined;
  private count = 0;

  constructor(private readonly keys: number) {}

  get size(): number {
    return this.count;
  }

  /** The partition of row `i`, whose key values are `cols[k][i]`. */
  find(cols: readonly (readonly unknown[])[], i: number): Partition | undefined {
    const nk = this.keys;
    if (nk === 0) return this.single;
    let m = this.root;
    for (let c = 0; c < nk - 1; c++) {
      m = m.get(mapKey(cols[c]![i])) as Map<unknown, unknown>;
      if (m === undefined) return undefined;
    }
    return m.get(mapKey(cols[nk - 1]![i])) as Partition | undefined;
  }

  add(p: Partition): void {
    this.count++;
    const nk = this.keys;
    if (nk === 0) {
      this.single = p;
      return;
    }
    let m = this.root;
    for (let c = 0; c < nk - 1; c++) {
      const k = mapKey(p.keyValues[c]);
      let next = m.get(k) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(k, next);
      }
      m = next;
    }
    m.set(mapKey(p.keyValues[nk - 1]), p);
  }

  remove(p: Partition): void {
    this.count--;
    const nk = this.keys;
    if (nk === 0) {
      this.single = undefined;
      return;
    }
    const path: Map<unknown, unknown>[] = [this.root];
    for (let c = 0; c < nk - 1; c++) path.push(path[c]!.get(mapKey(p.keyValues[c])) as Map<unknown, unknown>);
    path[nk - 1]!.delete(mapKey(p.keyValues[nk - 1]));
    // drop the levels the partition leaves empty
    for (let c = nk - 1; c > 0 && path[c]!.size === 0; c--) path[c - 1]!.delete(mapKey(p.keyValues[c - 1]));
  }

  *all(): IterableIterator<Partition> {
    if (this.keys === 0) {
      if (this.single) yield this.single;
      return;
    }
    const walk = function* (m: Map<unknown, unknown>, depth: number, last: number): IterableIterator<Partition> {
      for (const v of m.values()) {
        if (depth === last) yield v as Partition;
        else yield* walk(v as Map<unknown, unknown>, depth + 1, last);
      }
    };
    yield* walk(this.root, 0, this.keys - 1);
  }

  clear(): void {
    this.root = new Map();
    this.single = undefined;
    this.count = 0;
  }
}

/** Compares ORDER BY key values (arrays, one value per key): negative when `a` ranks before `b`. */
export type SortComparator = (a: readonly unknown[], b: readonly unknown[]) => number;

/**
 * The comparator of the ORDER BY keys: per key its direction, NULLs first or last whatever the
 * direction, NaN above every other number (as Flink and DuckDB sort it).
 */
export function sortComparator(keys: readonly RankOrderKey[]): SortComparator {
  const nk = keys.length;
  const desc = keys.map((k) => k.descending);
  const nullsFirst = keys.map((k) => k.nullsFirst);
  return (a, b) => {
    for (let k = 0; k < nk; k++) {
      const x = a[k] as number, y = b[k] as number;
      if (x === y) continue;
      if (x === null) return nullsFirst[k] ? -1 : 1;
      if (y === null) return nullsFirst[k] ? 1 : -1;
      let c = x < y ? -1 : x > y ? 1 : 0;
      if (c === 0) {
        if (x !== x) c = y !== y ? 0 : 1;
        else if (y !== y) c = -1;
        else continue; // equal (0 and -0)
      }
      return desc[k] ? -c : c;
    }
    return 0;
  };
}

/** Where a row with ORDER BY values `sort` goes among `rows`: after every row it does not rank before (it came last). */
export function insertionPoint(rows: readonly Entry[], sort: readonly unknown[], cmp: SortComparator): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(rows[mid]!.sort, sort) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first row whose ORDER BY values are not before `sort`. */
export function firstNotBefore(rows: readonly Entry[], sort: readonly unknown[], cmp: SortComparator): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(rows[mid]!.sort, sort) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Equal column values (ROW values, which are objects, by their JSON). */
export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

type StoredRow = [number, unknown[], unknown[]];

/** Write a partition's rows (every value read: see Entry) to the store, or delete it when it has none. */
export function savePartition(store: StateStore, p: Partition): void {
  if (p.rows.length === 0) {
    store.delete(p.storeKey);
    return;
  }
  const rows: StoredRow[] = new Array(p.rows.length);
  for (let i = 0; i < p.rows.length; i++) {
    const e = p.rows[i]!;
    rows[i] = [e.seq, e.sort as unknown[], e.values as unknown[]];
  }
  store.put(p.storeKey, [p.keyValues, rows]);
}

export function newPartition(keyValues: readonly unknown[]): Partition {
  return new Partition(keyValues.length === 0 ? '' : encodeKey(keyValues), keyValues);
}

/** The partitions of the store's (committed) entries into `index`; returns the next arrival number. */
export function loadPartitions(store: StateStore, index: PartitionIndex): number {
  index.clear();
  let nextSeq = 0;
  for (const [storeKey, v] of store.entries()) {
    const p = new Partition(storeKey, v[0] as unknown[]);
    p.rows = (v[1] as StoredRow[]).map(([seq, sort, values]) => {
      if (seq >= nextSeq) nextSeq = seq + 1;
      return new Entry(seq, sort, values, -1, -1);
    });
    index.add(p);
  }
  return nextSeq;
}
