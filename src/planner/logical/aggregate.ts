import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import type { AggregateFunctionName } from '../functions.js';
import type { LogicalPlan } from './plan.js';

export interface AggregateCall {
  readonly fn: AggregateFunctionName;
  /** undefined for COUNT(*) */
  readonly arg: BoundExpr | undefined;
  readonly distinct: boolean;
  /** `FILTER (WHERE ...)`: only rows where it is TRUE count */
  readonly filter: BoundExpr | undefined;
  readonly type: SqlType;
  /** LISTAGG's separator (`LISTAGG(x, '; ')`, a literal); ',' when not given */
  readonly separator?: string;
  readonly span?: SourceSpan;
}

/**
 * GROUP BY: output columns are the grouping keys (named `keyNames`), then one column per aggregate
 * (named `aggNames`). With no keys there is one group, which exists even over no rows (as in SQL).
 *
 * `window`, when set, says which key columns are a window's bounds (`window_start`, `window_end`)
 * from a window TVF below: the aggregation is then a window aggregation whose groups finalize when
 * the watermark passes `window_end`.
 */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly BoundExpr[];
  readonly keyNames: readonly string[];
  readonly aggregates: readonly AggregateCall[];
  readonly aggNames: readonly string[];
  readonly window: { readonly startKey: number; readonly endKey: number } | undefined;
  readonly schema: Schema;
}

export function aggregate(
  input: LogicalPlan,
  groupBy: readonly BoundExpr[],
  keyNames: readonly string[],
  aggregates: readonly AggregateCall[],
  aggNames: readonly string[],
  window?: Aggregate['window'],
): Aggregate {
  const columns = [
    ...groupBy.map((e, i) => ({ name: keyNames[i]!, type: exprType(e), nullable: true })),
    ...aggregates.map((a, i) => ({
      name: aggNames[i]!, type: a.type, nullable: !(a.fn === 'count' || a.fn === 'count_star'),
    })),
  ];
  return { kind: 'aggregate', input, groupBy, keyNames, aggregates, aggNames, window, schema: { columns } };
}
