/**
 * CAST and TRY_CAST between every pair of scalar types (and ROW to ROW, field by field), as Flink
 * does them:
 * - numbers to integers truncate toward zero; a value outside the target's range is an error;
 * - numbers to DECIMAL(p, s) round half-up to s digits; a value with more than p - s integer digits
 *   becomes NULL (Flink's DecimalData does the same);
 * - text to numbers is trimmed first; '1.9' to INT truncates (as Flink/Hive); text that is not a
 *   number is an error (`cannot cast 'abc' to INT`), or NULL under TRY_CAST;
 * - text to BOOLEAN accepts true/false, t/f, yes/no, y/n, 1/0 (any case); BOOLEAN to text is TRUE/FALSE;
 * - text to DATE/TIMESTAMP accepts 'YYYY-MM-DD[ HH:MM:SS[.fff]]' and ISO-8601 with 'T' and 'Z' or an
 *   offset; TIMESTAMP to text is 'YYYY-MM-DD HH:MM:SS.fff';
 * - TIMESTAMP_LTZ to and from TIMESTAMP/DATE/text goes through the session time zone;
 * - numbers to and from TIMESTAMP are epoch seconds (Flink's legacy rule); INTERVAL is milliseconds.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { isNumeric, typeToString, typesEqual } from '../../common/types.js';
import { canonicalInt64, INT64_MAX, INT64_MIN } from '../../common/int64.js';
import { decimalToText, fitDecimal, textToUnscaled } from '../../common/decimal.js';
import { decimalCaster, roundToUnscaled } from './decimal-cast.js';
import { collectionCaster, collectionText } from './collection-cast.js';
import { int64Lane } from './exact-int.js';
import type { CompileCx } from './node.js';
import type { Alloc } from './pool.js';
import { HEAP } from './pool.js';
import { runtimeError } from './node.js';
import type { Vec } from './vector.js';
import { boolVec, builder, getter, nullVec, numVec, rowVec, StrVec } from './vector.js';
import type { Zone } from './time-util.js';
import {
  daysOf, formatDate, formatTimestamp, instantFromWall, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, padN,
  parseDateTime, wallFromInstant,
} from './time-util.js';

export type Caster = (v: Vec, alloc?: Alloc) => Vec;

const POW10 = Array.from({ length: 39 }, (_, i) => 10 ** i);

/**
 * x rounded half-up (away from zero on a tie) to `scale` decimals. The tie test allows a few ulps of
 * slack, because 1.005 is stored as 1.00499999999999989...: the decimal the user wrote is the tie.
 */
export function roundDecimal(x: number, scale: number): number {
  const u = roundToUnscaled(x, scale);
  return u === undefined ? x : u / (POW10[scale] ?? 10 ** scale); // beyond 2^52 (or NaN, infinite): nothing to round
}

/** Integer digits each integer type needs: a DECIMAL with at least as many holds it unchanged. */
const INT_DIGITS: Partial<Record<SqlType['kind'], number>> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };

/** Casts that change the type but not a single value (widening): no loop at all. */
function isWidening(from: SqlType, to: SqlType): boolean {
  // (a DECIMAL is its unscaled integer: only a cast that keeps the scale keeps the values)
  const fd = INT_DIGITS[from.kind];
  if (fd !== undefined) {
    const td = INT_DIGITS[to.kind];
    if (td !== undefined) return td >= fd;
    if (to.kind === 'DOUBLE') return true;
    if (to.kind === 'DECIMAL') return to.scale === 0 && to.precision >= fd;
    return false;
  }
  if (from.kind === 'FLOAT') return to.kind === 'DOUBLE';
  if (from.kind === 'DECIMAL') {
    return to.kind === 'DECIMAL' && to.scale === from.scale && to.precision >= from.precision;
  }
  return false;
}

const INT_RANGE: Partial<Record<SqlType['kind'], readonly [number, number]>> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INT: [-2147483648, 2147483647],
  BIGINT: [-9223372036854775808, 9223372036854775807],
};

const TRUE_TEXT = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_TEXT = new Set(['false', 'f', 'no', 'n', '0']);
const INT_TEXT = /^[+-]?(\d+)(\.\d*)?$/;
const NUM_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Java's Double.toString: '1.0', '0.001', '1.0E7', '1.0E-4'. */
export function javaDouble(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : s + '.0';
  }
  const [m, e] = x.toExponential().split('e') as [string, string];
  return `${m.includes('.') ? m : m + '.0'}E${Number(e)}`;
}

