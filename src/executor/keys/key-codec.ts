/**
 * The one key codec: every keyed operator (group and window aggregation, DISTINCT, sessions, stream
 * and lookup joins, Top-N) turns a key's values into one string with it, in the spirit of arrow-rs'
 * RowConverter. The string is a JS Map key and a state store key, and its code units are what
 * key-hash.ts hashes into a key group.
 *
 * Layout, field after field, each starting with a tag code unit:
 * - NULL          tag 0, nothing else
 * - false / true  tags 1 / 2
 * - int64         tag 3, 64 bits two's complement in 5 units (see pushWords)
 * - float64       tag 4, the IEEE bits in 5 units; -0 is written as 0 and every NaN as one NaN
 * - int128        tag 5, two int64 halves (high first): 10 units
 * - string        tag 6, the length in 2 units (15 bits each), then the string's code units as they are
 * - ROW           tag 7, the field count in 1 unit, then each field as above
 * - ARRAY         tag 8, the element count in 2 units, then each element as above
 * - MAP/MULTISET  tag 9, the entry count in 2 units, then each key and value as above, the entries
 *                 in the order of their encoded keys (a map's order is no part of its value)
 *
 * Payload units hold at most 15 bits, so no number ever writes a surrogate code unit: the LMDB store
 * keeps keys without lone surrogates as UTF-8 bytes. Strings are length-prefixed, so any code unit
 * (\u0000, \u0001, a lone surrogate) inside them can never be read as the start of the next field:
 * two keys are equal exactly when their values are.
 *
 * Numbers are tagged by value, not by declared type, so SQL's equality across numeric types holds
 * (an INT 1 and a DOUBLE 1.0 in a join key meet): an integral value within int64 is an int64 (a
 * safe number and the bigint of the same value encode alike; -0 is 0), any other number a float64.
 * DECIMAL is the exception: its values are unscaled integers (common/decimal.ts), int128s here, so
 * a DECIMAL key meets only DECIMAL keys of its own scale (the binder casts join keys to one type).
 */
import type { SqlType } from '../../common/types.js';
import { assertNever, InternalError } from '../../common/errors.js';
import { canonicalInt64 } from '../../common/int64.js';

export const TAG_NULL = 0;
export const TAG_FALSE = 1;
export const TAG_TRUE = 2;
export const TAG_INT64 = 3;
export const TAG_FLOAT64 = 4;
export const TAG_INT128 = 5;
export const TAG_STRING = 6;
export const TAG_ROW = 7;
export const TAG_ARRAY = 8;
export const TAG_MAP = 9;

const TWO_32 = 4294967296;
/** the 15 bits of a unit wordsToUnits cuts an int64 into */
export const MASK15 = 0x7fff;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// little-endian hosts (every Node platform): u32[0] is the low word
const LO = 0, HI = 1;

/** One key field's encoder, chosen from its SQL type. */
export type FieldEncoder = (v: unknown) => string;

/** The 5 units of a 64-bit word pair: 4 + 15 + 15 + 15 + 15 bits, high first. */
export function wordsToUnits(hi: number, lo: number): string {
  return String.fromCharCode(
    hi >>> 28,
    (hi >>> 13) & MASK15,
    ((hi << 2) & 0x7ffc) | (lo >>> 30),
    (lo >>> 15) & MASK15,
    lo & MASK15,
  );
}

function unitsToWords(s: string, at: number): [hi: number, lo: number] {
  const u0 = s.charCodeAt(at), u1 = s.charCodeAt(at + 1), u2 = s.charCodeAt(at + 2), u3 = s.charCodeAt(at + 3), u4 = s.charCodeAt(at + 4);
  const hi = ((u0 << 28) | (u1 << 13) | (u2 >>> 2)) | 0;
  const lo = (((u2 & 3) << 30) | (u3 << 15) | u4) >>> 0;
  return [hi, lo];
}

/** An integral number within ±2^63 (safe or an exact double) as tag + int64 units. */
export function encodeIntegralNumber(v: number): string {
  const hi = Math.floor(v / TWO_32);
  return String.fromCharCode(TAG_INT64) + wordsToUnits(hi | 0, (v - hi * TWO_32) >>> 0);
}

const MASK64 = (1n << 64n) - 1n;
function bigWords(b: bigint): [hi: number, lo: number] {
  const u = b & MASK64;
  return [Number(u >> 32n) | 0, Number(u & 0xffffffffn)];
}

/** A non-integral (or out of int64) number as a float64, with -0 and NaN normalised. */
export function encodeFloat(v: number): string {
  f64[0] = v !== v ? NaN : v === 0 ? 0 : v;
  return String.fromCharCode(TAG_FLOAT64) + wordsToUnits(u32[HI]! | 0, u32[LO]!);
}

const INT64_LIMIT = 9223372036854775808; // 2^63 as a double

