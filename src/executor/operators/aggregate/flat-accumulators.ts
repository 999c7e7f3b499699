/**
 * Accumulators whose state is a few numbers, applied in place to a Float64Array instead of an array
 * per state (accumulators.ts), for the window aggregation's working memory (window/flat-windows.ts).
 *
 * Each mirrors its array accumulator exactly: the same numbers, changed by the same operations in
 * the same order, so a window's state moves between the two forms without a difference in any bit.
 * In the Float64Array a state is laid out as window-groups-codec.ts writes an array state: its length
 * (how many numbers the array holds), then the numbers, padded to the most the kind ever holds.
 *
 * Only states that are always plain numbers qualify: COUNT (any argument), SUM and AVG of DOUBLE and
 * FLOAT ([sum, count]), and MIN/MAX of the types whose values are always JS numbers over an input
 * that never retracts ([] or [value]). Exact integer sums (which become bigints past 2^53), MIN/MAX
 * of BIGINT, DECIMAL or text, DISTINCT, the rest of the functions and UDAFs keep their arrays.
 */
import type { SqlType } from '../../../common/types.js';
import { ACCUMULATORS, APPEND_ONLY_ACCUMULATORS, type Accumulator } from './accumulators.js';

export type FlatKind = 'count' | 'sum' | 'min' | 'max';

/** Words a state takes: its length word and the most numbers it holds. */
export const FLAT_WORDS: { readonly [K in FlatKind]: number } = { count: 2, sum: 3, min: 2, max: 2 };

/** Types whose values a column reader always gives as JS numbers (never a bigint). */
const NUMBER_TYPES = new Set<SqlType['kind']>(['TINYINT', 'SMALLINT', 'INT', 'FLOAT', 'DOUBLE']);

/** The flat form of accumulator `acc` over arguments of type `argType`, when it has one. */
export function flatKindOf(acc: Accumulator, argType: SqlType | undefined): FlatKind | undefined {
  if (acc === ACCUMULATORS.count) return 'count';
  const numbers = argType !== undefined && NUMBER_TYPES.has(argType.kind);
  const floats = argType !== undefined && (argType.kind === 'DOUBLE' || argType.kind === 'FLOAT');
  // SUM and AVG keep the same [sum, count]; only their results differ
  if (floats && (acc === ACCUMULATORS.sum || acc === ACCUMULATORS.avg)) return 'sum';
  if (numbers && acc === APPEND_ONLY_ACCUMULATORS.min) return 'min';
  if (numbers && acc === APPEND_ONLY_ACCUMULATORS.max) return 'max';
  return undefined;
}

/** A fresh state at `w[at]` (as the array accumulator's init()). */
export function flatInit(kind: FlatKind, w: Float64Array, at: number): void {
  switch (kind) {
    case 'count': w[at] = 1; w[at + 1] = 0; return;
    case 'sum': w[at] = 2; w[at + 1] = 0; w[at + 2] = 0; return;
    case 'min': case 'max': w[at] = 0; w[at + 1] = 0; return;
  }
}

/** Add (or retract) argument value `v` into the state at `w[at]` (as the array accumulator's add/retract). */
export function flatApply(kind: FlatKind, w: Float64Array, at: number, v: number, retract: boolean): void {
  switch (kind) {
    case 'count':
      w[at + 1] = retract ? w[at + 1]! - 1 : w[at + 1]! + 1;
      return;
    case 'sum':
      if (retract) { w[at + 1] = w[at + 1]! - v; w[at + 2] = w[at + 2]! - 1; } else { w[at + 1] = w[at + 1]! + v; w[at + 2] = w[at + 2]! + 1; }
      return;
    case 'min': case 'max':
      // only over inputs that never retract (runningExtreme)
      if (w[at] === 0) { w[at] = 1; w[at + 1] = v; } else if (kind === 'max' ? v > w[at + 1]! : v < w[at + 1]!) w[at + 1] = v;
      return;
  }
}
