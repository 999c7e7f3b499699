/**
 * Arrow columns to and from JS values, and the few whole-column operations every layer needs
 * (take rows by index, concatenate). Hot paths (operators, kernels, the generator) build typed arrays
 * themselves; these helpers serve edges: API rows, JSON/CSV decoding, printing, tests.
 *
 * JS values per SQL type follow common/types.ts: numbers for every numeric and temporal type
 * (BIGINT canonical as int64.ts says: a number when safe, a bigint beyond 2^53), strings for VARCHAR,
 * booleans, plain objects for ROW, null for NULL.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from './errors.js';
import type { Schema } from './schema.js';
import { toArrowSchema } from './schema.js';
import { assertNever } from './errors.js';
import type { SqlType } from './types.js';
import './arrow-binding.js';
import { fromArrowField, isWideDecimal, SQL_TYPE_METADATA_KEY, T, toArrowType } from './types.js';
import { decimal128FromValues, int128At } from './decimal128.js';
import { decimalToApi, doubleToUnscaled, pow10Big, textToUnscaled } from './decimal.js';
import { takeData } from './take.js';
import { canonicalInt64 } from './int64.js';
import { collectionColumn, collectionValueAt, concatCollections, mapEntries, multisetOf } from './collections.js';

const encoder = new TextEncoder();

/**
 * The text of UTF-8 bytes [a, z) of `bytes`, as a Buffer view reads it: no view made per value, and
 * Node's decoder, about 1.5 times TextDecoder's speed on short cells (a MAX of a VARCHAR column reads
 * every value). Invalid bytes become U+FFFD as with TextDecoder; a leading U+FEFF is kept (a
 * default TextDecoder drops it, so a value that began with one lost it).
 */
export function utf8Text(bytes: Uint8Array, a: number, z: number): string {
  return utf8Slice(asBuffer(bytes), a, z);
}

type Slicing = Buffer & { utf8Slice?(a: number, z: number): string };
/**
 * Buffer's own utf8Slice (what toString('utf8', a, z) calls after checking its arguments: the checks
 * cost half as much as the decoding on short cells), where this Node has it.
 */
const utf8Slice: (b: Buffer, a: number, z: number) => string = typeof (Buffer.prototype as Slicing).utf8Slice === 'function'
  ? (b, a, z) => (b as Slicing).utf8Slice!(a, z)
  : (b, a, z) => b.toString('utf8', a, z);

/** `bytes` as a Buffer over the same memory (itself when it is one) */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const isValidAt = (d: arrow.Data, i: number): boolean => {
  const bm = d.nullBitmap;
  if (!bm || d.nullCount === 0 || bm.length === 0) return true;
  const j = d.offset + i;
  return ((bm[j >> 3]! >> (j & 7)) & 1) === 1;
};

/** A validity bitmap from a byte-per-row mask (1 = valid); undefined when every row is valid. */
export function bitmapFromMask(valid: Uint8Array, length: number): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nulls = 0;
  for (let i = 0; i < length; i++) if (valid[i] === 0) nulls++;
  if (nulls === 0) return { bitmap: undefined, nullCount: 0 };
  const bm = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (valid[i] !== 0) bm[i >> 3]! |= 1 << (i & 7);
  return { bitmap: bm, nullCount: nulls };
}