/** Java's Float.toString: the shortest decimal that reads back as the same float. */
export function javaFloat(x: number): string {
  if (x !== x || !Number.isFinite(x) || x === 0) return javaDouble(x);
  for (let p = 1; p <= 9; p++) {
    const c = Number(x.toPrecision(p));
    if (Math.fround(c) === Math.fround(x)) return javaDouble(c);
  }
  return javaDouble(x);
}

function intervalText(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let a = Math.abs(ms);
  const d = Math.floor(a / MS_PER_DAY); a -= d * MS_PER_DAY;
  const h = Math.floor(a / MS_PER_HOUR); a -= h * MS_PER_HOUR;
  const m = Math.floor(a / MS_PER_MINUTE); a -= m * MS_PER_MINUTE;
  const s = Math.floor(a / 1000);
  return `${sign}${d} ${padN(h, 2)}:${padN(m, 2)}:${padN(s, 2)}.${padN(Math.round(a - s * 1000), 3)}`;
}

/** The text form of one non-null value of type `t` (CAST(x AS VARCHAR)). */
export function valueToText(x: unknown, t: SqlType, zone: Zone): string {
  switch (t.kind) {
    case 'BOOLEAN': return x ? 'TRUE' : 'FALSE';
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': return String(x);
    case 'DOUBLE': return javaDouble(x as number);
    case 'FLOAT': return javaFloat(x as number);
    case 'DECIMAL': return decimalToText(x as number | bigint, t.scale);
    case 'DATE': return formatDate(x as number);
    case 'TIMESTAMP': return formatTimestamp(t.ltz ? wallFromInstant(zone, x as number) : (x as number), Math.min(t.precision, 3));
    case 'INTERVAL': return intervalText(x as number);
    case 'VARCHAR': return x as string;
    case 'ROW': return `(${t.fields.map((f) => {
      const v = (x as Record<string, unknown>)[f.name];
      return v == null ? 'NULL' : valueToText(v, f.type, zone);
    }).join(', ')})`;
    case 'ARRAY': case 'MAP': case 'MULTISET': return collectionText(x, t, (v, et) => (v == null ? 'NULL' : valueToText(v, et, zone)));
    case 'NULL': return 'NULL';
  }
}

