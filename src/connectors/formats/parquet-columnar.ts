/**
 * A Parquet file read column by column into Arrow columns, for the common case: every column the
 * query reads is a leaf whose Parquet type holds the SQL type's values as they are (INT64 for
 * BIGINT, DOUBLE for DOUBLE, UTF-8 BYTE_ARRAY for VARCHAR, a DECIMAL's unscaled integers, …; the
 * pairs are in `fitsDirectly`), or a ROW read from a plain group of such leaves.
 *
 * It gives the batch the row-by-row read (parquet.ts, through hyparquet and convertValue) gives, or
 * undefined where that read would do more than copy: a value to convert or reject (a NULL in a NOT
 * NULL column, a string that is not UTF-8, a number out of the column's range), an ARRAY, MAP or
 * deeper nesting, an encoding parquet-column-chunks.ts does not read. The caller then reads the
 * file row by row, so every rejected record keeps its reason. The tests compare the two reads.
 */
import * as arrow from 'apache-arrow';
import { isAscii, isUtf8 } from 'node:buffer';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import type { FileColumn } from './parquet-nested.js';
import { batchFromColumns, bitmapFromMask } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import { toArrowType, type SqlType } from '../../common/types.js';
import { decimalValues, type DecimalStorage } from './parquet-decimals.js';
import { allNullColumn, setSafeInt64 } from './column-builders.js';
import { MAX_DATE_DAYS, MAX_TIMESTAMP_MS } from './convert.js';
import { SMALL_RANGES } from './numbers.js';
import type { DecodeResult } from './decoded.js';
export { chunkStart } from './parquet-column-chunks.js';
import { readLeaf, type ChunkPlace, type FlatPhysical, type LeafValues } from './parquet-column-chunks.js';
import { NotColumnar } from './parquet-pages.js';
import type { Decompressors } from './parquet-codecs.js';

/** What a flat leaf holds, as far as the SQL types read here care. */
type LeafKind = 'bool' | 'int32' | 'int64' | 'float' | 'double' | 'utf8' | 'date' | 'ts-ms' | 'ts-us' | 'ts-ns' | DecimalStorage;

/**
 * A DECIMAL leaf's precision and scale, or undefined for another leaf, and for one whose logical
 * type and converted type disagree (the row-by-row read takes the element's scale: it decides).
 */
function decimalOf(e: SchemaElement): { precision: number; scale: number } | undefined {
  const l = e.logical_type;
  const logical = l?.type === 'DECIMAL' ? { precision: l.precision, scale: l.scale } : undefined;
  const converted = e.converted_type === 'DECIMAL' && e.precision !== undefined ? { precision: e.precision, scale: e.scale ?? 0 } : undefined;
  if (logical && converted && (logical.precision !== converted.precision || logical.scale !== converted.scale)) return undefined;
  return logical ?? converted;
}

/**
 * The leaf's kind, or undefined for what is read row by row (unsigned, TIME, JSON, INT96, a DECIMAL
 * in a BYTE_ARRAY, …). A DECIMAL is its unscaled integer (parquet-decimals.ts).
 */
function leafKind(e: SchemaElement): LeafKind | undefined {
  const c = e.converted_type, l = e.logical_type;
  const signedInt = (bits: number): boolean =>
    (l === undefined || (l.type === 'INTEGER' && l.isSigned && l.bitWidth <= bits));
  switch (e.type) {
    case 'BOOLEAN': return c === undefined && l === undefined ? 'bool' : undefined;
    case 'INT32':
      if (c === 'DATE' || l?.type === 'DATE') return 'date';
      if (decimalOf(e)) return 'dec32';
      return (c === undefined || c === 'INT_8' || c === 'INT_16' || c === 'INT_32') && signedInt(32) ? 'int32' : undefined;
    case 'INT64':
      if (decimalOf(e)) return 'dec64';
      if (c === 'TIMESTAMP_MILLIS') return 'ts-ms';
      if (c === 'TIMESTAMP_MICROS') return 'ts-us';
      if (c === undefined && l?.type === 'TIMESTAMP') return l.unit === 'MILLIS' ? 'ts-ms' : l.unit === 'MICROS' ? 'ts-us' : 'ts-ns';
      return (c === undefined || c === 'INT_64') && signedInt(64) ? 'int64' : undefined;
    case 'FLOAT': return l === undefined ? 'float' : undefined;
    case 'DOUBLE': return l === undefined ? 'double' : undefined;
    case 'BYTE_ARRAY': return (c === undefined || c === 'UTF8') && (l === undefined || l.type === 'STRING') ? 'utf8' : undefined;
    case 'FIXED_LEN_BYTE_ARRAY': return decimalOf(e) && e.type_length !== undefined && e.type_length > 0 ? 'decfixed' : undefined;
    default: return undefined;
  }
}

