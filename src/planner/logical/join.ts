import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** The four joins Weir runs; CROSS JOIN and comma joins are inner joins without a condition. */
export type JoinType = 'inner' | 'left' | 'right' | 'full';

/**
 * A join of two relations. The output row is the left row's columns followed by the right row's
 * (`condition` reads the same layout: index < left width is a left column). An outer join pads the
 * side with no match with NULLs, so that side's columns become nullable.
 *
 * The incremental planner decides how to run it (plan-join.ts): equality conjuncts between the two
 * sides become hash keys; a time range between the sides' event times bounds its state.
 */
export interface Join {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  /** ON (and pushed-down WHERE) condition; undefined: every pair matches (CROSS JOIN) */
  readonly condition: BoundExpr | undefined;
  readonly span?: SourceSpan;
  readonly schema: Schema;
}

export function join(joinType: JoinType, left: LogicalPlan, right: LogicalPlan, condition: BoundExpr | undefined, span?: SourceSpan): Join {
  const padLeft = joinType === 'right' || joinType === 'full';
  const padRight = joinType === 'left' || joinType === 'full';
  const columns = [
    ...left.schema.columns.map((c) => (padLeft && !c.nullable ? { ...c, nullable: true } : c)),
    ...right.schema.columns.map((c) => (padRight && !c.nullable ? { ...c, nullable: true } : c)),
  ];
  return span
    ? { kind: 'join', joinType, left, right, condition, span, schema: { columns } }
    : { kind: 'join', joinType, left, right, condition, schema: { columns } };
}

/** Whether `joinType` keeps the unmatched rows of the left (`'left'`) or right (`'right'`) input. */
export function preserves(joinType: JoinType, side: 'left' | 'right'): boolean {
  return joinType === 'full' || joinType === side;
}
