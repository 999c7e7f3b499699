/**
 * The state of a Top-N operator: per partition, its rows in rank order.
 *
 * A row is an Entry: its arrival number (`seq`, the tie-breaker: of two rows with equal ORDER BY
 * keys the one that came first ranks first), its ORDER BY key (the value itself for one key, an
 * array for several), and its column values as one row string (row-codec.ts). A row of the batch in
 * progress over an append-only input gets its string only at the end of the batch (until then it
 * points at its chunk and row): most such rows never make the top N, or leave it before the batch
 * ends, and are never copied.
 *
 * Partitions are found through nested Maps keyed by the partition values themselves (numbers or
 * strings; one Map level per PARTITION BY key), so a row costs a Map lookup per key and no string
 * building; a ROW or DECIMAL column is keyed by its key codec encoding instead (see TopNOperator).
 *
 * In the state store, over an append-only input whose ORDER BY values have a packed form (and no
 * windows to close, partitions to expire or complete mode), each
 * partition is one entry: key `#` and its id in base 36, value `[pack]` (partition-pack.ts), the same
 * string the operator's index holds for the partition between batches; a batch puts the packs of the
 * partitions it changed and deletes those it emptied. Otherwise (a retracting input, or checkpoints
 * written before partitions were packed) each kept row is one entry: key `seq` in base 36, value
 * `[row string]` (the same string the Entry holds). The operator rebuilds its partitions from the
 * store on start and after an abort, computing the keys again from the rows.
 */
import type { RankOrderKey } from '../../../planner/logical/plan.js';
import type { StateStore } from '../../../state/state-store.js';
import { NUMBERED_PREFIX } from '../../../state/live-map.js';
import { InternalError } from '../../../common/errors.js';
import { NULL_KEY } from '../window/row-keys.js';
import { unpack } from './partition-pack.js';

/** ORDER BY key values: the value for one key, an array for several. */
export type SortKey = unknown;

export class Entry {
  constructor(
    readonly seq: number,
    readonly sort: SortKey,
    /** the row's values (row-codec.ts); undefined while it only points into the batch in progress */
    public text: string | undefined,
    readonly chunk: number,
    readonly row: number,
  ) {}
}

export class Partition {
  /** rows in rank order (the first `rankEnd` only, for an append-only input) */
  rows: Entry[] = [];
  /** the visible rows (what was emitted) when the batch in progress first touched the partition */
  before: readonly Entry[] | undefined = undefined;
  /** the ranks of `before` (RANK and DENSE_RANK: tied rows share one) */
  beforeRanks: readonly number[] | undefined = undefined;
  /** the batch number that last touched it */
  batch = -1;
  /** table.exec.state.ttl: the processing time a row last entered (or left by retraction); undefined: not known yet */
  lastWrite: number | undefined = undefined;
  /** packed partitions: the id of its store entry (-1: none yet) */
  id = -1;
  /** packed partitions: its pack while it still holds the rows (undefined once the batch changed them) */
  packed: string | undefined = undefined;

  constructor(readonly keyValues: readonly unknown[]) {}
}

/** A Map key for a partition value (NULL is a value of its own: NULLs partition together, as in SQL). */
const mapKey = (v: unknown): unknown => (v === null || v === undefined ? NULL_KEY : v);

/**
 * A partition as the index holds it: an object, or between batches its pack (partition-pack.ts), or,
 * when the state store spills, just its pack's id (the pack is the store's entry, loadPack).
 */
export type Leaf = Partition | string | number;

/** Partitions by their key values, one nested Map level per key. */
export class PartitionIndex {
  private root = new Map<unknown, unknown>();
  private single: Leaf | undefined;
  private count = 0;

  constructor(private readonly keys: number) {}

  get size(): number {
    return this.count;
  }

  /** The partition of row `i`, whose key values are `cols[k][i]`. */
  find(cols: readonly (readonly unknown[])[], i: number): Leaf | undefined {
    const nk = this.keys;
    if (nk === 0) return this.single;
    let m = this.root;
    for (let c = 0; c < nk - 1; c++) {
      m = m.get(mapKey(cols[c]![i])) as Map<unknown, unknown>;
      if (m === undefined) return undefined;
    }
    return m.get(mapKey(cols[nk - 1]![i])) as Leaf | undefined;
  }

  /** Hold the partition of `keyValues` (which the index has) as `leaf`. */
  set(keyValues: readonly unknown[], leaf: Leaf): void {
    const nk = this.keys;
    if (nk === 0) {
      this.single = leaf;
      return;
    }
    let m = this.root;
    for (let c = 0; c < nk - 1; c++) m = m.get(mapKey(keyValues[c])) as Map<unknown, unknown>;
    m.set(mapKey(keyValues[nk - 1]), leaf);
  }

