import type { LogicalPlan } from '../logical/plan.js';

/** A rewrite of logical plans that preserves results exactly. */
export interface Rule {
  readonly name: string;
  apply(p: LogicalPlan): LogicalPlan;
}
