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
  /**
   * Several table arguments (binder/bind-process-tables.ts): the input is the UNION ALL of the tables, each row
   * tagged with its table's position (`tagColumn`) and carrying its own columns where `inputs` says;
   * `partitionBy` are the shared key columns. Undefined: one table, whose rows are the input rows.
   */
  readonly tables?: ProcessTables;
}

/** The table arguments of a process function called with several tables. */
export interface ProcessTables {
  /** the input column holding the index into `inputs` of the table a row came from */
  readonly tagColumn: number;
  readonly inputs: readonly ProcessTableInput[];
}

export interface ProcessTableInput {
  /** what `ctx.table` says for this table's rows: the argument's name, else the table's */
  readonly name: string;
  /** the input columns holding this table's row, in its column order, and their names in the row object */
  readonly columns: readonly number[];
  readonly names: readonly string[];
  /** the names of this table's PARTITION BY columns in the result (made unique across the tables) */
  readonly keyNames: readonly string[];
}

/**
 * `TABLE(f(TABLE t PARTITION BY k [, arg …]))`: a process function (Flink's process table function
 * with set semantics) called on each row of `input`, with state and timers per partition key. The
 * output row is the partition key columns followed by the function's declared `columns` (Flink's
 * PTF output: the PARTITION BY columns pass through, then the function's own columns, then `rowtime`).
 * Without PARTITION BY (`partitionBy` empty: row semantics) there is no key: no key columns, no
 * state, no timers. With several tables (`tables`) every table's key columns lead the row.
 */
export interface ProcessCall extends ProcessCallArgs {
  readonly kind: 'processCall';
  readonly input: LogicalPlan;
  readonly schema: Schema;
}

export function processCall(
  input: LogicalPlan, fn: string, partitionBy: readonly number[], args: readonly BoundExpr[], timeColumn: number | undefined,
  rowtime: boolean, columns: Schema['columns'], span?: SourceSpan, tables?: ProcessTables,
): ProcessCall {
  const keys = processKeyColumns(input.schema, partitionBy, tables);
  const time = rowtime && timeColumn !== undefined ? [{ name: 'rowtime', type: input.schema.columns[timeColumn]!.type, nullable: true }] : [];
  const schema: Schema = { columns: [...keys, ...columns.map((c) => ({ ...c, nullable: true })), ...time] };
  return { kind: 'processCall', input, fn, partitionBy, args, timeColumn, rowtime: time.length > 0, columns, ...(span ? { span } : {}), ...(tables ? { tables } : {}), schema };
}

/**
 * The key columns the result starts with: the PARTITION BY columns (none under row semantics), or
 * with several tables each table's PARTITION BY columns in argument order (as Flink's PTFs, whose
 * output starts with the partition keys of every set-semantic table), holding the same key values.
 */
export function processKeyColumns(input: Schema, partitionBy: readonly number[], tables: ProcessTables | undefined): Schema['columns'] {
  const keys = partitionBy.map((i) => input.columns[i]!);
  if (!tables) return keys;
  return tables.inputs.flatMap((t) => keys.map((k, j) => ({ ...k, name: t.keyNames[j]! })));
}

/** The same call over a new input whose columns moved (`map`: old input index → new). */
export function processCallOver(p: ProcessCall, input: LogicalPlan, map?: (i: number) => number): ProcessCall {
  const m = map ?? ((i: number): number => i);
  const tables = p.tables && {
    tagColumn: m(p.tables.tagColumn),
    inputs: p.tables.inputs.map((t) => ({ ...t, columns: t.columns.map(m) })),
  };
  return processCall(input, p.fn, p.partitionBy.map(m), p.args, p.timeColumn === undefined ? undefined : m(p.timeColumn), p.rowtime, p.columns, p.span, tables);
}
