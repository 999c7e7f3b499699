/**
 * `TABLE(f(TABLE t PARTITION BY k [, arg …] [, on_time => DESCRIPTOR(ts)]))`: a process function
 * (a module export of kind 'process', engine.registerProcessFunction) over a partitioned table, as
 * Flink's process table functions with set semantics; without PARTITION BY the table has row
 * semantics (the function is called per row, with no key, state or timers: its result is only its
 * own columns); several table arguments are bound by bind-process-tables.ts. The table argument comes first (positional,
 * or named as any name `=> TABLE t`); the other positional arguments are constants handed to the
 * function after ctx; `on_time => DESCRIPTOR(c)` names the time column (`ctx.timestamp`), else the
 * table's event-time attribute is it. The result: the PARTITION BY columns, then `returns`' columns,
 * then with on_time a `rowtime` column (as Flink). Flink's `uid => '…'` is accepted and ignored.
 */
import { WeirError } from '../../common/errors.js';
import type { TableFunctionArg, TableFunctionRef } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { isRowtime } from '../incremental/window-match.js';
import type { LogicalPlan } from '../logical/plan.js';
import { processCall } from '../logical/plan.js';
import { foldExpr } from '../rules/fold.js';
import type { BoundRelation } from './bind-from.js';
import { bindNamedRelation } from './bind-from.js';
import { bindExpr } from './bind-expr.js';
import { bindQueryNode } from './bind-query.js';
import type { QueryEnv } from './context.js';
import { lastPart } from './names.js';
import { Scope } from './scope.js';
import { bindProcessTables } from './bind-process-tables.js';
import { checkTimeColumn } from './window-tvf.js';

/**
 * A process function whose module is not imported yet: its columns are unknown. CREATE VIEW lets it
 * pass (the view is bound again where a query uses it, after the query imported its modules).
 */
export class ModuleNotImportedError extends WeirError {}

/** Whether `TABLE(name(…))` calls a process function, or names a function that is none (refused by name). */
export function isUserTableCall(item: TableFunctionRef, env: QueryEnv): boolean {
  // the window TVFs are built in: their names stay theirs, as Flink's built-in functions win
  if (['TUMBLE', 'HOP', 'CUMULATE', 'SESSION'].includes(item.name.value.toUpperCase())) return false;
  return env.catalog.getFunction(item.name.value) !== undefined;
}

