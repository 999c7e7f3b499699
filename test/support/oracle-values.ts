/**
 * How the oracle compares values of Weir and DuckDB: exact where SQL is exact, with a tolerance only
 * where it is not.
 *
 * - Integers (TINYINT..BIGINT, DuckDB's HUGEINT from SUM): exact. Both sides become canonical
 *   int64-style values: a `number` when a safe integer, else a `bigint` (src/common/int64.ts). An
 *   integral double beyond 2^53 becomes the bigint it exactly is, so Weir's 9007199254740992 for
 *   DuckDB's 9007199254740993 is a difference, not a rounding.
 * - DECIMAL(p, s): exact decimal text at the scale s of DuckDB's result column (`OracleDecimal`).
 *   Weir's value in that column is written at scale s: a string or an object's own toString() is
 *   taken as decimal text, a bigint as an integer. Documented tolerance: while Weir holds DECIMAL as
 *   a double, a number passes for the decimal d at scale s when it is within 1e-12 · max(|d|, 1) of
 *   d (float noise); once DECIMAL is exact (a string, bigint or decimal object) nothing is tolerated.
 *   Only top-level columns are matched this way (a DECIMAL inside a ROW compares as its double).
 * - DOUBLE and FLOAT (any non-integral number): rounded to 9 significant digits (the two engines
 *   sum in different orders).
 * - Timestamps (Date, or the ISO-8601 strings the filesystem sink writes): epoch milliseconds.
 */
import { expect } from 'vitest';
import { canonicalInt64 } from '../../src/common/int64.js';

export type Row = Record<string, unknown>;

/** A DECIMAL value as DuckDB computed it: its unscaled integer and scale, so its text is exact. */
export class OracleDecimal {
  constructor(readonly unscaled: bigint, readonly scale: number) {}

  /** Exact text with exactly `scale` fractional digits ("-0.05", "12.30", "7"). */
  toString(): string {
    return decimalText(this.unscaled, this.scale);
  }
}

/** Exact text of unscaled / 10^scale, with `scale` fractional digits. */
export function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${whole}` : whole;
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * `text` (a decimal number) at `scale` fractional digits, exactly: zeros are padded or dropped; a
 * text with non-zero digits beyond the scale is returned as it is, so the comparison shows it.
 */
export function atScale(text: string, scale: number): string {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return text;
  const [, sign, whole, frac = ''] = m;
  if (/[1-9]/.test(frac.slice(scale))) return text;
  const unscaled = BigInt(whole! + frac.slice(0, scale).padEnd(scale, '0'));
  return decimalText(sign === '-' ? -unscaled : unscaled, scale);
}

/** Weir's value in a DECIMAL(_, scale) column as exact text at that scale (see the header). */
export function weirDecimalText(v: unknown, scale: number): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof OracleDecimal) return atScale(v.toString(), scale);
  if (typeof v === 'bigint') return decimalText(v * 10n ** BigInt(scale), scale);
  if (typeof v === 'number') return doubleAtScale(v, scale);
  if (typeof v === 'string') return atScale(v, scale);
  if (typeof v === 'object' && v.toString !== Object.prototype.toString) return atScale(String(v), scale);
  return v;
}

/** Relative distance a double may be from the decimal it stands for (float noise, not a wrong digit). */
const DOUBLE_DECIMAL_TOLERANCE = 1e-12;

/**
 * A double in a DECIMAL column at `scale`: the text at that scale when the double is that decimal up
 * to float noise, else the double's own digits (so 12.301 does not pass for 12.30).
 */
function doubleAtScale(v: number, scale: number): string {
  if (!Number.isFinite(v)) return String(v);
  const text = v.toFixed(scale);
  return Math.abs(Number(text) - v) <= DOUBLE_DECIMAL_TOLERANCE * Math.max(Math.abs(v), 1) ? atScale(text, scale) : String(v);
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * One value made comparable (see the header). A DECIMAL stays an `OracleDecimal` in a top-level
 * column (compared at its scale by `comparableRows`) and becomes its double when `nested` in a ROW.
 */
export function normalizeValue(v: unknown, nested = false): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof OracleDecimal) return nested ? normalizeValue(Number(v.toString())) : v;
  if (typeof v === 'bigint') return canonicalInt64(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return v;
    if (Number.isInteger(v)) return Number.isSafeInteger(v) ? (v === 0 ? 0 : v) : BigInt(v);
    const r = Number(v.toPrecision(9));
    return r === 0 ? 0 : r;
  }
  if (typeof v === 'string' && ISO_TIMESTAMP.test(v)) return Date.parse(v);
  if (Array.isArray(v)) return v.map((x) => normalizeValue(x, true));
  if (typeof v === 'object') {
    const out: Row = {};
    for (const [k, x] of Object.entries(v as Row)) out[k] = normalizeValue(x, true);
    return out;
  }
  return v;
}

/** Rows with every column normalised (`normalizeValue`). */
export function normalizeRows(rows: readonly Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, normalizeValue(v)])));
}

/** The scale of every top-level column of `rows` that holds a DuckDB DECIMAL. */
export function decimalScales(rows: readonly Row[]): Map<string, number> {
  const scales = new Map<string, number>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (v instanceof OracleDecimal) scales.set(k, v.scale);
  return scales;
}

/** Rows normalised, with the columns of `scales` as exact decimal text. */
export function comparableRows(rows: readonly Row[], scales: ReadonlyMap<string, number>): Row[] {
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      const scale = scales.get(k);
      out[k] = scale === undefined ? normalizeValue(v) : weirDecimalText(v, scale);
    }
    return out;
  });
}

/** A sort key for a normalised value that keeps bigint apart from strings that look like one. */
function sortKey(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? { bigint: x.toString() } : x));
}

/** Rows in a canonical order (by their normalised content, keys sorted), for comparing multisets. */
export function canonical(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => sortKey(Object.keys(r).sort().map((k) => [k, r[k]]));
  return rows.map((r) => [key(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/**
 * `actual` (Weir's) and `expected` (usually DuckDB's, from Oracle.query) hold the same rows, in any
 * order, compared as the header says; the DECIMAL columns are those where `expected` holds DuckDB
 * DECIMALs.
 */
export function expectSameRows(actual: readonly Row[], expected: readonly Row[], message?: string): void {
  const scales = decimalScales(expected);
  const a = canonical(comparableRows(actual, scales));
  const e = canonical(comparableRows(expected, scales));
  expect(a.length, `${message ?? 'rows'}: row count`).toBe(e.length);
  expect(a, message).toEqual(e);
}