/** Build one Arrow column of SQL type `t` from JS values (null/undefined = NULL). */
export function columnFromValues(t: SqlType, values: readonly unknown[]): arrow.Data {
  const n = values.length;
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) valid[i] = values[i] === null || values[i] === undefined ? 0 : 1;
  const { bitmap, nullCount } = bitmapFromMask(valid, n);
  const type = toArrowType(t);
  const base = { type, length: n, nullCount, nullBitmap: bitmap } as const;
  switch (t.kind) {
    case 'BOOLEAN': {
      const bytes = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (values[i]) bytes[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ ...base, type: type as arrow.Bool, data: bytes });
    }
    case 'TINYINT': return arrow.makeData({ ...base, type: type as arrow.Int8, data: Int8Array.from(values, num) });
    case 'SMALLINT': return arrow.makeData({ ...base, type: type as arrow.Int16, data: Int16Array.from(values, num) });
    case 'INT': return arrow.makeData({ ...base, type: type as arrow.Int32, data: Int32Array.from(values, num) });
    case 'DATE': return arrow.makeData({ ...base, type: type as arrow.DateDay, data: Int32Array.from(values, num) });
    case 'BIGINT': return arrow.makeData({ ...base, type: type as arrow.Int64, data: int64FromValues(values) });
    case 'TIMESTAMP':
      return arrow.makeData({ ...base, type: type as arrow.TimestampMillisecond, data: int64FromValues(values) });
    case 'FLOAT': return arrow.makeData({ ...base, type: type as arrow.Float32, data: Float32Array.from(values, num) });
    case 'DECIMAL':
      return isWideDecimal(t) ? decimal128FromValues(values, t.precision, t.scale)
        : arrow.makeData({ ...base, type: type as arrow.Int64, data: BigInt64Array.from(values, big) });
    case 'DOUBLE': case 'INTERVAL':
      return arrow.makeData({ ...base, type: type as arrow.Float64, data: Float64Array.from(values, num) });
    case 'VARCHAR': return utf8FromStrings(values as readonly (string | null | undefined)[], bitmap, nullCount);
    case 'ROW': {
      const children = t.fields.map((f) =>
        columnFromValues(f.type, values.map((v) => (v == null ? null : (v as Record<string, unknown>)[f.name]))),
      );
      return arrow.makeData({ ...base, type: type as arrow.Struct, children });
    }
    case 'ARRAY': case 'MAP': case 'MULTISET': return collectionColumn(t, values, { bitmap, nullCount }, columnFromValues);
    case 'NULL': return arrow.makeData({ type: new arrow.Null(), length: n, nullCount: n });
    default: return assertNever(t, 'type');
  }
}

function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return Number(v);
}

function big(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (v instanceof Date) return BigInt(v.getTime());
  const x = Number(v);
  return Number.isFinite(x) ? BigInt(Math.trunc(x)) : 0n;
}

/**
 * An int64 column from JS values: a safe integer is written as its two 32-bit halves (no BigInt
 * made per value, which costs more than the rest of building the column), anything else through
 * `big`.
 */
function int64FromValues(values: readonly unknown[]): BigInt64Array {
  const n = values.length;
  const out = new BigInt64Array(n);
  const w = new Int32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      w[2 * i] = v | 0; // the low 32 bits (ToInt32 is v mod 2^32), two's complement
      w[2 * i + 1] = Math.floor(v / 4294967296);
    } else if (v !== null && v !== undefined) out[i] = big(v);
  }
  return out;
}

/**
 * `s` as UTF-8 into `out` at `at` (room for 3 bytes a UTF-16 unit assumed): the bytes written. An
 * ASCII prefix byte by byte, the rest (if any) by the encoder.
 */
export function writeUtf8(s: string, out: Uint8Array, at: number): number {
  const len = s.length;
  let j = 0;
  for (; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c >= 0x80) break;
    out[at + j] = c;
  }
  return j < len ? j + encoder.encodeInto(s.slice(j), out.subarray(at + j)).written : len;
}

export function utf8FromStrings(
  values: readonly (string | null | undefined)[],
  bitmap?: Uint8Array,
  nullCount = 0,
): arrow.Data<arrow.Utf8> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let chars = 0;
  for (let i = 0; i < n; i++) chars += values[i]?.length ?? 0;
  // ASCII text takes a byte a character; a longer text grows the buffer
  let bytes = new Uint8Array(chars + 16);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    if (s != null) {
      const len = s.length;
      if (total + len * 3 > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, total + len * 3));
        grown.set(bytes.subarray(0, total));
        bytes = grown;
      }
      total += writeUtf8(s, bytes, total);
    }
    offsets[i + 1] = total;
  }
  if (total < bytes.length) bytes = bytes.slice(0, total);
  if (bitmap === undefined && nullCount === 0) {
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = values[i] == null ? 0 : 1;
    ({ bitmap, nullCount } = bitmapFromMask(valid, n));
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: n, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes });
}

