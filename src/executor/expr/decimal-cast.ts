/**
 * Casts into and out of DECIMAL among numbers (and BOOLEAN), on unscaled integers
 * (common/decimal.ts):
 * - DECIMAL to DECIMAL rescales, half away from zero when the scale shrinks;
 * - integers to DECIMAL multiply by 10^s; DOUBLE/FLOAT to DECIMAL round half up the decimal the
 *   double prints as (1.005 is the tie the user wrote);
 * - DECIMAL to integers truncates toward zero (as every number to an integer); to DOUBLE divides;
 * - a value the target cannot hold is an error naming it (NULL under TRY_CAST).
 * Rows stay on doubles while the values are below 2^52 and go through BigInt beyond.
 */
import type { SourceSpan } from '../../common/errors.js';
import { decimalMaxUnscaled, decimalToText, doubleToUnscaled, pow10, pow10Big, rescale, unscaledToDouble } from '../../common/decimal.js';
import { canonicalInt64 } from '../../common/int64.js';
import type { SqlType } from '../../common/types.js';
import { isInteger, typeToString } from '../../common/types.js';
import { boundsOf, exactAt, int64Lane } from './exact-int.js';
import { divHalfUpNum } from './decimal-kernels.js';
import { runtimeError } from './node.js';
import type { Alloc } from './pool.js';
import { HEAP } from './pool.js';
import type { NumVec, Vec } from './vector.js';
import { boolVec, numVec } from './vector.js';

const FAST = 2 ** 52;

/** x * 10^scale rounded half up to an integer, for |x * 10^scale| < 2^52 (else undefined). */
export function roundToUnscaled(x: number, scale: number): number | undefined {
  const f = pow10(scale);
  const a = x < 0 ? -x : x;
  const y = a * f;
  if (!(y < FAST) || scale > 22) return undefined;
  const fl = Math.floor(y);
  // a few ulps of slack: 1.005 is 1.00499999999999989... in binary, and the tie the user wrote
  const r = y - fl >= 0.5 - y * 1.7763568394002505e-15 ? fl + 1 : fl;
  return x < 0 ? -r : r;
}

/** u / 10^k truncated toward zero, exact for |u| <= 2^52. */
function truncDiv(u: number, f: number): number {
  let q = Math.trunc(u / f);
  const r = u - q * f;
  if (r !== 0 && (r < 0) !== (u < 0)) q += u < 0 ? 1 : -1;
  return q;
}

type Row = (x: number, i: number) => number | bigint | undefined;

/** One row's conversion (undefined: out of range), as a number while exact, else a bigint. */
function rowConverter(from: SqlType, to: SqlType, v: NumVec): Row {
  const big = (i: number): bigint => exactAt(v, i);
  const wide = (x: number): boolean => !(x <= FAST && x >= -FAST);
  if (from.kind === 'DECIMAL' && to.kind === 'DECIMAL') {
    const k = to.scale - from.scale, f = pow10(Math.abs(k));
    return (x, i) => {
      if (!wide(x) && Math.abs(k) <= 15) {
        if (k >= 0) { const r = x * f; if (!wide(r)) return r; }
        else return divHalfUpNum(x, f);
      }
      return rescale(big(i), from.scale, to.scale);
    };
  }
  if (to.kind === 'DECIMAL') {
    if (isInteger(from) || from.kind === 'BOOLEAN') {
      const f = pow10(to.scale), fb = pow10Big(to.scale);
      return (x, i) => { const r = x * f; return !wide(r) && to.scale <= 15 ? r : big(i) * fb; };
    }
    return (x) => (Number.isFinite(x) ? roundToUnscaled(x, to.scale) ?? doubleToUnscaled(x, to.scale) : undefined);
  }
  // from DECIMAL
  const s = from.kind === 'DECIMAL' ? from.scale : 0;
  if (isInteger(to)) {
    const f = pow10(s), fb = pow10Big(s);
    return (x, i) => (!wide(x) && s <= 15 ? truncDiv(x, f) : big(i) / fb);
  }
  return (x, i) => (wide(x) ? unscaledToDouble(canonicalInt64(big(i)), s) : unscaledToDouble(x, s));
}


/** A cast between numbers where `from` or `to` is a DECIMAL whose scale changes the values. */
export function decimalCaster(
  from: SqlType, to: SqlType, isTry: boolean, span: SourceSpan | undefined,
  /**
   * the message for a value out of range (store assignment names the column), or null: such a value
   * becomes NULL (a CAST to DECIMAL with too many integer digits, as Flink's DecimalData)
   */
  outOfRange: ((shown: string) => string) | null = (shown) => `cannot cast ${shown} to ${typeToString(to)}: out of range`,
): (v: Vec, alloc?: Alloc) => Vec {
  if (to.kind === 'BOOLEAN') {
    return (v) => {
      const x = (v as NumVec).values, n = v.length;
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = x[i] !== 0 ? 1 : 0;
      return boolVec(out, v.valid);
    };
  }
  const bounds = to.kind === 'DECIMAL' ? ((m) => [-m, m] as const)(decimalMaxUnscaled(to.precision)) : boundsOf(to);
  // number results (always within 2^53 here) against number bounds: comparing with a bigint costs per row
  const loN = bounds === undefined ? -Infinity : Number(bounds[0]), hiN = bounds === undefined ? Infinity : Number(bounds[1]);
  const show = (v: NumVec, i: number): string =>
    from.kind === 'DECIMAL' ? decimalToText(exactAt(v, i), from.scale) : String(v.big !== undefined ? v.big[i] : v.values[i]);
  return (vec, alloc = HEAP) => {
    const v: NumVec = vec.kind === 'bool' ? numVec(Float64Array.from(vec.values), vec.valid) : vec as NumVec;
    const n = v.length, src = v.values;
    const out = alloc.f64(n);
    let valid = v.valid;
    let wideRows: Map<number, bigint> | undefined;
    const conv = rowConverter(from, to, v);
    for (let i = 0; i < n; i++) {
      if (v.valid !== null && v.valid[i] !== 1) continue;
      const r = conv(src[i]!, i);
      const inRange = typeof r === 'number' ? r >= loN && r <= hiN
        : r !== undefined && (bounds === undefined || (r >= bounds[0] && r <= bounds[1]));
      if (!inRange) {
        if (isTry || outOfRange === null) {
          if (valid === v.valid) valid = v.valid ? v.valid.slice() : new Uint8Array(n).fill(1);
          valid![i] = 0;
          continue;
        }
        throw runtimeError(outOfRange!(show(v, i)), span);
      }
      if (typeof r === 'bigint') {
        out[i] = Number(r);
        if (r > 9007199254740991n || r < -9007199254740991n) (wideRows ??= new Map()).set(i, r);
      } else out[i] = to.kind === 'FLOAT' ? Math.fround(r!) : r!; // (inRange: not undefined)
    }
    if (wideRows === undefined || (to.kind !== 'DECIMAL' && to.kind !== 'BIGINT')) return numVec(out, valid);
    return numVec(out, valid, int64Lane(out, valid, wideRows));
  };
}
