/**
 * DECIMAL multiplication and division on unscaled integers (common/decimal.ts), exact, rounding half
 * away from zero to the result's scale. + - MOD need no rescaling (the binder casts both operands to
 * one scale) and go through exact-int.ts like integers.
 *
 * Each row is computed with doubles while every intermediate stays below 2^52 (exact there), else
 * with BigInt; a result beyond the type's precision (at most 38 digits) fails the query with the values.
 */
import type { SourceSpan } from '../../common/errors.js';
import { decimalMaxUnscaled, decimalToText, divRoundHalfUp, pow10, pow10Big } from '../../common/decimal.js';
import type { SqlType } from '../../common/types.js';
import { exactAt, hasBig, int64Lane, overflowError, type Operand } from './exact-int.js';
import type { ExactLane, NumVec } from './vector.js';
import type { Valid } from './vector.js';

const FAST = 2 ** 52;

/** n / d rounded half away from zero, for integral doubles with |n|, |d| <= 2^52 (all steps exact). */
export function divHalfUpNum(n: number, d: number): number {
  let q = Math.trunc(n / d);
  let r = n - q * d;
  const s = (n < 0) !== (d < 0) ? -1 : 1;
  // n / d may round across an integer: bring the remainder back to n's sign
  if (r !== 0 && (r < 0) !== (n < 0)) { q -= s; r = n - q * d; }
  if (Math.abs(r) * 2 >= Math.abs(d) && r !== 0) q += s;
  return q;
}

const valueAt = (o: Operand, i: number): number => (typeof o === 'number' ? o : typeof o === 'bigint' ? Number(o) : o.values[i]!);
const isWide = (o: Operand, i: number): boolean => typeof o === 'bigint' || (typeof o !== 'number' && o.big !== undefined && !(Math.abs(o.values[i]!) <= FAST));

export type DecimalOp = 'multiply' | 'divide';

/**
 * `out` = x op y over n rows for DECIMAL operands of scale `scale` into result type `t`: multiply
 * rescales the product (scale 2 * scale) to t's scale, divide scales the quotient to t's scale.
 * Returns the int64 lane when some result is beyond 2^53.
 */
export function decimalMulDiv(
  op: DecimalOp, x: Operand, y: Operand, out: Float64Array, valid: Valid, n: number, scale: number, t: SqlType,
  what: () => string, span: SourceSpan | undefined,
): ExactLane | undefined {
  const rs = t.kind === 'DECIMAL' ? t.scale : 0;
  const precision = t.kind === 'DECIMAL' ? t.precision : 18;
  const max = decimalMaxUnscaled(precision);
  const maxN = Number(max);
  // multiply: product / 10^k; divide: x * 10^k / y
  const k = op === 'multiply' ? 2 * scale - rs : rs;
  const f = pow10(k), fBig = pow10Big(k);
  let wide: Map<number, bigint> | undefined;
  // the common case, neither operand beyond 2^53: one typed-array loop; a row it cannot do exactly
  // on doubles (or NaN marks) goes through the general loop below
  let start = 0;
  if (!hasBig(x) && !hasBig(y) && k <= 15) {
    const xs = typeof x === 'number' ? undefined : (x as NumVec).values, ys = typeof y === 'number' ? undefined : (y as NumVec).values;
    const cx = x as number, cy = y as number;
    const limit = Math.min(maxN, Number.MAX_SAFE_INTEGER);
    for (; start < n; start++) {
      if (valid !== null && valid[start] !== 1) continue;
      const a = xs === undefined ? cx : xs[start]!, b = ys === undefined ? cy : ys[start]!;
      let r: number;
      if (op === 'multiply') {
        const p = a * b;
        if (!(Math.abs(p) <= FAST)) break;
        r = k === 0 ? p : divHalfUpNum(p, f);
      } else {
        const num = a * f;
        if (!(Math.abs(num) <= FAST && Math.abs(b) <= FAST)) break;
        r = divHalfUpNum(num, b);
      }
      if (!(Math.abs(r) <= limit)) break;
      out[start] = r;
    }
  }
  for (let i = start; i < n; i++) {
    if (valid !== null && valid[i] !== 1) continue;
    const a = valueAt(x, i), b = valueAt(y, i);
    let r: number | undefined;
    if (!isWide(x, i) && !isWide(y, i) && k <= 15) {
      if (op === 'multiply') {
        const p = a * b;
        if (Math.abs(p) <= FAST) r = k === 0 ? p : divHalfUpNum(p, f);
      } else {
        const num = a * f;
        if (Math.abs(num) <= FAST && Math.abs(b) <= FAST) r = divHalfUpNum(num, b);
      }
    }
    if (r !== undefined && Math.abs(r) <= maxN && Math.abs(r) <= Number.MAX_SAFE_INTEGER) { out[i] = r; continue; }
    const A = exactAt(x, i), B = exactAt(y, i);
    const e = op === 'multiply' ? divRoundHalfUp(A * B, fBig) : divRoundHalfUp(A * fBig, B);
    if (e > max || e < -max) {
      const sym = op === 'multiply' ? '*' : '/';
      throw overflowError(`DECIMAL overflow: ${decimalToText(A, scale)} ${sym} ${decimalToText(B, scale)} = ${decimalToText(e, rs)} is out of range for ${
        t.kind === 'DECIMAL' ? `DECIMAL(${t.precision}, ${t.scale})` : t.kind} (at most ${decimalToText(max, rs)}) in ${what()}`, span);
    }
    out[i] = Number(e);
    if (e > 9007199254740991n || e < -9007199254740991n) (wide ??= new Map()).set(i, e);
  }
  return wide && int64Lane(out, valid, wide);
}

export type DecimalMathFn = 'abs' | 'sign' | 'floor' | 'ceil' | 'round' | 'truncate';

/**
 * ABS, SIGN, FLOOR, CEIL, ROUND and TRUNCATE of a DECIMAL(p, s), on its unscaled integer `u`: the
 * result's unscaled integer at the result type's scale (`outScale`: s, or 0 for FLOOR and CEIL). `d`
 * is the decimals argument of ROUND/TRUNCATE.
 */
export function decimalMath(fn: DecimalMathFn, u: bigint, s: number, outScale: number, d: number): bigint {
  const f = pow10Big(s);
  switch (fn) {
    case 'abs': return u < 0n ? -u : u;
    case 'sign': return (u > 0n ? 1n : u < 0n ? -1n : 0n) * pow10Big(outScale);
    case 'floor': { const q = u / f; return (u < 0n && q * f !== u ? q - 1n : q) * pow10Big(outScale); }
    case 'ceil': { const q = u / f; return (u > 0n && q * f !== u ? q + 1n : q) * pow10Big(outScale); }
    case 'round': case 'truncate': {
      if (d >= s) return u;
      const g = pow10Big(s - d);
      return (fn === 'round' ? divRoundHalfUp(u, g) : u / g) * g;
    }
  }
}
