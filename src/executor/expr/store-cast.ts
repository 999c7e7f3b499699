/**
 * Store assignment: the cast INSERT makes when it writes a number into a numeric column of another
 * type (planner/expr.ts `Cast.assign`). It follows DuckDB's INSERT, the batch oracle, rather than
 * Flink's CAST:
 * - DOUBLE and FLOAT into an integer column round to the nearest integer, ties to even
 *   (1.5 → 2, 2.5 → 2, -2.5 → -2), as DuckDB's conversion of floating-point numbers;
 * - DECIMAL into an integer column, and anything into a DECIMAL(p, s) column, round half-up (away
 *   from zero) to the scale, as CAST to DECIMAL does (DuckDB rounds DECIMAL the same way);
 * - a value outside the column's range (or NaN/±Infinity into an integer or DECIMAL column, a finite
 *   DOUBLE too large for a FLOAT) is a run-time error naming the table and column, never a wrap or a
 *   NULL.
 */
import type { SourceSpan } from '../../common/errors.js';
import { InternalError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { isInteger, isLosslessNumeric, isNumeric, T, typeToString } from '../../common/types.js';
import { decimalCaster } from './decimal-cast.js';
import { int64Lane } from './exact-int.js';
import type { StoreTarget } from '../../planner/expr.js';
import type { Caster } from './cast.js';
import { runtimeError } from './node.js';
import { HEAP } from './pool.js';
import type { NumVec } from './vector.js';
import { numVec } from './vector.js';

/** Inclusive lower and exclusive upper bound of each integer type (2^63 is exact as a double). */
const INT_BOUNDS: Readonly<Partial<Record<SqlType['kind'], readonly [number, number]>>> = {
  TINYINT: [-128, 128], SMALLINT: [-32768, 32768], INT: [-(2 ** 31), 2 ** 31], BIGINT: [-(2 ** 63), 2 ** 63],
};

/** x rounded to the nearest integer, ties to even (IEEE roundTiesToEven, C's nearbyint). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The function that turns one stored number of `from` into the column's value, or NaN when it does not
 * fit (DECIMAL on either side goes through decimalStoreCaster instead).
 */
function converter(from: SqlType, to: SqlType): (x: number) => number {
  const bounds = INT_BOUNDS[to.kind];
  if (bounds) {
    const [lo, hi] = bounds;
    const round = isInteger(from) ? (x: number) => x : roundHalfEven;
    return (x) => {
      const r = round(x);
      return r >= lo && r < hi ? r : NaN;
    };
  }
  if (to.kind === 'FLOAT') {
    return (x) => {
      const r = Math.fround(x);
      return Number.isFinite(r) || !Number.isFinite(x) ? r : NaN;
    };
  }
  if (to.kind === 'DOUBLE') return (x) => x;
  throw new InternalError(`no store assignment from ${typeToString(from)} to ${typeToString(to)}`);
}

/**
 * Store assignment into or out of a DECIMAL, on unscaled integers: rescaled half up (into an integer
 * column too: DECIMAL 2.5 stores 3, as DuckDB), a value that does not fit names the column.
 */
function decimalStoreCaster(from: SqlType, to: SqlType, target: StoreTarget, span: SourceSpan | undefined): Caster {
  const message = (shown: string): string => `value ${shown} is out of range for column '${target.column}' of '${target.table}' (${typeToString(to)})`;
  if (from.kind === 'DECIMAL' && isInteger(to)) {
    const rounded = decimalCaster(from, T.decimal(38, 0), false, span, message); // half up to a whole number
    const narrowed = decimalCaster(T.decimal(38, 0), to, false, span, message);
    return (v, alloc) => narrowed(rounded(v, alloc), alloc);
  }
  return decimalCaster(from, to, false, span, message);
}

/** Whether the NaN a converter returns can only mean "does not fit" (NaN itself is a FLOAT/DOUBLE value). */
const nanIsFailure = (to: SqlType): boolean => to.kind !== 'FLOAT' && to.kind !== 'DOUBLE';

/** A caster storing numbers of type `from` into the column `target` of type `to`. */
export function makeStoreCaster(from: SqlType, to: SqlType, target: StoreTarget, span: SourceSpan | undefined): Caster {
  if (!isNumeric(from) || !isNumeric(to)) {
    throw new InternalError(`store assignment is for numbers, not ${typeToString(from)} to ${typeToString(to)}`);
  }
  if (isLosslessNumeric(from, to)) return (v) => v;
  if (from.kind === 'DECIMAL' || to.kind === 'DECIMAL') return decimalStoreCaster(from, to, target, span);
  const conv = converter(from, to);
  const strictNaN = nanIsFailure(to);
  const fail = (x: number | bigint): Error => runtimeError(
    `value ${String(x)} is out of range for column '${target.column}' of '${target.table}' (${typeToString(to)})`, span);
  return (v, alloc = HEAP) => {
    const src = (v as NumVec).values, big = (v as NumVec).big;
    const valid = v.valid;
    const n = v.length;
    const out = alloc.f64(n);
    let wide = false; // a DOUBLE stored into BIGINT beyond 2^53: the int64 lane is made below
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      const r = conv(x);
      if (r !== r && (strictNaN || x === x)) {
        if (valid !== null && valid[i] !== 1) { out[i] = 0; continue; } // a NULL slot holds anything
        throw fail(big !== undefined ? big[i]! : x);
      }
      out[i] = r;
      if (to.kind === 'BIGINT' && (r > Number.MAX_SAFE_INTEGER || r < -Number.MAX_SAFE_INTEGER)) wide = true;
    }
    return wide ? numVec(out, valid, int64Lane(out, valid)) : numVec(out, valid);
  };
}
