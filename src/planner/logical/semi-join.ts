import type { SourceSpan } from '../../common/errors.js';
import type { BoundExpr } from '../expr.js';
import type { Schema } from '../../common/schema.js';
import type { LogicalPlan } from './plan.js';

/**
 * A semi join (`anti` false) or an anti join (`anti` true), what `IN`, `EXISTS` and their negations in
 * WHERE become: the left rows that have (semi) or have not (anti) a right row satisfying `condition`.
 * The output is the left input's rows as they are: each left row at most once, whatever the number
 * of matches. `condition` reads the join layout (index < left width is a left column, then the right
 * columns); undefined: any right row matches. A NOT IN over nullable columns carries its three-valued
 * logic in the condition (`x = y OR x IS NULL OR y IS NULL`: a NULL on either side matches, so the
 * anti join drops the row).
 */
export interface SemiJoin {
  readonly kind: 'semiJoin';
  readonly anti: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly condition: BoundExpr | undefined;
  readonly span?: SourceSpan;
  readonly schema: Schema;
}

export function semiJoin(anti: boolean, left: LogicalPlan, right: LogicalPlan, condition: BoundExpr | undefined, span?: SourceSpan): SemiJoin {
  return { kind: 'semiJoin', anti, left, right, condition, ...(span ? { span } : {}), schema: left.schema };
}
