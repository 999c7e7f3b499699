import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/**
 * `FROM t, LATERAL TABLE(f(t.a)) AS T(x, y)` (Flink's Correlate): user-defined table function `fn`
 * called on each input row with `args` (over the input), each row it yields joined to that row.
 * The output row is the input's columns followed by the function's `columns`. A LEFT correlate keeps
 * an input row for which the function yields nothing, with NULLs for the function's columns.
 */
export interface Correlate {
  readonly kind: 'correlate';
  readonly joinType: 'inner' | 'left';
  readonly input: LogicalPlan;
  /** the function's registered name */
  readonly fn: string;
  readonly args: readonly BoundExpr[];
  /** the function's output columns as the query names them */
  readonly columns: Schema['columns'];
  readonly span?: SourceSpan;
  readonly schema: Schema;
}

export function correlate(
  joinType: 'inner' | 'left', input: LogicalPlan, fn: string, args: readonly BoundExpr[], columns: Schema['columns'], span?: SourceSpan,
): Correlate {
  const schema: Schema = { columns: [...input.schema.columns, ...columns.map((c) => ({ ...c, nullable: true }))] };
  return { kind: 'correlate', joinType, input, fn, args, columns, ...(span ? { span } : {}), schema };
}