/** A number under the value-tag rule: integral within int64 → int64, else float64. */
export function encodeNumber(v: number): string {
  return Number.isInteger(v) && v < INT64_LIMIT && v >= -INT64_LIMIT ? encodeIntegralNumber(v) : encodeFloat(v);
}

function encodeBigint(b: bigint): string {
  if (b >= -(1n << 63n) && b < 1n << 63n) {
    const [hi, lo] = bigWords(b);
    return String.fromCharCode(TAG_INT64) + wordsToUnits(hi, lo);
  }
  return encodeInt128(b);
}

function encodeInt128(b: bigint): string {
  const [hh, hl] = bigWords(b >> 64n);
  const [lh, ll] = bigWords(b);
  return String.fromCharCode(TAG_INT128) + wordsToUnits(hh, hl) + wordsToUnits(lh, ll);
}

export function encodeString(s: string): string {
  const n = s.length;
  return String.fromCharCode(TAG_STRING, (n >>> 15) & MASK15, n & MASK15) + s;
}

const NULL_UNIT = String.fromCharCode(TAG_NULL);
const FALSE_UNIT = String.fromCharCode(TAG_FALSE);
const TRUE_UNIT = String.fromCharCode(TAG_TRUE);

/** A value of no more specific type: by its JS type (numbers by the value-tag rule). */
function encodeAny(v: unknown): string {
  if (v === null || v === undefined) return NULL_UNIT;
  switch (typeof v) {
    case 'number': return encodeNumber(v);
    case 'bigint': return encodeBigint(v);
    case 'string': return encodeString(v);
    case 'boolean': return v ? TRUE_UNIT : FALSE_UNIT;
    default: throw new InternalError(`a key value of no key type: ${typeof v}`);
  }
}

function decimalEncoder(v: unknown): string {
  if (v === null || v === undefined) return NULL_UNIT;
  if (typeof v === 'bigint') return encodeInt128(v);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return encodeFloat(v);
    if (Number.isSafeInteger(v)) {
      const hi = Math.floor(v / TWO_32);
      const sign = v < 0 ? -1 : 0;
      return String.fromCharCode(TAG_INT128) + wordsToUnits(sign, sign >>> 0) + wordsToUnits(hi | 0, (v - hi * TWO_32) >>> 0);
    }
    return encodeInt128(BigInt(v));
  }
  throw new InternalError(`a DECIMAL key value of JS type ${typeof v}`);
}

function rowEncoder(fields: readonly { readonly name: string; readonly type: SqlType }[]): FieldEncoder {
  const encs = fields.map((f) => fieldEncoder(f.type));
  const head = String.fromCharCode(TAG_ROW, fields.length);
  return (v) => {
    if (v === null || v === undefined) return NULL_UNIT;
    if (typeof v !== 'object') throw new InternalError(`a ROW key value of JS type ${typeof v}`);
    const o = v as Record<string, unknown>;
    let s = head;
    for (let f = 0; f < fields.length; f++) s += encs[f]!(o[fields[f]!.name]);
    return s;
  };
}

const countUnits = (n: number): string => {
  if (n > 0x3fffffff) throw new InternalError(`a collection key of ${n} elements`);
  return String.fromCharCode((n >>> 15) & MASK15, n & MASK15);
};

function arrayEncoder(element: SqlType): FieldEncoder {
  const enc = fieldEncoder(element);
  return (v) => {
    if (v === null || v === undefined) return NULL_UNIT;
    const xs = v as readonly unknown[];
    let s = String.fromCharCode(TAG_ARRAY) + countUnits(xs.length);
    for (const x of xs) s += enc(x);
    return s;
  };
}

