/**
 * Numbers read from formats into SQL numeric columns, exactly and within range.
 *
 * A value that is a number but does not fit the column (300 for a TINYINT, 9223372036854775808 for
 * a BIGINT, 1e400 for a DOUBLE, 1e39 for a FLOAT) is out of range: the rejected record's reason says
 * so with the value as written, never "cannot read null" and never a wrapped, rounded or infinite
 * value in the result. A fraction for an integer column is "not an integer".
 */
import { canonicalInt64, INT64_MAX, INT64_MIN, type Int64Value } from '../../common/int64.js';
import type { SqlType } from '../../common/types.js';
import { ConversionFailure } from './conversion-failure.js';
import { exactIntegerOfText, JsonNumberText } from './json-values.js';
import { decimalValue } from './long-decimal.js';

export type IntegerKind = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT';

const INT_RANGES: Readonly<Record<IntegerKind, readonly [bigint, bigint]>> = {
  TINYINT: [-128n, 127n],
  SMALLINT: [-32768n, 32767n],
  INT: [-2147483648n, 2147483647n],
  BIGINT: [INT64_MIN, INT64_MAX],
};
/** Each integer type's range as doubles (BIGINT's: the safe integers, beyond which a bigint is needed). */
export const SMALL_RANGES: Readonly<Record<IntegerKind, readonly [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export const INT_RE = /^[+-]?\d+$/;


/**
 * The DOUBLE the bytes [a, z) spell when they are `-?digits(.digits)?`: the very number readFloat
 * gives the text, -0 included, the digits gathered as they are checked and turned into the double by
 * long-decimal.ts's decimalValue (exact m / 10^k up to 15 digits, no string up to 18). Undefined for
 * any other text (a sign '+', blanks, an exponent, "NaN", a value too large for a double...), which
 * the caller reads as a string.
 */
export function plainDouble(b: Buffer, a: number, z: number): number | undefined {
  let i = a;
  const neg = b[i] === 0x2d;
  if (neg) i++;
  const intStart = i;
  // the digits' integer M = first · 10^(n − 9) + last: first the first nine, last those after
  let first = 0;
  let last = 0;
  let n = 0;
  for (; i < z; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) break;
    if (n++ < 9) first = first * 10 + d;
    else last = last * 10 + d;
  }
  const intDigits = i - intStart;
  if (intDigits === 0) return undefined;
  let fracDigits = 0;
  if (i < z && b[i] === 0x2e) {
    const fracStart = ++i;
    for (; i < z; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      if (n++ < 9) first = first * 10 + d;
      else last = last * 10 + d;
    }
    fracDigits = i - fracStart;
    if (fracDigits === 0) return undefined;
  }
  if (i !== z) return undefined;
  const x = decimalValue(first, last, n, fracDigits, b, intStart, z);
  if (!Number.isFinite(x)) return undefined;
  return neg ? -x : x;
}
export const NUM_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** The spellings of non-finite doubles a reader accepts in text (the JSON sink writes them so). */
const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ['NaN', NaN], ['Infinity', Infinity], ['+Infinity', Infinity], ['-Infinity', -Infinity],
]);

/**
 * An integer column's value: a number for TINYINT/SMALLINT/INT, a canonical int64 (int64.ts) for
 * BIGINT. Text must be an integer literal ('1.0' is refused from text, as before); a JSON number
 * may be written with a fraction or exponent when it denotes an integer (1.5e3).
 */
export function readInteger(t: SqlType & { kind: IntegerKind }, v: unknown, column: string): Int64Value {
  const fail = (why?: string): never => {
    throw new ConversionFailure(column, v, t, why);
  };
  const outOfRange = (shown: unknown): never => {
    throw ConversionFailure.outOfRange(column, shown, t);
  };
  let b: bigint;
  let shown: unknown = v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return fail();
    if (!Number.isFinite(v)) return outOfRange(v);
    if (!Number.isInteger(v)) return fail('not an integer');
    const [min, max] = SMALL_RANGES[t.kind];
    // the fast path: every value of a smaller type, and every safe BIGINT
    if (v >= min && v <= max) return v === 0 ? 0 : v;
    if (t.kind !== 'BIGINT') return outOfRange(v);
    b = BigInt(v);
  } else if (typeof v === 'bigint') {
    b = v;
  } else if (typeof v === 'string' || v instanceof JsonNumberText) {
    const text = typeof v === 'string' ? v.trim() : v.text;
    if (typeof v === 'string') {
      if (!INT_RE.test(text)) return fail();
      // the fast path for a CSV cell: 15 digits are below 2^53, no bigint needed
      if (text.length <= 15) {
        const x = Number(text);
        const [min, max] = SMALL_RANGES[t.kind];
        if (x >= min && x <= max) return x === 0 ? 0 : x;
        return outOfRange(new JsonNumberText(text));
      }
    }
    shown = new JsonNumberText(text);
    const exact = exactIntegerOfText(text);
    if (exact === undefined) return fail();
    if (exact === 'fraction') return fail('not an integer');
    if (exact === 'big') return outOfRange(shown);
    b = exact;
  } else {
    return fail();
  }
  const [min, max] = INT_RANGES[t.kind];
  if (b < min || b > max) return outOfRange(shown);
  return t.kind === 'BIGINT' ? canonicalInt64(b) : Number(b);
}

/**
 * A FLOAT, DOUBLE, INTERVAL or DECIMAL column's value as a double (DECIMAL is rounded to its scale
 * by the caller). NaN and ±Infinity are accepted for FLOAT and DOUBLE when given as such (a JS
 * number from the API, or the text 'NaN'/'Infinity' the JSON sink writes), but a written number
 * too large for the type is out of range; INTERVAL and DECIMAL hold only finite values.
 */
export function readFloat(t: SqlType & { kind: 'FLOAT' | 'DOUBLE' | 'INTERVAL' | 'DECIMAL' }, v: unknown, column: string): number {
  const fail = (why?: string): never => {
    throw new ConversionFailure(column, v, t, why);
  };
  let x: number;
  // whether the value was a non-finite double as given, rather than a number text that overflowed
  let given = false;
  if (typeof v === 'number') {
    x = v;
    given = true;
  } else if (typeof v === 'bigint') x = Number(v);
  else if (v instanceof JsonNumberText) x = Number(v.text);
  else if (typeof v === 'string') {
    const s = v.trim();
    if (NUM_RE.test(s)) x = Number(s);
    else {
      const special = SPECIAL_FLOATS.get(s);
      if (special === undefined) return fail();
      x = special;
      given = true;
    }
  } else {
    return fail();
  }
  const finiteOnly = t.kind === 'INTERVAL' || t.kind === 'DECIMAL';
  if (Number.isNaN(x)) return finiteOnly ? fail() : x;
  if (!Number.isFinite(x)) {
    if (given && !finiteOnly) return x;
    throw ConversionFailure.outOfRange(column, typeof v === 'string' ? new JsonNumberText(v.trim()) : v, t);
  }
  if (t.kind === 'FLOAT') {
    const f = Math.fround(x);
    if (!Number.isFinite(f)) throw ConversionFailure.outOfRange(column, typeof v === 'string' ? new JsonNumberText(v.trim()) : v, t);
    return f;
  }
  return x;
}
