/**
 * Exact DECIMAL(p, s) values.
 *
 * A DECIMAL is held as its unscaled integer (12.34 in DECIMAL(5, 2) is 1234), and as a JS value in
 * the canonical form of int64.ts: a number when safe, a bigint beyond 2^53 (for DECIMAL(p > 18) a
 * bigint of up to 38 digits). Arithmetic on unscaled integers is exact, as DuckDB's is; rounding (to
 * a smaller scale, in division) is half away from zero.
 *
 * Storage: DECIMAL(p <= 18) is an Int64 Arrow column (the field's metadata keeps the SQL type): every
 * 18-digit value fits an int64, so the kernels' fast paths (doubles, an int64 lane beyond 2^53) serve
 * them unchanged. DECIMAL(19..38) is an Arrow Decimal128 column (decimal128.ts), the type DuckDB,
 * Parquet and Flink readers take as is, and in a vector an exact lane of bigints (vector.ts). A value
 * beyond its precision (at most 38 digits) fails the query with the value, never rounds.
 *
 * At the API's edge (rows read from a memory sink, values handed to a JS function) a DECIMAL is a JS
 * number when the number's shortest text is the decimal itself (up to 15 significant digits), else the
 * decimal's exact text as a string, so no digit is ever lost on the way out.
 */
import { canonicalInt64, type Int64Value } from './int64.js';

const POW10_BIG: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));
const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

export const pow10Big = (k: number): bigint => POW10_BIG[k] ?? 10n ** BigInt(k);
/** 10^k as a double: exact up to 10^22. */
export const pow10 = (k: number): number => POW10[k] ?? 10 ** k;

/** The most digits a DECIMAL holds (DuckDB's and Flink's limit). */
export const DECIMAL_MAX_PRECISION = 38;
/** The most digits a DECIMAL held in an Int64 column has (every 18-digit integer fits an int64). */
export const DECIMAL_INT64_PRECISION = 18;

/** The largest unscaled value of DECIMAL(p, s): 10^p - 1. */
export function decimalMaxUnscaled(precision: number): bigint {
  return pow10Big(Math.min(precision, DECIMAL_MAX_PRECISION)) - 1n;
}

/** n / d rounded half away from zero (d > 0 or d < 0, never 0). */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  const q = n / d; // truncated
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const ad = d < 0n ? -d : d;
  if (twice < ad) return q;
  return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
}

/** An unscaled value moved from scale `from` to scale `to` (rounding half up when it shrinks). */
export function rescale(u: bigint, from: number, to: number): bigint {
  if (to === from) return u;
  return to > from ? u * pow10Big(to - from) : divRoundHalfUp(u, pow10Big(from - to));
}

/** The exact text of an unscaled value at `scale`: 1234 at scale 2 is '12.34', -5 at 3 is '-0.005'. */
export function decimalToText(u: Int64Value | bigint, scale: number): string {
  let digits = (typeof u === 'bigint' ? u : BigInt(u)).toString();
  const negative = digits.startsWith('-');
  if (negative) digits = digits.slice(1);
  if (scale === 0) return (negative ? '-' : '') + digits;
  digits = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled value of decimal text at `scale`, rounded half up ('1.005' at scale 2 is 101); an
 * exponent is allowed ('1.5e3'). Undefined when the text is not a number.
 */
export function textToUnscaled(text: string, scale: number): bigint | undefined {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  const intPart = m[2] || '0', frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  if (!Number.isFinite(exp) || Math.abs(exp) > 400) return undefined;
  const all = BigInt(intPart + frac); // the digits, at scale frac.length - exp
  const at = frac.length - exp;
  const u = at >= 0 ? rescale(all, at, scale) : rescale(all * pow10Big(-at), 0, scale);
  return m[1] === '-' ? -u : u;
}

/** The unscaled value nearest a double at `scale` (half up on the decimal the double prints as). */
export function doubleToUnscaled(x: number, scale: number): bigint | undefined {
  if (!Number.isFinite(x)) return undefined;
  // the shortest text of x is the decimal the user wrote (1.005, not 1.00499999999999989...)
  return textToUnscaled(String(x), scale);
}

/** A DECIMAL as a double (the nearest one: unscaled / 10^s is correctly rounded below 2^53). */
export function unscaledToDouble(u: Int64Value, scale: number): number {
  if (typeof u === 'number' && scale <= 22) return u / pow10(scale);
  return Number(decimalToText(u, scale));
}

/** A canonical unscaled value, or undefined when it does not fit DECIMAL(precision). */
export function fitDecimal(u: bigint, precision: number): Int64Value | undefined {
  const max = decimalMaxUnscaled(precision);
  if (u > max || u < -max) return undefined;
  return canonicalInt64(u);
}

/**
 * The API form of a DECIMAL: a number where it prints as the decimal itself (15 significant digits
 * or fewer), else the exact text (up to 38 digits).
 */
export function decimalToApi(u: Int64Value, scale: number): number | string {
  if (typeof u === 'number' && Math.abs(u) < 1e15) return unscaledToDouble(u, scale);
  return decimalToText(u, scale);
}