  /** The partition of these key values, created when absent. */
  obtain(keyValues: readonly unknown[]): Partition {
    const nk = this.keys;
    if (nk === 0) return (this.single as Partition | undefined) ?? this.created(this.single = newPartition(keyValues));
    let m = this.root;
    for (let c = 0; c < nk - 1; c++) {
      const k = mapKey(keyValues[c]);
      let next = m.get(k) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(k, next);
      }
      m = next;
    }
    const k = mapKey(keyValues[nk - 1]);
    const found = m.get(k) as Partition | undefined;
    if (typeof found !== 'object' && found !== undefined) throw new InternalError('obtain() of a packed Top-N partition');
    if (found) return found;
    const p = newPartition(keyValues);
    m.set(k, p);
    return this.created(p);
  }

  private created(p: Partition): Partition {
    this.count++;
    return p;
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

  /** Every partition, as objects (after loading; or where partitions are never packed). */
  *all(): IterableIterator<Partition> {
    const object = (leaf: Leaf): Partition => {
      if (typeof leaf !== 'object') throw new InternalError('a packed Top-N partition where objects were expected');
      return leaf;
    };
    if (this.keys === 0) {
      if (this.single) yield object(this.single);
      return;
    }
    const walk = function* (m: Map<unknown, unknown>, depth: number, last: number): IterableIterator<Partition> {
      for (const v of m.values()) {
        if (depth === last) yield object(v as Leaf);
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

function newPartition(keyValues: readonly unknown[]): Partition {
  return new Partition(keyValues);
}

/** Compares ORDER BY keys: negative when `a` ranks before `b`. */
export type SortComparator = (a: SortKey, b: SortKey) => number;

/**
 * One ORDER BY value against another: its direction, NULLs first or last whatever the direction,
 * NaN above every number. Strings compare by UTF-16 code units, which is code point order except
 * between characters above U+FFFF and those from U+E000 to U+FFFF.
 */
function compareValue(x: unknown, y: unknown, descending: boolean, nullsFirst: boolean): number {
  if (x === y) return 0;
  if (x === null) return nullsFirst ? -1 : 1;
  if (y === null) return nullsFirst ? 1 : -1;
  let c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  if (c === 0) {
    if (x !== x) c = y !== y ? 0 : 1;
    else if (y !== y) c = -1;
    else return 0; // 0 and -0
  }
  return descending ? -c : c;
}

/** The comparator of the ORDER BY keys (as Flink and DuckDB sort: NaN last among numbers). */
export function sortComparator(keys: readonly RankOrderKey[]): SortComparator {
  if (keys.length === 1) {
    const { descending, nullsFirst } = keys[0]!;
    return (a, b) => compareValue(a, b, descending, nullsFirst);
  }
  const desc = keys.map((k) => k.descending);
  const nulls = keys.map((k) => k.nullsFirst);
  return (a, b) => {
    const x = a as readonly unknown[], y = b as readonly unknown[];
    for (let k = 0; k < desc.length; k++) {
      const c = compareValue(x[k], y[k], desc[k]!, nulls[k]!);
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * Where a row with ORDER BY key `sort` goes among `rows`: after every row it does not rank before (it
 * came last), or with `latestFirst` before the rows it ties with (a keep-last deduplication).
 */
export function placeOf(rows: readonly Entry[], sort: SortKey, cmp: SortComparator, latestFirst: boolean): number {
  return latestFirst ? firstNotBefore(rows, sort, cmp) : insertionPoint(rows, sort, cmp);
}

/** Where a row with ORDER BY key `sort` goes among `rows`: after every row it does not rank before (it came last). */
export function insertionPoint(rows: readonly Entry[], sort: SortKey, cmp: SortComparator): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(rows[mid]!.sort, sort) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first row whose ORDER BY key is not before `sort`. */
export function firstNotBefore(rows: readonly Entry[], sort: SortKey, cmp: SortComparator): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(rows[mid]!.sort, sort) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The rank of each of `rows` (in rank order) under RANK (1 + the rows strictly before it: 1, 1, 3)
 * or DENSE_RANK (1 + the distinct keys before it: 1, 1, 2); stops after the first rank above `upTo`.
 */
export function tiedRanks(rows: readonly Entry[], cmp: SortComparator, dense: boolean, upTo = Infinity): number[] {
  const ranks: number[] = [];
  let r = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i === 0 || cmp(rows[i - 1]!.sort, rows[i]!.sort) !== 0) r = dense ? r + 1 : i + 1;
    ranks.push(r);
    if (r > upTo) break;
  }
  return ranks;
}

const storeKeyOf = (seq: number): string => seq.toString(36);

/** Store keys of partitions' last-write times start with it (never a digit of a row's base-36 key). */
export const TTL_PREFIX = '@';
/**
 * Store keys of packed partitions start with it: `#` and the id in base 36 is a numbered key, which
 * the in-memory and file stores hold in an array rather than a Map (live-map.ts).
 */
export const PACK_PREFIX = NUMBERED_PREFIX;

/** Write a row that entered the state (unpacked partitions). */
export function saveRow(store: StateStore, e: Entry): void {
  store.put(storeKeyOf(e.seq), [e.text]);
}

export function deleteRow(store: StateStore, e: Entry): void {
  store.delete(storeKeyOf(e.seq));
}

/** Write packed partition `p`'s pack (`p.packed`). */
export function savePack(store: StateStore, p: Partition): void {
  // the operator holds a pack only while a batch works on its partition (top-n.ts leafOf)
  store.put(PACK_PREFIX + p.id.toString(36), [p.packed], true);
}

/** Packed partition `p`'s entry, restored from a checkpoint, may spill as if just saved. */
export function markPackSpillable(store: StateStore, p: Partition): void {
  store.markSpillable?.(PACK_PREFIX + p.id.toString(36));
}

/** The pack of partition `id` (a Leaf held as its id). */
export function loadPack(store: StateStore, id: number): string {
  const v = store.get(PACK_PREFIX + id.toString(36));
  if (v === undefined) throw new InternalError(`Top-N partition pack ${id} is not in the state store`);
  return v[0] as string;
}

/** Delete packed partition `p`'s entry. */
export function deletePack(store: StateStore, p: Partition): void {
  if (p.id >= 0) store.delete(PACK_PREFIX + p.id.toString(36));
}

/** What loadRows found. */
export interface Loaded {
  /** the next arrival number */
  readonly nextSeq: number;
  /** the next packed partition id */
  readonly nextId: number;
  /** keys of rows stored one per entry (to rewrite as packs where partitions are packed) */
  readonly rowKeys: readonly string[];
}

/**
 * The rows of the store's (committed) entries into their partitions of `index`, ranked, their
 * partition and ORDER BY keys computed again by `keysOf` (over the row strings, in store order).
 * A packed partition's rows stay one partition, with its id and its pack.
 */
export function loadRows(
  store: StateStore, index: PartitionIndex, cmp: SortComparator, sortKeys: number,
  keysOf: (rows: readonly string[]) => { partition: readonly (readonly unknown[])[]; sort: readonly (readonly unknown[])[] },
  latestFirst = false,
): Loaded {
  index.clear();
  let nextSeq = 0, nextId = 0;
  const seqs: number[] = [];
  const rows: string[] = [];
  /** per row: its pack's index in `packs`, -1 for a row stored on its own */
  const packOf: number[] = [];
  const packs: { id: number; text: string }[] = [];
  const rowKeys: string[] = [];
  for (const [key, v] of store.entries()) {
    if (key.startsWith(TTL_PREFIX)) continue; // a partition's last-write time (top-n-ttl.ts)
    if (key.startsWith(PACK_PREFIX)) {
      const text = v[0] as string;
      const id = parseInt(key.slice(PACK_PREFIX.length), 36);
      if (id >= nextId) nextId = id + 1;
      for (const e of unpack(text, sortKeys)) {
        if (e.seq >= nextSeq) nextSeq = e.seq + 1;
        seqs.push(e.seq);
        rows.push(e.text!);
        packOf.push(packs.length);
      }
      packs.push({ id, text });
      continue;
    }
    const seq = parseInt(key, 36);
    if (seq >= nextSeq) nextSeq = seq + 1;
    seqs.push(seq);
    rows.push(v[0] as string);
    packOf.push(-1);
    rowKeys.push(key);
  }
  if (rows.length === 0) return { nextSeq, nextId, rowKeys };
  const keys = keysOf(rows);
  const nk = keys.partition.length, ns = keys.sort.length;
  rows.forEach((text, i) => {
    const keyValues = new Array(nk);
    for (let k = 0; k < nk; k++) keyValues[k] = keys.partition[k]![i] ?? null;
    let sort: SortKey;
    if (ns === 1) sort = keys.sort[0]![i] ?? null;
    else {
      const a = new Array(ns);
      for (let k = 0; k < ns; k++) a[k] = keys.sort[k]![i] ?? null;
      sort = a;
    }
    const p = index.obtain(keyValues);
    const pk = packOf[i]!;
    if (pk >= 0) {
      p.id = packs[pk]!.id;
      p.packed = packs[pk]!.text;
    }
    p.rows.push(new Entry(seqs[i]!, sort, text, -1, -1));
  });
  // tied rows in arrival order (the latest first for a keep-last deduplication)
  for (const p of index.all()) p.rows.sort((a, b) => cmp(a.sort, b.sort) || (latestFirst ? b.seq - a.seq : a.seq - b.seq));
  return { nextSeq, nextId, rowKeys };
}
