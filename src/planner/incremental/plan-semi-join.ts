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
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, exprToString, isDeterministic, remapColumns } from '../expr.js';
import { conjuncts } from '../rules/filter-pushdown.js';
import { analyzeJoin, isTvfWindowEnd } from './plan-join.js';
import type { JoinSideBound, PhysicalNode, SemiJoinNode, SingleRowNode } from './physical.js';

interface SemiJoinPlanningContext {
  build(p: LogicalPlan): PhysicalNode;
  register<N extends PhysicalNode & { operatorId: number }>(make: (id: number) => N): N;
}

/** The join's keys and bounds, as an inner join of the same sides and condition has them, or by equal TVF windows. */
function analyze(p: SemiJoin): ReturnType<typeof analyzeJoin> {
  const a = analyzeJoin(join('inner', p.left, p.right, p.condition));
  if (a.strategy !== 'regular') return a;
  const ends = equalTvfWindowEnds(p);
  if (!ends) return a;
  // equal window_end of two window TVFs over event time (Flink's window semi/anti join): a row of
  // either side whose window_end is below the watermark is late, and a stored row can go once the
  // watermark passes its window_end (no row of the other side with that window can come any more)
  const bound = (column: number): JoinSideBound => ({
    expiry: [{ kind: 'column', index: column, name: 'window_end', type: T.TIMESTAMP }], lateness: [{ column, chained: false }],
  });
  return { ...a, leftBound: bound(ends[0]), rightBound: bound(ends[1]), strategy: 'window' };
}

/** A conjunct `L.window_end = R.window_end` of two window TVFs: the two columns, side-local. */
function equalTvfWindowEnds(p: SemiJoin): [number, number] | undefined {
  const lw = p.left.schema.columns.length;
  for (const c of p.condition ? conjuncts(p.condition) : []) {
    if (c.kind !== 'call' || c.fn !== 'eq') continue;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    if (a.kind !== 'column' || b.kind !== 'column') continue;
    const [l, r] = a.index < lw ? [a.index, b.index - lw] : [b.index, a.index - lw];
    if (l < 0 || l >= lw || r < 0) continue;
    if (isTvfWindowEnd(p.left, l) && isTvfWindowEnd(p.right, r)) return [l, r];
  }
  return undefined;
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
  const nullAware = !timed && p.anti ? nullAwareKeys(p) : undefined;
  return b.register((operatorId): SemiJoinNode => ({
    kind: 'semiJoin', operatorId, anti: p.anti, left, right,
    ...(nullAware
      ? { leftKeys: [nullAware[0]], rightKeys: [nullAware[1]], residual: undefined, nullAware: true }
      : { leftKeys: a.leftKeys, rightKeys: a.rightKeys, residual: a.residual }),
    ...(timed && a.leftBound ? { leftBound: a.leftBound } : {}),
    ...(timed && a.rightBound ? { rightBound: a.rightBound } : {}),
    strategy: timed ? a.strategy : 'regular',
    schema: p.schema, appendOnly,
  }));
}

/**
 * The condition of an uncorrelated NOT IN over nullable values, `x = y OR x IS NULL OR y IS NULL`
 * (either IS NULL may be absent, bind-subquery.ts writes it so), as its key pair: x over the left
 * side, y over the right.
 */
function nullAwareKeys(p: SemiJoin): [BoundExpr, BoundExpr] | undefined {
  const c = p.condition;
  if (!c || c.kind !== 'call' || c.fn !== 'or') return undefined;
  const parts: BoundExpr[] = [];
  const flat = (e: BoundExpr): void => {
    if (e.kind === 'call' && e.fn === 'or') e.args.forEach(flat);
    else parts.push(e);
  };
  flat(c);
  const [eq, ...nulls] = parts;
  if (!eq || eq.kind !== 'call' || eq.fn !== 'eq' || !isDeterministic(eq)) return undefined;
  const lw = p.left.schema.columns.length;
  const [a, b] = eq.args as [BoundExpr, BoundExpr];
  const side = (e: BoundExpr): 'left' | 'right' | undefined => {
    const cols = [...columnsUsed(e)];
    return cols.length > 0 && cols.every((i) => i < lw) ? 'left' : cols.length > 0 && cols.every((i) => i >= lw) ? 'right' : undefined;
  };
  if (side(a) !== 'left' || side(b) !== 'right') return undefined;
  const same = (x: BoundExpr, y: BoundExpr): boolean => exprToString(x) === exprToString(y);
  if (!nulls.every((n) => n.kind === 'call' && n.fn === 'is_null' && (same(n.args[0]!, a) || same(n.args[0]!, b)))) return undefined;
  return [a, remapColumns(b, (i) => i - lw)];
}

export function planSingleRow(p: SingleRow, b: SemiJoinPlanningContext): SingleRowNode {
  const input = b.build(p.input);
  return b.register((operatorId): SingleRowNode => ({
    kind: 'singleRow', operatorId, input, span: p.span, schema: p.schema, appendOnly: input.appendOnly,
  }));
}