/**
 * Whether a SQL column of type `t` takes leaf `e` of kind `k` by copying (narrowing integers
 * checked). A DECIMAL takes a DECIMAL of its scale and at most its precision (every value fits, and
 * each is checked), its unscaled integers as they are; a rescale or a narrowing is the row-by-row read's.
 */
function fitsDirectly(t: SqlType, k: LeafKind, e: SchemaElement): boolean {
  switch (t.kind) {
    case 'DECIMAL': {
      const d = decimalOf(e);
      return (k === 'dec32' || k === 'dec64' || k === 'decfixed') && d !== undefined && d.scale === t.scale && d.precision <= t.precision;
    }
    case 'BOOLEAN': return k === 'bool';
    case 'TINYINT': case 'SMALLINT': case 'INT': return k === 'int32';
    case 'BIGINT': return k === 'int32' || k === 'int64';
    case 'FLOAT': return k === 'float';
    case 'DOUBLE': return k === 'double' || k === 'float';
    case 'DATE': return k === 'date';
    case 'TIMESTAMP': return k === 'ts-ms' || k === 'ts-us' || k === 'ts-ns';
    case 'VARCHAR': return k === 'utf8';
    default: return false;
  }
}


/**
 * Zero the slots of NULL rows, `perRow` 32-bit words each (the other decoders leave them 0, and a
 * kernel may read them). Through Int32 words: a Float64Array write may change a NaN's bits.
 */
function zeroNulls(words: Int32Array, valid: Uint8Array | undefined, perRow: number): void {
  if (valid === undefined) return;
  for (let i = 0; i < valid.length; i++) if (!valid[i]) words.fill(0, i * perRow, (i + 1) * perRow);
}

/**
 * Set the quiet bit of every signalling NaN (`perRow` 1: FLOAT words, 2: DOUBLE word pairs, low
 * first), as reading it into a JS number does on the row-by-row read: the same bits either way.
 */
function quietNaNs(words: Int32Array, perRow: 1 | 2): void {
  if (perRow === 1) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if ((w & 0x7f800000) === 0x7f800000 && (w & 0x007fffff) !== 0) words[i] = w | 0x00400000;
    }
    return;
  }
  for (let i = 1; i < words.length; i += 2) {
    const hi = words[i]!;
    if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) !== 0 || words[i - 1] !== 0)) words[i] = hi | 0x00080000;
  }
}

