import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/**
 * Declares event time on a stream (`WATERMARK FOR col AS expr`): rows pass unchanged; the source's
 * watermark is the largest `expr` seen in finished batches. `column` is the rowtime column.
 */
export interface WatermarkAssigner {
  readonly kind: 'watermarkAssigner';
  readonly input: LogicalPlan;
  readonly column: number;
  readonly expr: BoundExpr;
  /** the table the watermark belongs to, for progress and errors */
  readonly tableName: string;
  readonly span: SourceSpan;
  readonly schema: Schema;
}

export function watermarkAssigner(input: LogicalPlan, column: number, expr: BoundExpr, tableName: string, span: SourceSpan): WatermarkAssigner {
  return { kind: 'watermarkAssigner', input, column, expr, tableName, span, schema: input.schema };
}
