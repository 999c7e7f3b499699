import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** Keep the rows for which `predicate` is TRUE (not NULL, not FALSE). */
export interface Filter {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: BoundExpr;
  readonly schema: Schema;
}

export function filter(input: LogicalPlan, predicate: BoundExpr): Filter {
  return { kind: 'filter', input, predicate, schema: input.schema };
}