/** makeData for a type known only at run time (typed-array columns of any width). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const makeAny = arrow.makeData as (props: any) => arrow.Data;

/** The JS value at row i of a column (see the value table in common/types.ts). */
export function valueAt(d: arrow.Data, i: number): unknown {
  if (!isValidAt(d, i)) return null;
  // arrow-js slices value buffers, offsets and struct children with the Data; only bitmaps
  // (validity, Bool values) are addressed through `offset`.
  switch (d.typeId) {
    case arrow.Type.Bool: {
      const j = d.offset + i;
      return ((d.values[j >> 3]! >> (j & 7)) & 1) === 1;
    }
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const v = d.values[i];
      return typeof v === 'bigint' ? (d.values instanceof BigInt64Array ? canonicalInt64(v) : Number(v)) : v;
    }
    case arrow.Type.Utf8: {
      const o = d.valueOffsets!;
      return utf8Text(d.values as Uint8Array, o[i]!, o[i + 1]!);
    }
    case arrow.Type.Struct: {
      const out: Record<string, unknown> = {};
      const fields = (d.type as arrow.Struct).children;
      for (let c = 0; c < fields.length; c++) out[fields[c]!.name] = valueAt(d.children[c]!, i);
      return out;
    }
    case arrow.Type.List: case arrow.Type.Map: return collectionValueAt(d, i, valueAt);
    case arrow.Type.Null: return null;
    case arrow.Type.Decimal: return canonicalInt64(int128At(d.values as Uint32Array, i)); // DECIMAL(p > 18), unscaled
    case arrow.Type.Dictionary: {
      // dictionary-encoded columns (apache-arrow's tableFromArrays makes strings so): the value the
      // index points at, in whichever chunk of the dictionary holds it
      let k = Number(d.values[i]);
      for (const chunk of d.dictionary!.data) {
        if (k < chunk.length) return valueAt(chunk, k);
        k -= chunk.length;
      }
      throw new InternalError(`dictionary index ${Number(d.values[i])} out of range`);
    }
    default: throw new InternalError(`no JS value for Arrow type ${String(d.type)}`);
  }
}

/** A record batch as row objects: for edges (API, printing, tests), never hot paths. */
export function batchToRows(b: arrow.RecordBatch): Record<string, unknown>[] {
  const names = b.schema.fields.map((f) => f.name);
  // (only Weir's DECIMAL columns change on the way out; a field of another library's type stays as read)
  const types = b.schema.fields.map((f): SqlType => (f.metadata.has(SQL_TYPE_METADATA_KEY) || f.type.typeId === arrow.Type.Struct || f.type.typeId === arrow.Type.List || f.type.typeId === arrow.Type.Map ? fromArrowField(f) : T.NULL));
  const cols = b.data.children;
  const rows: Record<string, unknown>[] = new Array(b.numRows);
  for (let i = 0; i < b.numRows; i++) {
    const r: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) r[names[c]!] = toApiValue(valueAt(cols[c]!, i), types[c]!);
    rows[i] = r;
  }
  return rows;
}

function hasDecimal(t: SqlType): boolean {
  switch (t.kind) {
    case 'DECIMAL': return true;
    case 'ROW': return t.fields.some((f) => hasDecimal(f.type));
    case 'ARRAY': case 'MULTISET': return hasDecimal(t.element);
    case 'MAP': return hasDecimal(t.key) || hasDecimal(t.value);
    default: return false;
  }
}

/** An ARRAY's, MAP's or MULTISET's value with `f` applied to each element (key, value). */
function mapCollection(v: unknown, t: SqlType, f: (v: unknown, t: SqlType) => unknown): unknown {
  if (t.kind === 'ARRAY') return Array.isArray(v) ? v.map((e) => f(e, t.element)) : v;
  if (t.kind === 'MAP') return new Map(mapEntries(v).map(([k, x]) => [f(k, t.key), f(x, t.value)]));
  if (t.kind === 'MULTISET') return new Map([...multisetOf(v)].map(([k, c]) => [f(k, t.element), c]));
  return v;
}

/** A column's JS value as the API shows it: a DECIMAL's unscaled integer as its number or text (decimal.ts). */
export function toApiValue(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined || !hasDecimal(t)) return v;
  if (t.kind === 'DECIMAL') return decimalToApi(v as number | bigint, t.scale);
  if (t.kind === 'ROW') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of t.fields) out[f.name] = toApiValue(o[f.name], f.type);
    return out;
  }
  return mapCollection(v, t, toApiValue);
}