export function bindProcessCall(item: TableFunctionRef, env: QueryEnv): BoundRelation {
  const f = env.catalog.getFunction(item.name.value)!;
  if (f.functionKind !== 'process') {
    if (f.returns === undefined && f.functionKind === undefined && f.path !== undefined) {
      throw new ModuleNotImportedError('UNSUPPORTED', `the columns of process function ${f.name} are unknown until its module '${f.path}' is imported, `
        + 'which only a running query does: EXPLAIN of TABLE(f(…)) over a module function not imported yet is not supported', item.name.span);
    }
    const kind = f.functionKind === 'table' ? 'a table function (call it in LATERAL TABLE(…))'
      : f.functionKind === 'aggregate' ? 'an aggregate function' : 'a scalar function';
    throw new WeirError('BIND', `${f.name} is ${kind}, not a process function: TABLE(${f.name}(TABLE t PARTITION BY k)) calls a function `
      + "whose export has kind 'process'", item.name.span);
  }
  const tableArgs: Extract<TableFunctionArg, { kind: 'tableArg' }>[] = [];
  let onTime: Extract<TableFunctionArg, { kind: 'descriptorArg' }> | undefined;
  const scalars: Extract<TableFunctionArg, { kind: 'exprArg' }>[] = [];
  for (const a of item.args) {
    if (a.kind === 'tableArg') {
      tableArgs.push(a);
    } else if (a.kind === 'descriptorArg') {
      if (a.name?.value.toLowerCase() !== 'on_time') {
        throw new WeirError('BIND', `a DESCRIPTOR argument of process function ${f.name} must be named: on_time => DESCRIPTOR(ts)`, a.span);
      }
      if (a.columns.length !== 1) throw new WeirError('BIND', `on_time => DESCRIPTOR(…) must name exactly one time column`, a.span);
      onTime = a;
    } else if (a.name?.value.toLowerCase() === 'uid') {
      // Flink's uid names the function's state across plan changes; Weir's state is named by the plan (checkpoint-identity.ts)
      continue;
    } else {
      if (a.name) {
        throw new WeirError('UNSUPPORTED', `named scalar arguments (${a.name.value} => …) of process function ${f.name} are not supported yet: `
          + 'pass them by position after the table; the function gets them after ctx', a.name.span);
      }
      scalars.push(a);
    }
  }
  const tableArg = tableArgs[0];
  if (!tableArg) throw new WeirError('BIND', `process function ${f.name} needs a table argument: TABLE(${f.name}(TABLE t PARTITION BY k))`, item.span);
  const args: BoundExpr[] = scalars.map((a) => {
    const b = foldExpr(bindExpr(a.expr, { catalog: env.catalog, scope: Scope.empty(), clause: `the arguments of ${f.name}` }));
    if (b.kind !== 'literal') throw new WeirError('BIND', `the scalar arguments of process function ${f.name} must be constants`, a.span);
    return b;
  });
  if (tableArgs.length > 1) {
    const plan = bindProcessTables(f.name, tableArgs, args, onTime, f.columns!, item, env);
    return { plan, scope: Scope.single(item.alias?.value ?? f.name, plan.schema.columns) };
  }
  if (tableArg.partitionBy.length === 0 && f.processTimers) {
    // row semantics (Flink's ROW_SEMANTIC_TABLE): called per row, no key, so no state and no timers
    throw new WeirError('BIND', `process function ${f.name} has an onTimer method, so its table needs PARTITION BY: timers (and state) are per key, `
      + `and TABLE ${tableArg.table ? lastPart(tableArg.table).value : '…'} without PARTITION BY has row semantics (no key): `
      + `write TABLE(${f.name}(TABLE t PARTITION BY k))`, tableArg.span);
  }
  let input: LogicalPlan;
  let inputName: string | undefined;
  if (tableArg.table) {
    input = bindNamedRelation(tableArg.table, env);
    inputName = lastPart(tableArg.table).value;
  } else {
    input = bindQueryNode(tableArg.query!, env).plan;
  }
  const scope = Scope.single(inputName, input.schema.columns);
  const partitionBy = tableArg.partitionBy.map((e) => {
    const b = bindExpr(e, { catalog: env.catalog, scope, clause: 'PARTITION BY' });
    if (b.kind !== 'column') throw new WeirError('BIND', `PARTITION BY of process function ${f.name} takes column names`, e.span);
    return b.index;
  });
  let timeColumn: number | undefined;
  if (onTime) {
    timeColumn = checkTimeColumn(scope.resolve([onTime.columns[0]!]), `process function ${f.name}`, onTime.columns[0]!.span).index;
  } else {
    const rowtimes = input.schema.columns.flatMap((_, i) => (isRowtime(input, i) ? [i] : []));
    timeColumn = rowtimes.length === 1 ? rowtimes[0] : undefined;
  }
  const keyNames = new Set(partitionBy.map((i) => input.schema.columns[i]!.name.toLowerCase()));
  const columns = f.columns!.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  if (onTime) keyNames.add('rowtime');
  for (const c of columns) {
    if (keyNames.has(c.name.toLowerCase())) {
      throw new WeirError('BIND', `process function ${f.name} returns a column '${c.name}', which is also a PARTITION BY column or the rowtime of its result `
        + '(the result is the partition columns, the returned ones, then rowtime with on_time): rename it in returns', item.name.span);
    }
  }
  const plan = processCall(input, f.name, partitionBy, args, timeColumn, onTime !== undefined, columns, item.span);
  return { plan, scope: Scope.single(item.alias?.value ?? f.name, plan.schema.columns) };
}
