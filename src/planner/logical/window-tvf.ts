import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

export type WindowSpec =
  | { readonly kind: 'tumble'; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'hop'; readonly slideMs: number; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'cumulate'; readonly stepMs: number; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'session'; readonly gapMs: number; readonly partitionBy: readonly BoundExpr[] };

/**
 * A window table-valued function: each input row, once per window it falls in, with
 * `window_start`, `window_end` and `window_time` (= window_end - 1 ms, a rowtime) appended.
 */
export interface WindowTvf {
  readonly kind: 'windowTvf';
  readonly input: LogicalPlan;
  readonly window: WindowSpec;
  /** the time column of the input (DESCRIPTOR(col)) */
  readonly timeColumn: number;
  readonly span: SourceSpan;
  readonly schema: Schema;
}

export function windowTvf(input: LogicalPlan, window: WindowSpec, timeColumn: number, span: SourceSpan): WindowTvf {
  const timeType = input.schema.columns[timeColumn]!.type;
  const columns = [
    ...input.schema.columns,
    { name: 'window_start', type: T.TIMESTAMP, nullable: false },
    { name: 'window_end', type: T.TIMESTAMP, nullable: false },
    { name: 'window_time', type: timeType, nullable: false },
  ];
  return { kind: 'windowTvf', input, window, timeColumn, span, schema: { columns } };
}