function mapEncoder(key: SqlType, value: SqlType): FieldEncoder {
  const ek = fieldEncoder(key), ev = fieldEncoder(value);
  return (v) => {
    if (v === null || v === undefined) return NULL_UNIT;
    const entries = [...(v as Map<unknown, unknown>)].map(([k, x]) => [ek(k), ev(x)] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let s = String.fromCharCode(TAG_MAP) + countUnits(entries.length);
    for (const [k, x] of entries) s += k + x;
    return s;
  };
}

/** The encoder of one field of SQL type `t`. */
export function fieldEncoder(t: SqlType): FieldEncoder {
  switch (t.kind) {
    case 'DECIMAL': return decimalEncoder;
    case 'ROW':
      if (t.fields.length > MASK15) throw new InternalError(`a ROW key of ${t.fields.length} fields`);
      return rowEncoder(t.fields);
    case 'ARRAY': return arrayEncoder(t.element);
    case 'MAP': return mapEncoder(t.key, t.value);
    case 'MULTISET': return mapEncoder(t.element, { kind: 'INT' });
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE':
    case 'VARCHAR': case 'DATE': case 'TIMESTAMP': case 'INTERVAL': case 'NULL':
      return encodeAny;
    default:
      return assertNever(t, 'type');
  }
}

/** Reads fields back: `at` moves past what was read. */
class Reader {
  at = 0;
  constructor(private readonly s: string) {}

  field(t: SqlType): unknown {
    const s = this.s;
    const tag = s.charCodeAt(this.at++);
    switch (tag) {
      case TAG_NULL: return null;
      case TAG_FALSE: return false;
      case TAG_TRUE: return true;
      case TAG_INT64: {
        const [hi, lo] = unitsToWords(s, this.at);
        this.at += 5;
        // |value| < 2^53 - 1 for these high words; -2^53 itself is canonically a bigint
        const safe = hi > -0x200000 && hi < 0x200000;
        return safe ? hi * TWO_32 + lo : canonicalInt64((BigInt(hi) << 32n) | BigInt(lo));
      }
      case TAG_FLOAT64: {
        const [hi, lo] = unitsToWords(s, this.at);
        this.at += 5;
        u32[HI] = hi >>> 0;
        u32[LO] = lo;
        return f64[0];
      }
      case TAG_INT128: {
        const [hh, hl] = unitsToWords(s, this.at);
        const [lh, ll] = unitsToWords(s, this.at + 5);
        this.at += 10;
        const b = (BigInt(hh) << 96n) | (BigInt(hl) << 64n) | (BigInt(lh >>> 0) << 32n) | BigInt(ll);
        return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
      case TAG_STRING: {
        const n = (s.charCodeAt(this.at) << 15) | s.charCodeAt(this.at + 1);
        const v = s.slice(this.at + 2, this.at + 2 + n);
        this.at += 2 + n;
        return v;
      }
      case TAG_ROW: {
        if (t.kind !== 'ROW') throw new InternalError(`a ROW in a key of type ${t.kind}`);
        const count = s.charCodeAt(this.at++);
        const o: Record<string, unknown> = {};
        for (let f = 0; f < count; f++) o[t.fields[f]!.name] = this.field(t.fields[f]!.type);
        return o;
      }
      case TAG_ARRAY: {
        if (t.kind !== 'ARRAY') throw new InternalError(`an ARRAY in a key of type ${t.kind}`);
        const count = (s.charCodeAt(this.at) << 15) | s.charCodeAt(this.at + 1);
        this.at += 2;
        const out = new Array<unknown>(count);
        for (let k = 0; k < count; k++) out[k] = this.field(t.element);
        return out;
      }
      case TAG_MAP: {
        if (t.kind !== 'MAP' && t.kind !== 'MULTISET') throw new InternalError(`a MAP in a key of type ${t.kind}`);
        const count = (s.charCodeAt(this.at) << 15) | s.charCodeAt(this.at + 1);
        this.at += 2;
        const out = new Map<unknown, unknown>();
        const kt = t.kind === 'MAP' ? t.key : t.element;
        const vt: SqlType = t.kind === 'MAP' ? t.value : { kind: 'INT' };
        for (let k = 0; k < count; k++) {
          const key = this.field(kt);
          out.set(key, this.field(vt));
        }
        return out;
      }
      default:
        throw new InternalError(`key tag ${tag} at ${this.at - 1} of an encoded key`);
    }
  }

  get done(): boolean {
    return this.at >= this.s.length;
  }
}

/**
 * The codec of one key layout: the SQL types of the key columns. `encode` is for one key of JS
 * values, `encodeColumns` (key-columns.ts) for a whole batch; both give the same string for the
 * same values.
 */
export class KeyCodec {
  readonly encoders: readonly FieldEncoder[];

  constructor(readonly types: readonly SqlType[]) {
    this.encoders = types.map(fieldEncoder);
  }

  encode(values: readonly unknown[]): string {
    const encs = this.encoders;
    if (values.length !== encs.length) throw new InternalError(`a key of ${values.length} values for ${encs.length} key columns`);
    let s = '';
    for (let c = 0; c < encs.length; c++) s += encs[c]!(values[c]);
    return s;
  }

  decode(key: string): unknown[] {
    const r = new Reader(key);
    const out = this.types.map((t) => r.field(t));
    if (!r.done) throw new InternalError(`an encoded key longer than its ${this.types.length} fields`);
    return out;
  }

  /** Whether one key column's values can stand for the key in memory (a JS Map compares them as SQL groups them). */
  get valueIsMapKey(): boolean {
    if (this.types.length !== 1) return false;
    const t = this.types[0]!;
    return t.kind !== 'ROW' && t.kind !== 'DECIMAL' && t.kind !== 'ARRAY' && t.kind !== 'MAP' && t.kind !== 'MULTISET';
  }
}

/** A text naming the layout, for checkpoint fingerprints: a change of it makes old keys unreadable. */
export const KEY_LAYOUT_VERSION = 'keycodec-1';