/** A cast of vectors of type `from` into vectors of type `to`. */
export function makeCaster(from: SqlType, to: SqlType, isTry: boolean, span: SourceSpan | undefined, cx: CompileCx): Caster {
  if (typesEqual(from, to)) return (v) => v;
  if (from.kind === 'NULL') return (v) => nullVec(to, v.length);
  const zone = cx.zone;
  const fail = (shown: unknown): WeirError =>
    runtimeError(`cannot cast ${typeof shown === 'string' ? `'${shown}'` : String(shown)} to ${typeToString(to)}`, span);

  if (to.kind === 'ROW') {
    if (from.kind !== 'ROW' || from.fields.length !== to.fields.length) {
      throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(to)}`, span);
    }
    const fields = to.fields.map((f, k) => makeCaster(from.fields[k]!.type, f.type, isTry, span, cx));
    return (v) => {
      if (v.kind !== 'row') return v;
      return rowVec(v.length, v.valid, (k) => fields[k]!(v.field(k)));
    };
  }
  if (to.kind === 'ARRAY' || to.kind === 'MAP' || to.kind === 'MULTISET') {
    return collectionCaster(from, to, span, (f, t) => makeCaster(f, t, isTry, span, cx));
  }
  if (from.kind === 'ARRAY' || from.kind === 'MAP' || from.kind === 'MULTISET') {
    if (to.kind === 'VARCHAR') return perValue(from, to, (x) => valueToText(x, from, zone));
    throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(to)}`, span);
  }
  if (from.kind === 'ROW') {
    if (to.kind === 'VARCHAR') return perValue(from, to, (x) => valueToText(x, from, zone));
    throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(to)}`, span);
  }

  // ── numbers and booleans among themselves: typed-array loops ──
  const numberish = (t: SqlType): boolean => isNumeric(t) || t.kind === 'INTERVAL';
  if ((numberish(from) || from.kind === 'BOOLEAN') && (numberish(to) || to.kind === 'BOOLEAN')) {
    if ((from.kind === 'DECIMAL' || to.kind === 'DECIMAL') && !isWidening(from, to)) {
      // too many integer digits for a DECIMAL is NULL (Flink); for an integer, an error as any CAST
      return decimalCaster(from, to, isTry, span, to.kind === 'DECIMAL' ? null : undefined);
    }
    if (isWidening(from, to)) {
      // BIGINT beyond 2^53 into DOUBLE/DECIMAL: the double is the value now (its int64 lane goes)
      return from.kind === 'BIGINT' && to.kind !== 'BIGINT' ? (v) => (v.kind === 'num' && v.big ? numVec(v.values, v.valid) : v) : (v) => v;
    }
    return numericCaster(from, to, isTry, fail);
  }

  // ── DECIMAL and time: through DOUBLE (numbers and time convert as doubles) ──
  if (from.kind === 'DECIMAL' && to.kind !== 'VARCHAR') {
    const toDouble = decimalCaster(from, { kind: 'DOUBLE' }, isTry, span), next = makeCaster({ kind: 'DOUBLE' }, to, isTry, span, cx);
    return (v, alloc) => next(toDouble(v, alloc), alloc);
  }
  if (to.kind === 'DECIMAL' && from.kind !== 'VARCHAR') {
    const toDouble = makeCaster(from, { kind: 'DOUBLE' }, isTry, span, cx), next = decimalCaster({ kind: 'DOUBLE' }, to, isTry, span);
    return (v, alloc) => next(toDouble(v, alloc), alloc);
  }

  // ── to text ──
  if (to.kind === 'VARCHAR') return perValue(from, to, (x) => valueToText(x, from, zone));

  // ── from text ──
  if (from.kind === 'VARCHAR') {
    const parse = textParser(to, zone);
    return (v) => {
      const s = v as StrVec;
      const n = s.length;
      const valid = new Uint8Array(n);
      const sv = s.valid;
      if (to.kind === 'BOOLEAN') {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          if (sv !== null && sv[i] !== 1) continue;
          const r = parse(s.get(i));
          if (r === null) { if (isTry) continue; throw fail(s.get(i)); }
          out[i] = r as number; valid[i] = 1;
        }
        return boolVec(out, valid);
      }
      const out = new Float64Array(n);
      let wide: Map<number, bigint> | undefined; // BIGINT text beyond 2^53
      for (let i = 0; i < n; i++) {
        if (sv !== null && sv[i] !== 1) continue;
        const r = parse(s.get(i));
        if (r === null) { if (isTry) continue; throw fail(s.get(i)); }
        if (typeof r === 'bigint') { (wide ??= new Map()).set(i, r); out[i] = Number(r); } else out[i] = r;
        valid[i] = 1;
      }
      return numVec(out, valid, wide && int64Lane(out, valid, wide));
    };
  }

  // ── temporal ──
  const conv = temporalConverter(from, to, zone);
  if (conv) {
    return (v) => {
      if (v.kind !== 'num') return v;
      const n = v.length, x = v.values;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = conv(x[i]!);
      return numVec(out, v.valid);
    };
  }
  throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(to)}`, span);
}

function perValue(from: SqlType, to: SqlType, f: (x: unknown) => unknown): Caster {
  return (v) => {
    const g = getter(v, from);
    const b = builder(to, v.length);
    for (let i = 0; i < v.length; i++) { const x = g(i); b.set(i, x === null ? null : f(x)); }
    return b.finish();
  };
}

function numericCaster(from: SqlType, to: SqlType, isTry: boolean, fail: (x: unknown) => WeirError): Caster {
  if (to.kind === 'BOOLEAN') {
    return (v) => {
      const x = (v as { values: Float64Array }).values, n = v.length;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
      return boolVec(out, v.valid);
    };
  }
  const range = INT_RANGE[to.kind];
  const fromInt = INT_RANGE[from.kind] !== undefined || from.kind === 'BOOLEAN';
  return (v, alloc = HEAP) => {
    const n = v.length;
    const src = v.kind === 'bool' ? Float64Array.from(v.values) : (v as { values: Float64Array }).values;
    const out = alloc.f64(n);
    let valid = v.valid;
    const drop = (i: number): void => {
      if (valid === v.valid) valid = v.valid ? v.valid.slice() : new Uint8Array(n).fill(1);
      valid![i] = 0;
    };
    if (range) {
      const [lo, hi] = range;
      let wide: Map<number, bigint> | undefined; // a double beyond 2^53 cast to BIGINT: the integer it is
      for (let i = 0; i < n; i++) {
        const x = fromInt ? src[i]! : Math.trunc(src[i]!);
        // BIGINT's upper bound 2^63 - 1 is 2^63 as a double: 2^63 itself is out of range
        if (!(x >= lo && (to.kind === 'BIGINT' ? x < hi : x <= hi))) {
          if (v.valid !== null && v.valid[i] !== 1) continue;
          if (isTry) { drop(i); continue; }
          throw fail(src[i]!);
        }
        out[i] = x;
        if (to.kind === 'BIGINT' && !fromInt && (x > Number.MAX_SAFE_INTEGER || x < -Number.MAX_SAFE_INTEGER)) (wide ??= new Map()).set(i, BigInt(x));
      }
      if (wide) return numVec(out, valid, int64Lane(out, valid, wide));
      if (to.kind === 'BIGINT' && v.kind === 'num' && v.big) return numVec(out, valid, v.big);
    } else if (to.kind === 'FLOAT') {
      for (let i = 0; i < n; i++) out[i] = Math.fround(src[i]!);
    } else {
      out.set(src);
    }
    return numVec(out, valid);
  };
}


