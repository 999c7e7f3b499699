/**
 * Filter pushdown through a join (called by filter-pushdown.ts for a filter over a join, and for every
 * join's own condition).
 *
 * A conjunct reading one side only filters that side's rows before the join when that does not
 * change which rows the join pads with NULLs:
 * - from WHERE above the join: into a side the join never pads with NULLs (the left input of INNER
 *   and LEFT joins, the right of INNER and RIGHT), as the rows it removes would be removed above;
 * - from ON: into the side whose unmatched rows the join drops (both for INNER, the right of LEFT,
 *   the left of RIGHT; nothing for FULL), since ON only decides which pairs match.
 * For an inner join, a WHERE conjunct over both sides joins the condition, which is how the equality
 * of a comma join (`FROM a, b WHERE a.id = b.id`) becomes an equi-join key.
 */
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic, remapColumns } from '../expr.js';
import type { Join, LogicalPlan } from '../logical/plan.js';
import { filter, join } from '../logical/plan.js';
import { conjunction, conjuncts } from './filter-pushdown.js';

type Side = 'left' | 'right' | 'both' | 'none';

function sideOf(e: BoundExpr, leftWidth: number): Side {
  const cols = [...columnsUsed(e)];
  if (cols.length === 0) return 'none';
  if (cols.every((c) => c < leftWidth)) return 'left';
  if (cols.every((c) => c >= leftWidth)) return 'right';
  return 'both';
}

/**
 * `above` (deterministic conjuncts of a filter over `p`) and `stay` (non-deterministic ones, kept
 * above) applied to `p`, with what may go pushed into the inputs through `pushInto`.
 */
export function pushIntoJoin(
  p: Join,
  above: readonly BoundExpr[],
  stay: readonly BoundExpr[],
  pushInto: (p: LogicalPlan, preds: readonly BoundExpr[]) => LogicalPlan,
): LogicalPlan {
  const lw = p.left.schema.columns.length;
  const t = p.joinType;
  const toLeft: BoundExpr[] = [];
  const toRight: BoundExpr[] = [];
  const cond: BoundExpr[] = [];
  const keep: BoundExpr[] = [...stay];
  for (const c of above) {
    const s = sideOf(c, lw);
    if (s === 'left' && (t === 'inner' || t === 'left')) toLeft.push(c);
    else if (s === 'right' && (t === 'inner' || t === 'right')) toRight.push(c);
    else if (t === 'inner') cond.push(c);
    else keep.push(c);
  }
  for (const c of p.condition ? conjuncts(p.condition) : []) {
    const s = isDeterministic(c) ? sideOf(c, lw) : 'both';
    if (s === 'left' && (t === 'inner' || t === 'right')) toLeft.push(c);
    else if (s === 'right' && (t === 'inner' || t === 'left')) toRight.push(c);
    else cond.push(c);
  }
  const left = pushInto(p.left, toLeft);
  const right = pushInto(p.right, toRight.map((c) => remapColumns(c, (i) => i - lw)));
  const joined = join(t, left, right, cond.length > 0 ? conjunction(cond) : undefined, p.span);
  return keep.length > 0 ? filter(joined, conjunction(keep)) : joined;
}
