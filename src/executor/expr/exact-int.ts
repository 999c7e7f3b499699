/**
 * Exact integer results for the arithmetic kernels.
 *
 * The kernels compute every number as a double first (one tight loop per operator). For an integer
 * result type that is exact as long as the result is a safe integer (|r| < 2^53): a sum, difference
 * or product of integers is correctly rounded, so a true result below 2^53 comes out exact and one at
 * or beyond 2^53 comes out at or beyond 2^53. So one scan finds the rows to redo with BigInt: results
 * beyond 2^53, and rows whose operands are beyond 2^53 (held exactly in the vector's `big`). Those
 * rows are recomputed exactly; a result outside the type's range fails the query, never wraps.
 */
import { WeirError } from '../../common/errors.js';
import type { SourceSpan } from '../../common/errors.js';
import { int64ToString, INT64_MAX, INT64_MIN } from '../../common/int64.js';
import { decimalMaxUnscaled, decimalToText } from '../../common/decimal.js';
import type { SqlType } from '../../common/types.js';
import type { ExactLane, NumVec, Valid } from './vector.js';

const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

export type IntOp = 'add' | 'subtract' | 'multiply' | 'imod' | 'negate';

const SYMBOL: Record<IntOp, string> = { add: '+', subtract: '-', multiply: '*', imod: '%', negate: '-' };

/** Each integer type's range. */
export const INT_BOUNDS: Readonly<Partial<Record<SqlType['kind'], readonly [bigint, bigint]>>> = {
  TINYINT: [-128n, 127n], SMALLINT: [-32768n, 32767n], INT: [-2147483648n, 2147483647n], BIGINT: [INT64_MIN, INT64_MAX],
};

/** The range of an integer type, or of a DECIMAL's unscaled values (its precision: up to 38 digits). */
export function boundsOf(t: SqlType): readonly [bigint, bigint] | undefined {
  if (t.kind === 'DECIMAL') {
    const m = decimalMaxUnscaled(t.precision);
    return [-m, m];
  }
  return INT_BOUNDS[t.kind];
}

/** An operand of a kernel: a vector, or a constant (a number, or a bigint beyond 2^53). */
export type Operand = NumVec | number | bigint;

/** The exact value of an operand at row i. */
function exactAt(o: Operand, i: number): bigint {
  if (typeof o === 'bigint') return o;
  if (typeof o === 'number') return BigInt(o);
  return o.big !== undefined ? o.big[i]! : BigInt(o.values[i]!);
}

const hasBig = (o: Operand | undefined): boolean => o !== undefined && typeof o !== 'number' && (typeof o === 'bigint' || o.big !== undefined);

function apply(op: IntOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case 'add': return a + b;
    case 'subtract': return a - b;
    case 'multiply': return a * b;
    case 'imod': return a % b; // truncated, sign of the dividend (Java's %)
    case 'negate': return -a;
  }
}

export function overflowError(message: string, span: SourceSpan | undefined): WeirError {
  return new WeirError('RUNTIME', message, span);
}

/**
 * Make `out` (the double results of `x op y` over n rows, valid where `valid`) exact for integer type
 * `t`: redo the rows that need it with BigInt, fail on overflow. Returns the exact int64 of every row
 * when some BIGINT result is beyond 2^53 (the vector's `big`), else undefined. `what` names the
 * expression for the error message.
 */
export function exactIntegerResults(
  op: IntOp, x: Operand, y: Operand | undefined, out: Float64Array, valid: Valid, n: number, t: SqlType,
  what: () => string, span: SourceSpan | undefined,
  /** the operands' type, where it differs from the result's (a DECIMAL product has twice their scale) */
  argType: SqlType = t,
): ExactLane | undefined {
  const bounds = boundsOf(t);
  if (bounds === undefined) return undefined;
  const [lo, hi] = bounds;
  const show = (v: bigint): string => (t.kind === 'DECIMAL' ? decimalToText(v, t.scale) : int64ToString(v));
  const showArg = (v: bigint): string => (argType.kind === 'DECIMAL' ? decimalToText(v, argType.scale) : int64ToString(v));
  const redoAll = hasBig(x) || hasBig(y);
  // |x MOD y| < |y|: with both operands within 2^53 the doubles are exact and in range (no scan)
  if (op === 'imod' && !redoAll) return undefined;
  const loN = Number(lo), hiN = Number(hi);
  const limitLo = Math.max(-SAFE, loN), limitHi = Math.min(SAFE, hiN);
  let wide: Map<number, bigint> | undefined; // rows whose BIGINT result is beyond 2^53
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] !== 1) continue;
    const r = out[i]!;
    if (!redoAll && r >= limitLo && r <= limitHi) continue;
    const a = exactAt(x, i);
    const b = y === undefined ? 0n : exactAt(y, i);
    const e = apply(op, a, b);
    if (e < lo || e > hi) {
      const expr = y === undefined ? `-${showArg(a)}` : `${showArg(a)} ${SYMBOL[op]} ${showArg(b)}`;
      const name = t.kind === 'DECIMAL' ? `DECIMAL(${t.precision}, ${t.scale})` : t.kind;
      throw overflowError(`${t.kind} overflow: ${expr} = ${show(e)} is out of range for ${name} in ${what()}`, span);
    }
    out[i] = Number(e);
    if (e > SAFE_BIG || e < -SAFE_BIG) (wide ??= new Map()).set(i, e);
  }
  return wide && int64Lane(out, valid, wide);
}

/**
 * The exact lane of a vector (NumVec.big) whose rows `wide` are beyond 2^53: those exactly, every
 * other valid row from its double (exact there). An int64 lane, or (a DECIMAL(p > 18) value beyond
 * int64) a lane of bigints. Every kernel that makes such a vector builds it here.
 */
export function int64Lane(out: Float64Array, valid: Valid, wide: ReadonlyMap<number, bigint> = new Map()): ExactLane {
  let beyond = false;
  for (const v of wide.values()) if (v > INT64_MAX || v < INT64_MIN) { beyond = true; break; }
  const big = beyond ? new Array<bigint>(out.length).fill(0n) : new BigInt64Array(out.length);
  for (let i = 0; i < out.length; i++) if (valid === null || valid[i] === 1) big[i] = wide.get(i) ?? BigInt(out[i]!);
  return big;
}

/** Whether a double is an integer that BIGINT holds exactly as a number (no int64 lane needed). */
export const isSafeDouble = (x: number): boolean => x >= -SAFE && x <= SAFE;

/** Row i of a BIGINT vector beyond 2^53 on both sides of a comparison: the exact order. */
export function exactOrder(x: Operand, y: Operand, i: number): number {
  const a = exactAt(x, i), b = exactAt(y, i);
  return a < b ? -1 : a > b ? 1 : 0;
}

export { exactAt, hasBig };
