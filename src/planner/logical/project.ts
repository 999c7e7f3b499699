import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** Compute `exprs` over each input row; output column i is named `names[i]`. */
export interface Project {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
  readonly names: readonly string[];
  readonly schema: Schema;
}

export function project(input: LogicalPlan, exprs: readonly BoundExpr[], names: readonly string[]): Project {
  const columns = exprs.map((e, i) => ({
    name: names[i]!,
    type: exprType(e),
    nullable: e.kind === 'column' ? input.schema.columns[e.index]?.nullable ?? true : true,
  }));
  return { kind: 'project', input, exprs, names, schema: { columns } };
}