/** The inverse of toApiValue: a number, text or bigint for a DECIMAL as its unscaled integer. */
export function fromApiValue(v: unknown, t: SqlType): unknown {
  if (v === null || v === undefined || !hasDecimal(t)) return v;
  if (t.kind === 'DECIMAL') {
    const u = typeof v === 'bigint' ? v * pow10Big(t.scale) : typeof v === 'number' ? doubleToUnscaled(v, t.scale) : textToUnscaled(String(v), t.scale);
    return u === undefined ? null : canonicalInt64(u);
  }
  if (t.kind === 'ROW' && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of t.fields) out[f.name] = fromApiValue(o[f.name], f.type);
    return out;
  }
  return typeof v === 'object' ? mapCollection(v, t, fromApiValue) : v;
}

/** Row objects (keyed by column name, matched case-insensitively) into one batch of `schema`. */
export function rowsToBatch(schema: Schema, rows: readonly Record<string, unknown>[]): arrow.RecordBatch {
  const cols = schema.columns.map((c) => {
    const lower = c.name.toLowerCase();
    const values = rows.map((r) => {
      if (c.name in r) return r[c.name];
      for (const k of Object.keys(r)) if (k.toLowerCase() === lower) return r[k];
      return null;
    });
    return columnFromValues(c.type, values.map((v) => fromApiValue(v, c.type)));
  });
  return batchFromColumns(schema, cols, rows.length);
}

export function batchFromColumns(schema: Schema | arrow.Schema, columns: readonly arrow.Data[], length: number): arrow.RecordBatch {
  const s = schema instanceof arrow.Schema ? schema : toArrowSchema(schema);
  const struct = arrow.makeData({ type: new arrow.Struct(s.fields), length, nullCount: 0, children: columns as arrow.Data[] });
  return new arrow.RecordBatch(s, struct);
}

// Take rows by index (the filter kernel) lives in take.ts; it is exported from here as before.
export { takeBatch, takeData } from './take.js';

/** A column of `length` nulls of SQL type `t`. */
export function nullColumn(t: SqlType, length: number): arrow.Data {
  return columnFromValues(t, new Array(length).fill(null));
}

/** Concatenate batches of one schema into one batch (an empty batch when there are none). */
export function concatBatches(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): arrow.RecordBatch {
  if (batches.length === 1) return batches[0]!;
  if (batches.length === 0) {
    return new arrow.RecordBatch(schema, arrow.makeData({
      type: new arrow.Struct(schema.fields), length: 0, nullCount: 0,
      children: schema.fields.map((f) => emptyData(f.type)),
    }));
  }
  const total = batches.reduce((s, b) => s + b.numRows, 0);
  const indexChunks = batches.map((b) => b.numRows);
  const columns = schema.fields.map((_, c) => {
    const parts = batches.map((b) => b.data.children[c]!);
    return concatData(parts, indexChunks, total);
  });
  return batchFromColumns(schema, columns, total);
}

function emptyData(t: arrow.DataType): arrow.Data {
  if (t.typeId === arrow.Type.Decimal) return makeAny({ type: t, length: 0, nullCount: 0, data: new Uint32Array(0) });
  return new arrow.Table({ x: arrow.vectorFromArray([], t) }).batches[0]?.data.children[0]
    ?? arrow.makeData({ type: t as arrow.Null, length: 0, nullCount: 0 });
}

function concatData(parts: readonly arrow.Data[], lengths: readonly number[], total: number): arrow.Data {
  // Normalise every part to offset 0 (takeData), then join the buffers.
  const chunks: arrow.Data[] = [];
  for (let p = 0; p < parts.length; p++) {
    const idx = new Uint32Array(lengths[p]!);
    for (let i = 0; i < idx.length; i++) idx[i] = i;
    chunks.push(takeData(parts[p]!, idx));
  }
  return mergeContiguous(chunks, total);
}