/** The Arrow column of type `t` holding `leaf` (of kind `k`); NotColumnar where a value would be rejected. */
function toColumn(t: SqlType, k: LeafKind, leaf: LeafValues, n: number): arrow.Data {
  const { valid } = leaf;
  const { bitmap: nullBitmap, nullCount } = valid ? bitmapFromMask(valid, n) : { bitmap: undefined, nullCount: 0 };
  const base = { type: toArrowType(t), length: n, nullCount, nullBitmap };
  const buffer = leaf.bytes.buffer as ArrayBuffer;
  const make = (data: ArrayBufferView, extra: object = {}): arrow.Data => arrow.makeData({ ...base, data, ...extra } as never);
  switch (k) {
    case 'bool': {
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (leaf.bytes[i] && (!valid || valid[i])) bits[i >> 3]! |= 1 << (i & 7);
      return make(bits);
    }
    case 'dec32': case 'dec64': case 'decfixed':
      if (t.kind !== 'DECIMAL') throw new NotColumnar('a DECIMAL into another type');
      return make(decimalValues(t, k, leaf, n));
    case 'int32': case 'date': {
      const v = new Int32Array(buffer, 0, n);
      zeroNulls(v, valid, 1);
      const range = k === 'date' ? [-MAX_DATE_DAYS, MAX_DATE_DAYS] : t.kind === 'TINYINT' || t.kind === 'SMALLINT' ? SMALL_RANGES[t.kind] : undefined;
      if (range) for (let i = 0; i < n; i++) if (v[i]! < range[0]! || v[i]! > range[1]!) throw new NotColumnar('a value out of range');
      if (t.kind === 'TINYINT') return make(Int8Array.from(v));
      if (t.kind === 'SMALLINT') return make(Int16Array.from(v));
      if (t.kind !== 'BIGINT') return make(v);
      const wide = new BigInt64Array(n);
      const halves = new Uint32Array(wide.buffer);
      for (let i = 0; i < n; i++) { halves[2 * i] = v[i]! >>> 0; halves[2 * i + 1] = v[i]! < 0 ? 0xffffffff : 0; }
      return make(wide);
    }
    case 'int64': {
      zeroNulls(new Int32Array(buffer, 0, 2 * n), valid, 2);
      return make(new BigInt64Array(buffer, 0, n));
    }
    case 'ts-ms': case 'ts-us': case 'ts-ns': return make(timestampMillis(leaf, k, n));
    case 'float': {
      zeroNulls(new Int32Array(buffer, 0, n), valid, 1);
      quietNaNs(new Int32Array(buffer, 0, n), 1);
      const v = new Float32Array(buffer, 0, n);
      return make(t.kind === 'DOUBLE' ? Float64Array.from(v) : v);
    }
    case 'double': {
      zeroNulls(new Int32Array(buffer, 0, 2 * n), valid, 2);
      quietNaNs(new Int32Array(buffer, 0, 2 * n), 2);
      return make(new Float64Array(buffer, 0, n));
    }
    case 'utf8': {
      const o = leaf.offsets!, bytes = leaf.bytes;
      if (!isAscii(bytes)) {
        for (let i = 0; i < n; i++) if (!isUtf8(bytes.subarray(o[i]!, o[i + 1]!))) throw new NotColumnar('a string that is not UTF-8');
      }
      return make(bytes, { valueOffsets: o });
    }
  }
}

const TWO_32 = 4294967296;
const UNIT: Record<'ts-ms' | 'ts-us' | 'ts-ns', number> = { 'ts-ms': 1, 'ts-us': 1000, 'ts-ns': 1_000_000 };

/** Epoch milliseconds (floored) of a timestamp leaf, as a BIGINT-shaped column; NotColumnar out of range. */
function timestampMillis(leaf: LeafValues, k: 'ts-ms' | 'ts-us' | 'ts-ns', n: number): BigInt64Array {
  const unit = UNIT[k];
  const words = new Int32Array(leaf.bytes.buffer, 0, 2 * n);
  const raw = new BigInt64Array(leaf.bytes.buffer, 0, n);
  const out = new BigInt64Array(n);
  const halves = new Uint32Array(out.buffer);
  const valid = leaf.valid;
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    const v = words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
    let ms: number;
    if (Math.abs(v) <= Number.MAX_SAFE_INTEGER) {
      const r = v % unit; // exact, and of v's sign
      ms = (v - r) / unit - (r < 0 ? 1 : 0);
    } else {
      const big = raw[i]!, u = BigInt(unit);
      ms = Number(big / u - (big % u < 0n ? 1n : 0n));
    }
    if (!(Math.abs(ms) <= MAX_TIMESTAMP_MS)) throw new NotColumnar('a timestamp out of range');
    setSafeInt64(halves, i, ms);
  }
  return out;
}

