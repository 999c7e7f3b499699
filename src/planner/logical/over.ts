import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { AggregateCall } from './aggregate.js';
import type { LogicalPlan } from './plan.js';

/**
 * The frame of an OVER window, always ending at the current row (frames with FOLLOWING are refused
 * by the binder): `ROWS n PRECEDING` (the n rows before and the current one), `RANGE INTERVAL …
 * PRECEDING` (rows whose time is within `preceding` ms before the current row's, peers included),
 * or either UNBOUNDED PRECEDING (`preceding` = Infinity: every row of the partition so far).
 */
export interface OverFrame {
  readonly unit: 'ROWS' | 'RANGE';
  /** rows (ROWS) or milliseconds (RANGE) before the current row; Infinity for UNBOUNDED PRECEDING */
  readonly preceding: number;
}

/**
 * OVER aggregates sharing one window: `agg(x) OVER (PARTITION BY k ORDER BY t <frame>)`. Every input
 * row comes out once, with one column per aggregate call over its frame appended (named `callNames`).
 * `timeColumn` is the ORDER BY column (a time attribute, ascending: the planner checks it).
 *
 * With no calls and no partition it is `ORDER BY t` of a query on a stream (`sort`): the rows as
 * they are, in time order, released as the watermark passes them.
 */
export interface OverAggregate {
  readonly kind: 'over';
  readonly input: LogicalPlan;
  readonly partitionBy: readonly BoundExpr[];
  readonly timeColumn: number;
  readonly frame: OverFrame;
  readonly calls: readonly AggregateCall[];
  readonly callNames: readonly string[];
  /** ORDER BY of a query (no aggregates): EXPLAIN calls it a sort */
  readonly sort: boolean;
  /** the OVER clause (or the ORDER BY), for errors */
  readonly span: SourceSpan;
  readonly schema: Schema;
}

export function overAggregate(
  input: LogicalPlan,
  spec: Pick<OverAggregate, 'partitionBy' | 'timeColumn' | 'frame' | 'calls' | 'callNames' | 'sort' | 'span'>,
): OverAggregate {
  const columns = [
    ...input.schema.columns,
    ...spec.calls.map((c, i) => ({ name: spec.callNames[i]!, type: c.type, nullable: c.fn !== 'count' && c.fn !== 'count_star' })),
  ];
  const { partitionBy, timeColumn, frame, calls, callNames, sort, span } = spec; // spec may be a whole node: only these
  return { kind: 'over', input, partitionBy, timeColumn, frame, calls, callNames, sort, span, schema: { columns } };
}

/** The same window over another input with the same columns. */
export function overAggregateOver(p: OverAggregate, input: LogicalPlan): OverAggregate {
  return overAggregate(input, p);
}
