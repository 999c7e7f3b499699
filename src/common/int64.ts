/**
 * Exact BIGINT values as JS values.
 *
 * A BIGINT is an int64 everywhere: in Arrow columns (Int64), in state, in keys and in sinks. As a JS
 * value (a row object, a state entry, what `readerFor` returns) it is held canonically:
 * - a `number` when it is a safe integer (|v| <= 2^53 - 1): the fast path, every Nexmark value;
 * - a `bigint` otherwise, within [-2^63, 2^63 - 1].
 * Canonical means a safe value is never a bigint, so `===` and Map keys agree with SQL equality, and
 * `<` compares a number with a bigint exactly.
 */

export type Int64Value = number | bigint;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether bigint `b` fits a BIGINT. */
export function fitsInt64(b: bigint): boolean {
  return b >= INT64_MIN && b <= INT64_MAX;
}

/** The canonical JS value of an int64 held as a bigint (no range check). */
export function canonicalInt64(b: bigint): Int64Value {
  return b >= SAFE_MIN && b <= SAFE_MAX ? Number(b) : b;
}

/** The bigint of a canonical value (or of any integral number). */
export function toBigInt(v: Int64Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/**
 * A canonical BIGINT from a JS value, or undefined when it is not an integer within int64 (a
 * fractional or non-finite number, a bigint out of range). Numbers beyond 2^53 are accepted as the
 * integers they are (they are exact doubles), so 2^63 as a double is out of range.
 */
export function int64FromValue(v: unknown): Int64Value | undefined {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v; // no -0
    if (!Number.isInteger(v)) return undefined;
    const b = BigInt(v);
    return fitsInt64(b) ? b : undefined;
  }
  if (typeof v === 'bigint') return fitsInt64(v) ? canonicalInt64(v) : undefined;
  return undefined;
}

const INT_TEXT = /^[+-]?\d+$/;

/**
 * Parse decimal integer text exactly ('9007199254740993' stays ...993). Undefined when the text is not
 * an integer or is outside int64; the caller says which column and value.
 */
export function parseInt64(text: string): Int64Value | undefined {
  const t = text.trim();
  if (!INT_TEXT.test(t)) return undefined;
  if (t.length <= 16) return Number(t) === 0 ? 0 : Number(t);
  const b = BigInt(t);
  return fitsInt64(b) ? canonicalInt64(b) : undefined;
}

/** Exact text of a BIGINT value. */
export function int64ToString(v: Int64Value): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}