/** A leaf's Map key: its path (the root's leaf `a`, a ROW group's leaf `g` `a`). */
const pathKey = (path: readonly string[]): string => path.join('\u0000');

/**
 * The root's leaf children and the leaves of its groups of scalars (ROW columns), by path (the first
 * of a path), each with its row groups' chunks.
 */
function leaves(meta: FileMetaData, top: readonly FileColumn[]): Map<string, { element: SchemaElement; chunks: ChunkPlace[] }> {
  const out = new Map<string, { element: SchemaElement; chunks: ChunkPlace[] }>();
  const add = (path: string[], element: SchemaElement): void => {
    if (!out.has(pathKey(path))) out.set(pathKey(path), { element, chunks: [] });
  };
  for (const { name, element, leaves: fields } of top) {
    if (!element.num_children) add([name], element);
    else for (const f of fields ?? []) add([name, f.name], f);
  }
  for (const group of meta.row_groups) {
    for (const chunk of group.columns) {
      const m = chunk.meta_data;
      const leaf = m && m.path_in_schema.length <= 2 ? out.get(pathKey(m.path_in_schema)) : undefined;
      if (leaf && !chunk.file_path) leaf.chunks.push({ meta: m!, rows: Number(group.num_rows) });
    }
  }
  return out;
}

/**
 * Leaf `path` read as SQL type `t` (its maximum definition level `maxDef`): its kind and values,
 * each leaf read once however many columns take it; NotColumnar when it does not hold `t` as it is.
 */
type Reader = (t: SqlType, path: readonly string[], maxDef: number) => { kind: LeafKind; values: LeafValues };

/** Where a group is there (undefined: every row), from a leaf of it read with `maxDef` (`groupDef` the group's own level). */
function groupPresent(values: LeafValues, maxDef: number, groupDef: number): Uint8Array | undefined {
  if (maxDef === groupDef) return values.valid;
  return values.defLevels?.map((l) => (l >= groupDef ? 1 : 0));
}

/** Whether two masks of `n` rows say the same (undefined: every row 1). */
function sameMask(a: Uint8Array | undefined, b: Uint8Array | undefined, n: number): boolean {
  for (let i = 0; i < n; i++) if ((a ? a[i] : 1) !== (b ? b[i] : 1)) return false;
  return true;
}

/**
 * ROW column `t` from file group `column`, a group of scalars: each field the leaf of its name (the
 * exact name first, else the first in another case, as the row-by-row read's conversion finds it; a
 * field the group lacks is NULL), the ROW NULL where the group is. Every leaf of the group is read,
 * as the row-by-row read reads them (a string that is not UTF-8 in one the ROW does not name rejects
 * the record there), and they must agree on where the group is. NotColumnar for anything else.
 */
function rowColumn(t: Extract<SqlType, { kind: 'ROW' }>, column: FileColumn, read: Reader, n: number, notNull: boolean): arrow.Data {
  const fields = column.leaves;
  const repetition = column.element.repetition_type;
  if (fields === undefined || (repetition !== 'OPTIONAL' && repetition !== 'REQUIRED')) throw new NotColumnar(`column ${column.name}`);
  // (hyparquet sets a child named __proto__ as the object's prototype: no such field there)
  if (fields.some((e) => e.name === '__proto__')) throw new NotColumnar('a field named __proto__');
  const groupDef = repetition === 'OPTIONAL' ? 1 : 0;
  const used = new Set<SchemaElement>();
  let present: Uint8Array | undefined;
  let seen = false;
  const children = t.fields.map((f) => {
    const lower = f.name.toLowerCase();
    const element = fields.find((e) => e.name === f.name) ?? fields.find((e) => e.name.toLowerCase() === lower);
    if (element === undefined) return allNullColumn(f.type, n);
    used.add(element);
    const maxDef = groupDef + (element.repetition_type !== 'REQUIRED' ? 1 : 0);
    const { kind, values } = read(f.type, [column.name, element.name], maxDef);
    if (groupDef > 0) {
      // the group is there where a leaf's level reaches it (every row, when no level fell short)
      const here = groupPresent(values, maxDef, groupDef);
      if (seen && !sameMask(present, here, n)) throw new NotColumnar(`the leaves of ${column.name} disagree on where it is NULL`);
      present = here;
      seen = true;
    }
    return toColumn(f.type, kind, values, n);
  });
  if (used.size !== fields.length) throw new NotColumnar(`a field of ${column.name} the ROW does not read`);
  // (a group without leaves: where it is NULL is not known here)
  if (groupDef > 0 && !seen) throw new NotColumnar(`a group ${column.name} without leaves`);
  if (notNull && present && present.indexOf(0) >= 0) throw new NotColumnar('a NULL in a NOT NULL column');
  const { bitmap: nullBitmap, nullCount } = present ? bitmapFromMask(present, n) : { bitmap: undefined, nullCount: 0 };
  return arrow.makeData({ type: toArrowType(t) as arrow.Struct, length: n, nullCount, nullBitmap, children });
}

