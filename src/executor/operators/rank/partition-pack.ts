/**
 * A Top-N partition's kept rows as one latin1 string (a "pack"), for an append-only input.
 *
 * Why: q18 keeps the latest bid of each (bidder, auction), about 590 K partitions of one row at 2 M
 * events. Held as objects, each cost a Partition, its key-values array, its rows array, an Entry, a
 * boxed ORDER BY value and a store entry per row: about 470 bytes around a row string of about 215
 * (heap snapshot). Between batches a pack is the partition's only object in the operator's index, and
 * the very same string is the partition's one entry in the state store; a batch that touches the
 * partition unpacks it into a Partition and packs it again at its end.
 *
 * Layout, each character one byte: the partition's store id (float64), the row count (uint32), then
 * per row its arrival number (float64), its ORDER BY values (per value a tag byte: 0 NULL, 1 a number
 * as float64, 2 a string as a uint32 count of UTF-16 units and two bytes each, 3 true, 4 false, 5 a
 * bigint as a uint32 length and its decimal digits), its row string's length (uint32) and the row
 * string (row-codec.ts) as it is. Numbers are little-endian.
 */
import { InternalError } from '../../../common/errors.js';
import { isWideDecimal, type SqlType } from '../../../common/types.js';
import { Entry, type SortKey } from './top-n-state.js';

let bytes = Buffer.alloc(4096);

function room(n: number): void {
  if (bytes.length < n) bytes = Buffer.alloc(Math.max(n, bytes.length * 2));
}

/** Bytes `v` takes as an ORDER BY value. */
function sortValueSize(v: unknown): number {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v === null || typeof v === 'boolean' ? 1 : 9;
  if (typeof v === 'string') return 5 + 2 * v.length;
  if (typeof v === 'bigint') return 5 + v.toString().length;
  throw new InternalError(`a Top-N ORDER BY value of type ${typeof v} has no packed form`);
}

function writeSortValue(v: unknown, at: number): number {
  if (v === null) bytes[at++] = 0;
  else if (typeof v === 'number') {
    bytes[at] = 1;
    bytes.writeDoubleLE(v, at + 1);
    at += 9;
  } else if (typeof v === 'string') {
    bytes[at] = 2;
    bytes.writeUInt32LE(v.length, at + 1);
    at += 5;
    at += bytes.write(v, at, 'utf16le');
  } else if (typeof v === 'boolean') bytes[at++] = v ? 3 : 4;
  else {
    const digits = (v as bigint).toString();
    bytes[at] = 5;
    bytes.writeUInt32LE(digits.length, at + 1);
    at += 5;
    at += bytes.write(digits, at, 'latin1');
  }
  return at;
}

/** The ORDER BY value at `at`, and where the next field starts (in `next[0]`). */
function readSortValue(at: number, next: number[]): unknown {
  const tag = bytes[at]!;
  switch (tag) {
    case 0: next[0] = at + 1; return null;
    case 1: next[0] = at + 9; return bytes.readDoubleLE(at + 1);
    case 2: {
      const n = bytes.readUInt32LE(at + 1);
      next[0] = at + 5 + 2 * n;
      return bytes.toString('utf16le', at + 5, at + 5 + 2 * n);
    }
    case 3: next[0] = at + 1; return true;
    case 4: next[0] = at + 1; return false;
    case 5: {
      const n = bytes.readUInt32LE(at + 1);
      next[0] = at + 5 + n;
      return BigInt(bytes.toString('latin1', at + 5, at + 5 + n));
    }
    default: throw new InternalError(`a packed Top-N partition has an ORDER BY value tagged ${tag}`);
  }
}

/** Whether every ORDER BY value of `rows` has a packed form (numbers, strings, booleans, bigints, NULL). */
export function packable(rows: readonly Entry[], sortKeys: number): boolean {
  const ok = (v: unknown): boolean => v === null || ['number', 'string', 'boolean', 'bigint'].includes(typeof v);
  return rows.every((e) => (sortKeys === 1 ? ok(e.sort) : (e.sort as readonly unknown[]).every(ok)));
}

/** The pack of partition `id`'s rows (every row's string written already). */
export function pack(id: number, rows: readonly Entry[], sortKeys: number): string {
  let n = 12;
  for (const e of rows) {
    n += 12 + e.text!.length;
    if (sortKeys === 1) n += sortValueSize(e.sort);
    else for (const v of e.sort as readonly unknown[]) n += sortValueSize(v);
  }
  room(n);
  bytes.writeDoubleLE(id, 0);
  bytes.writeUInt32LE(rows.length, 8);
  let at = 12;
  for (const e of rows) {
    bytes.writeDoubleLE(e.seq, at);
    at += 8;
    if (sortKeys === 1) at = writeSortValue(e.sort, at);
    else for (const v of e.sort as readonly unknown[]) at = writeSortValue(v, at);
    bytes.writeUInt32LE(e.text!.length, at);
    at += 4;
    at += bytes.write(e.text!, at, 'latin1');
  }
  if (at !== n) throw new InternalError(`a Top-N partition packed into ${at} bytes, ${n} expected`);
  return bytes.toString('latin1', 0, n);
}

/** The store id of the partition packed in `s`. */
export function packId(s: string): number {
  room(8);
  bytes.write(s.slice(0, 8), 0, 'latin1');
  return bytes.readDoubleLE(0);
}

/** The rows packed in `s` (their strings slices of it), in the order they were packed. */
export function unpack(s: string, sortKeys: number): Entry[] {
  room(s.length);
  bytes.write(s, 0, 'latin1');
  const count = bytes.readUInt32LE(8);
  const rows: Entry[] = new Array(count);
  const next = [0];
  let at = 12;
  for (let r = 0; r < count; r++) {
    const seq = bytes.readDoubleLE(at);
    at += 8;
    let sort: SortKey;
    if (sortKeys === 1) {
      sort = readSortValue(at, next);
      at = next[0]!;
    } else {
      const a = new Array(sortKeys);
      for (let k = 0; k < sortKeys; k++) {
        a[k] = readSortValue(at, next);
        at = next[0]!;
      }
      sort = a;
    }
    const len = bytes.readUInt32LE(at);
    at += 4;
    rows[r] = new Entry(seq, sort, s.slice(at, at + len), -1, -1);
    at += len;
  }
  if (at !== s.length) throw new InternalError(`a packed Top-N partition of ${s.length} bytes ends at ${at}`);
  return rows;
}

/** Whether an ORDER BY value of type `t` has a packed form (partition-pack.ts): scalars, not ROW, ARRAY, MAP or MULTISET. */
export function hasPackedForm(t: SqlType): boolean {
  switch (t.kind) {
    case 'ROW': case 'ARRAY': case 'MAP': case 'MULTISET': return false;
    case 'DECIMAL': return !isWideDecimal(t);
    default: return true;
  }
}
