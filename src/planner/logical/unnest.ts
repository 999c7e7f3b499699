/**
 * `t CROSS JOIN UNNEST(t.tags) [WITH ORDINALITY] AS u (tag [, n])` is a Correlate (correlate.ts)
 * whose "function" is UNNEST: one output row per element of the collection argument, the input row's
 * columns first. Its `fn` is one of the names below, which no SQL identifier can spell, so a user
 * table function is never taken for it; the rules that rebuild a Correlate keep it as it is.
 *
 * The columns, from the argument's type (as Calcite's UNNEST, which Flink runs):
 * - ARRAY<T> and MULTISET<T>: one column of T (a MULTISET's element repeated by its count), or the
 *   fields of T when T is a ROW;
 * - MAP<K, V>: two columns, the key and the value;
 * then, WITH ORDINALITY, the element's 1-based position (INT).
 */
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { T } from '../../common/types.js';

export const UNNEST_FN = 'UNNEST()';
export const UNNEST_ORDINALITY_FN = 'UNNEST() WITH ORDINALITY';

export const isUnnest = (fn: string): boolean => fn === UNNEST_FN || fn === UNNEST_ORDINALITY_FN;
export const withOrdinality = (fn: string): boolean => fn === UNNEST_ORDINALITY_FN;

/** The columns UNNEST of a value of `t` makes, by their default names; undefined when `t` is no collection. */
export function unnestColumns(t: SqlType, ordinality: boolean): Schema['columns'] | undefined {
  let cols: { name: string; type: SqlType; nullable: boolean }[];
  switch (t.kind) {
    case 'ARRAY': case 'MULTISET':
      cols = t.element.kind === 'ROW'
        ? t.element.fields.map((f) => ({ name: f.name, type: f.type, nullable: true }))
        : [{ name: 'EXPR$0', type: t.element, nullable: true }];
      break;
    case 'MAP':
      cols = [{ name: 'KEY', type: t.key, nullable: true }, { name: 'VALUE', type: t.value, nullable: true }];
      break;
    default:
      return undefined;
  }
  if (ordinality) cols.push({ name: 'ORDINALITY', type: T.INT, nullable: true });
  return cols;
}