/**
 * The file as a batch of `schema`, column by column, or undefined when a column it reads needs the
 * row-by-row read. `fileColumn[i]` is the file column read into table column i (undefined: NULL).
 * `file` holds the file's bytes from position `base` on; `meta` may name some of its row groups
 * only (a part of the file), whose chunks of the columns read must lie in those bytes.
 */
export function readColumnar(
  file: Uint8Array, meta: FileMetaData, top: readonly FileColumn[], schema: Schema, fileColumn: readonly (string | undefined)[],
  readColumns?: ReadonlySet<string>, base = 0, codecs?: Decompressors,
): DecodeResult | undefined {
  const n = Number(meta.num_rows);
  try {
    const byPath = leaves(meta, top);
    const read = new Map<string, LeafValues>();
    const readAs: Reader = (t, path, maxDef) => {
      const key = pathKey(path);
      const leaf = byPath.get(key);
      const kind = leaf && leaf.element.repetition_type !== 'REPEATED' ? leafKind(leaf.element) : undefined;
      if (!leaf || kind === undefined || !fitsDirectly(t, kind, leaf.element)) throw new NotColumnar(`column ${path.join('.')}`);
      if (leaf.chunks.reduce((s, ch) => s + ch.rows, 0) !== n) throw new NotColumnar('row groups without this column');
      let values = read.get(key);
      if (values === undefined) {
        values = readLeaf(file, base, leaf.element.type as FlatPhysical, maxDef, leaf.chunks, codecs, leaf.element.type_length);
        read.set(key, values);
      }
      return { kind, values };
    };
    const columns = schema.columns.map((c, i) => {
      const name = fileColumn[i];
      const checked = !c.nullable && (!readColumns || readColumns.has(c.name.toLowerCase()));
      if (name === undefined) {
        if (checked && n > 0) throw new NotColumnar('a NOT NULL column the file lacks');
        return allNullColumn(c.type, n);
      }
      // (a name two top-level columns have: the row-by-row read takes the other)
      const named = top.filter((t) => t.name === name);
      if (named.length !== 1) throw new NotColumnar(`${named.length} columns named ${name}`);
      if (c.type.kind === 'ROW') return rowColumn(c.type, named[0]!, readAs, n, checked);
      // (hyparquet reads levels for any repetition but REQUIRED, a missing one included)
      const { kind, values } = readAs(c.type, [name], named[0]!.element.repetition_type !== 'REQUIRED' ? 1 : 0);
      if (checked && values.valid && values.valid.indexOf(0) >= 0) throw new NotColumnar('a NULL in a NOT NULL column');
      return toColumn(c.type, kind, values, n);
    });
    return { batch: batchFromColumns(schema, columns, n), rejected: [], records: n };
  } catch {
    // NotColumnar, or a file damaged in a way the row-by-row read reports (or reads) as it always has
    return undefined;
  }
}
