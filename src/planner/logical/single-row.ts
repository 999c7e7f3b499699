import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { LogicalPlan } from './plan.js';

/**
 * The input of an uncorrelated scalar subquery, `(SELECT MAX(price) FROM t)`: its rows pass through,
 * and more than one live row at a time is an error at run time naming the subquery (`span`).
 */
export interface SingleRow {
  readonly kind: 'singleRow';
  readonly input: LogicalPlan;
  readonly span: SourceSpan;
  readonly schema: Schema;
}

export function singleRow(input: LogicalPlan, span: SourceSpan): SingleRow {
  return { kind: 'singleRow', input, span, schema: input.schema };
}