function mergeContiguous(chunks: readonly arrow.Data[], total: number): arrow.Data {
  const first = chunks[0]!;
  const valid = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) valid[pos + i] = isValidAt(c, i) ? 1 : 0;
    pos += c.length;
  }
  const { bitmap, nullCount } = bitmapFromMask(valid, total);
  const base = { type: first.type, length: total, nullCount, nullBitmap: bitmap };
  switch (first.typeId) {
    case arrow.Type.Bool: {
      const out = new Uint8Array((total + 7) >> 3);
      let p = 0;
      for (const c of chunks) {
        for (let i = 0; i < c.length; i++, p++) if ((c.values[i >> 3]! >> (i & 7)) & 1) out[p >> 3]! |= 1 << (p & 7);
      }
      return arrow.makeData({ ...base, type: first.type as arrow.Bool, data: out });
    }
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const Ctor = (first.values as Float64Array).constructor as { new (n: number): Float64Array };
      const out = new Ctor(total);
      let p = 0;
      for (const c of chunks) { out.set(c.values as Float64Array, p); p += c.length; }
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Decimal: { // four 32-bit words a value (decimal128.ts)
      const out = new Uint32Array(total * 4);
      let p = 0;
      for (const c of chunks) { out.set((c.values as Uint32Array).subarray(0, c.length * 4), p * 4); p += c.length; }
      return makeAny({ ...base, data: out });
    }
    case arrow.Type.Utf8: {
      let bytesTotal = 0;
      for (const c of chunks) bytesTotal += c.valueOffsets![c.length]!;
      const bytes = new Uint8Array(bytesTotal);
      const offsets = new Int32Array(total + 1);
      let p = 0, b = 0;
      for (const c of chunks) {
        const o = c.valueOffsets!;
        bytes.set((c.values as Uint8Array).subarray(0, o[c.length]!), b);
        for (let i = 1; i <= c.length; i++) offsets[p + i] = b + o[i]!;
        p += c.length;
        b += o[c.length]!;
      }
      return arrow.makeData({ ...base, type: first.type as arrow.Utf8, valueOffsets: offsets, data: bytes });
    }
    case arrow.Type.Struct: {
      const children = (first.type as arrow.Struct).children.map((_, k) => mergeContiguous(chunks.map((c) => c.children[k]!), total));
      return arrow.makeData({ ...base, type: first.type as arrow.Struct, children });
    }
    case arrow.Type.List: case arrow.Type.Map:
      return concatCollections(chunks, total, base, (children, length) => mergeContiguous(children, length));
    case arrow.Type.Null:
      return arrow.makeData({ type: new arrow.Null(), length: total, nullCount: total });
    default:
      throw new InternalError(`concat: Arrow type ${String(first.type)} is not supported`);
  }
}

/**
 * A fast reader of one column's JS values (see valueAt), specialised once per column so a loop over
 * rows does no type dispatch: typed-array reads for numbers, lazy decoding for strings.
 */
export function readerFor(d: arrow.Data): (i: number) => unknown {
  const off = d.offset;
  const bm = d.nullCount > 0 && d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : undefined;
  const valid = bm ? (i: number): boolean => ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1 : undefined;
  let read: (i: number) => unknown;
  switch (d.typeId) {
    case arrow.Type.Int: case arrow.Type.Float: case arrow.Type.Date: case arrow.Type.Timestamp: {
      const vals = d.values as ArrayLike<number | bigint>;
      if (vals instanceof BigInt64Array || vals instanceof BigUint64Array) {
        // Two 32-bit halves, combined with one rounding like Number(bigint), without a BigInt per read.
        const w = new Int32Array(vals.buffer, vals.byteOffset, vals.length * 2);
        // (a value below 2^32 skips the multiplication: small integers stay small integers in V8, cheaper as Map keys)
        // A high word outside [-2^21, 2^21) is a value beyond 2^53: read it exactly, as a bigint.
        read = vals instanceof BigInt64Array
          ? (i) => {
            const hi = w[2 * i + 1]!, lo = w[2 * i]! >>> 0;
            if (hi === 0) return lo;
            return hi < 2097152 && hi > -2097152 ? hi * 4294967296 + lo : canonicalInt64(vals[i] as bigint);
          }
          : (i) => (w[2 * i + 1]! >>> 0) * 4294967296 + (w[2 * i]! >>> 0);
      } else {
        read = (i) => vals[i];
      }
      break;
    }
    case arrow.Type.Bool: {
      const bytes = d.values as Uint8Array;
      read = (i) => ((bytes[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
      break;
    }
    case arrow.Type.Utf8: {
      const o = d.valueOffsets!;
      const bytes = asBuffer(d.values as Uint8Array);
      read = (i) => utf8Slice(bytes, o[i]!, o[i + 1]!);
      break;
    }
    default:
      read = (i) => valueAt(d, i);
      return read;
  }
  return valid ? (i) => (valid(i) ? read(i) : null) : read;
}
