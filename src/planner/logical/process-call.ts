import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** What a process function call is, apart from its input: the logical ProcessCall and the physical ProcessFunctionNode both carry it. */
export interface ProcessCallArgs {
  /** the function's registered name */
  readonly fn: string;
  /** the PARTITION BY columns, indices into the input */
  readonly partitionBy: readonly number[];
  /** the constant scalar arguments after the table (folded literals), passed after ctx */
  readonly args: readonly BoundExpr[];
  /** the input column that is the row's time (`ctx.timestamp`): `on_time => DESCRIPTOR(c)`, else the input's rowtime */
  readonly timeColumn: number | undefined;
  /**
   * `on_time => DESCRIPTOR(c)` given: the result ends with a `rowtime` column (as Flink's PTFs), the
   * row's time for rows emitted by process(), the timer's for rows emitted by an event-time onTimer;
   * an event-time attribute when `c` is one
   */
  readonly rowtime: boolean;
  /** the function's output columns */
  readonly columns: Schema['columns'];
  readonly span?: SourceSpan;
}

/**
 * `TABLE(f(TABLE t PARTITION BY k [, arg …]))`: a process function (Flink's process table function
 * with set semantics) called on each row of `input`, with state and timers per partition key. The
 * output row is the partition key columns followed by the function's declared `columns` (Flink's
 * PTF output: the PARTITION BY columns pass through, then the function's own columns, then `rowtime`).
 */
export interface ProcessCall extends ProcessCallArgs {
  readonly kind: 'processCall';
  readonly input: LogicalPlan;
  readonly schema: Schema;
}

export function processCall(
  input: LogicalPlan, fn: string, partitionBy: readonly number[], args: readonly BoundExpr[], timeColumn: number | undefined,
  rowtime: boolean, columns: Schema['columns'], span?: SourceSpan,
): ProcessCall {
  const keys = partitionBy.map((i) => input.schema.columns[i]!);
  const time = rowtime && timeColumn !== undefined ? [{ name: 'rowtime', type: input.schema.columns[timeColumn]!.type, nullable: true }] : [];
  const schema: Schema = { columns: [...keys, ...columns.map((c) => ({ ...c, nullable: true })), ...time] };
  return { kind: 'processCall', input, fn, partitionBy, args, timeColumn, rowtime: time.length > 0, columns, ...(span ? { span } : {}), schema };
}

/** The same call over a new input whose columns moved (`map`: old input index → new). */
export function processCallOver(p: ProcessCall, input: LogicalPlan, map?: (i: number) => number): ProcessCall {
  const m = map ?? ((i: number): number => i);
  return processCall(input, p.fn, p.partitionBy.map(m), p.args, p.timeColumn === undefined ? undefined : m(p.timeColumn), p.rowtime, p.columns, p.span);
}
