/**
 * How a semi or anti join (IN / EXISTS, logical/semi-join.ts) runs incrementally, and the check that
 * a scalar subquery yields at most one row (logical/single-row.ts).
 *
 * Keys, residual and time bounds are read as an inner join's (plan-join.ts analyzeJoin). A time
 * bound is used only when both inputs are append-only and the left rows expire (equal windows on
 * both sides, or an interval): each left row is then decided once, when it expires, and the result
 * stays append-only (Flink's window semi/anti join emits when the window closes). Otherwise the join
 * is regular: a semi join over append-only inputs is append-only too (matches only grow, a left row
 * is emitted at its first), an anti join retracts a row when its first match arrives.
 */
import type { LogicalPlan, SemiJoin, SingleRow } from '../logical/plan.js';
import { join } from '../logical/plan.js';
import { analyzeJoin } from './plan-join.js';
import type { PhysicalNode, SemiJoinNode, SingleRowNode } from './physical.js';

interface SemiJoinPlanningContext {
  build(p: LogicalPlan): PhysicalNode;
  register<N extends PhysicalNode & { operatorId: number }>(make: (id: number) => N): N;
}

/** The join's keys and bounds, as an inner join of the same sides and condition has them. */
function analyze(p: SemiJoin): ReturnType<typeof analyzeJoin> {
  return analyzeJoin(join('inner', p.left, p.right, p.condition));
}

/** Whether the semi/anti join may retract rows it emitted (for the output mode check). */
export function semiJoinRetracts(p: SemiJoin): boolean {
  if (!p.anti) return false;
  const a = analyze(p);
  return a.strategy === 'regular' || !(a.leftBound?.expiry.length ?? 0);
}

export function planSemiJoin(p: SemiJoin, b: SemiJoinPlanningContext): SemiJoinNode {
  const left = b.build(p.left);
  const right = b.build(p.right);
  const a = analyze(p);
  // a retraction must find the row it takes back, and a left row is decided when it expires
  const timed = left.appendOnly && right.appendOnly && a.strategy !== 'regular' && (a.leftBound?.expiry.length ?? 0) > 0;
  const appendOnly = timed || (!p.anti && left.appendOnly && right.appendOnly);
  return b.register((operatorId): SemiJoinNode => ({
    kind: 'semiJoin', operatorId, anti: p.anti, left, right,
    leftKeys: a.leftKeys, rightKeys: a.rightKeys, residual: a.residual,
    ...(timed && a.leftBound ? { leftBound: a.leftBound } : {}),
    ...(timed && a.rightBound ? { rightBound: a.rightBound } : {}),
    strategy: timed ? a.strategy : 'regular',
    schema: p.schema, appendOnly,
  }));
}

export function planSingleRow(p: SingleRow, b: SemiJoinPlanningContext): SingleRowNode {
  const input = b.build(p.input);
  return b.register((operatorId): SingleRowNode => ({
    kind: 'singleRow', operatorId, input, span: p.span, schema: p.schema, appendOnly: input.appendOnly,
  }));
}