/**
 * A parser from trimmed text to the number (or 0/1) a value of type `to` is held as (a bigint for a
 * BIGINT beyond 2^53); null = invalid.
 */
function textParser(to: SqlType, zone: Zone): (s: string) => number | bigint | null {
  switch (to.kind) {
    case 'BOOLEAN':
      return (s) => {
        const t = s.trim().toLowerCase();
        return TRUE_TEXT.has(t) ? 1 : FALSE_TEXT.has(t) ? 0 : null;
      };
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      const [lo, hi] = INT_RANGE[to.kind]!;
      return (s) => {
        const m = INT_TEXT.exec(s.trim());
        if (!m) return null;
        if (m[1]!.length > 15) {
          // exactly: the digits before the point (a double would round them)
          const b = BigInt(m[1]!) * (m[0].startsWith('-') ? -1n : 1n);
          const [loB, hiB] = to.kind === 'BIGINT' ? [INT64_MIN, INT64_MAX] : [BigInt(lo), BigInt(hi)];
          return b >= loB && b <= hiB ? canonicalInt64(b) : null;
        }
        const x = Math.trunc(Number(m[0]));
        return x >= lo && x <= hi ? x : null;
      };
    }
    case 'DECIMAL':
      return (s) => {
        const u = textToUnscaled(s, to.scale);
        return u === undefined ? null : fitDecimal(u, to.precision) ?? null;
      };
    case 'FLOAT': case 'DOUBLE': case 'INTERVAL':
      return (s) => {
        const t = s.trim();
        let x: number;
        if (NUM_TEXT.test(t)) x = Number(t);
        else if (/^[+-]?(NaN|Infinity)$/.test(t)) x = Number(t);
        else return null;
        if (to.kind === 'FLOAT') return Math.fround(x);
        return x;
      };
    case 'DATE':
      return (s) => {
        const p = parseDateTime(s);
        return p === null || p.hasTime ? null : daysOf(p.wall);
      };
    case 'TIMESTAMP':
      return (s) => {
        const p = parseDateTime(s);
        if (p === null) return null;
        if (p.offset !== null) return to.ltz ? p.wall - p.offset : p.wall - p.offset;
        return to.ltz ? instantFromWall(zone, p.wall) : p.wall;
      };
    default:
      return () => null;
  }
}

/** Conversions among DATE, TIMESTAMP, TIMESTAMP_LTZ and numbers (ms / days / epoch seconds). */
function temporalConverter(from: SqlType, to: SqlType, zone: Zone): ((x: number) => number) | null {
  const numeric = (t: SqlType): boolean => isNumeric(t) || t.kind === 'INTERVAL';
  if (from.kind === 'TIMESTAMP' && to.kind === 'TIMESTAMP') {
    const step = 10 ** Math.max(0, 3 - to.precision);
    const trunc = (x: number): number => (step === 1 ? x : Math.floor(x / step) * step);
    if (from.ltz === to.ltz) return trunc;
    return from.ltz ? (x) => trunc(wallFromInstant(zone, x)) : (x) => instantFromWall(zone, trunc(x));
  }
  if (from.kind === 'DATE' && to.kind === 'TIMESTAMP') {
    return to.ltz ? (d) => instantFromWall(zone, d * MS_PER_DAY) : (d) => d * MS_PER_DAY;
  }
  if (from.kind === 'TIMESTAMP' && to.kind === 'DATE') {
    return from.ltz ? (x) => daysOf(wallFromInstant(zone, x)) : daysOf;
  }
  if (from.kind === 'TIMESTAMP' && numeric(to)) return to.kind === 'INTERVAL' ? (x) => x : (x) => Math.floor(x / 1000);
  if (numeric(from) && to.kind === 'TIMESTAMP') return from.kind === 'INTERVAL' ? (x) => x : (x) => Math.trunc(x * 1000);
  if (from.kind === 'DATE' && numeric(to)) return (d) => d;
  if (numeric(from) && to.kind === 'DATE') return (d) => Math.floor(d);
  return null;
}
