/**
 * `TABLE(f(TABLE a PARTITION BY k, TABLE b PARTITION BY k2 [, arg …] [, on_time => DESCRIPTOR(ts)]))`:
 * a process function over several tables, as Flink's PTFs with several set-semantic tables. The
 * tables are co-partitioned: each has PARTITION BY with as many columns, of the same types, so a key
 * of `a` and the equal key of `b` are one key, with one state and one set of timers.
 *
 * Bound as one ProcessCall over the UNION ALL of the tables: each table's rows projected to
 * `[table tag, key columns…, time, a's columns…, b's columns…]` (NULL in the other tables' columns),
 * and `tables` telling the operator which columns make which table's row (`ctx.table` names it). The
 * union gives the operator one input in arrival order, the watermark is the query's (the minimum over
 * the inputs) and the state is the one process-function store, so nothing else needed changing.
 *
 * The result (as Flink's): every table's PARTITION BY columns in argument order (a name already taken
 * gets a number: `id`, `id0`), then the function's columns, then `rowtime` with on_time.
 */
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { typeToString, typesEqual } from '../../common/types.js';
import type { SqlType } from '../../common/types.js';
import type { TableFunctionArg, TableFunctionRef } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { col, lit } from '../expr.js';
import { isRowtime } from '../incremental/window-match.js';
import type { LogicalPlan } from '../logical/plan.js';
import { processCall, union } from '../logical/plan.js';
import type { ProcessCall, ProcessTableInput } from '../logical/process-call.js';
import { project } from '../logical/project.js';
import { bindNamedRelation } from './bind-from.js';
import { bindExpr } from './bind-expr.js';
import { bindQueryNode } from './bind-query.js';
import type { QueryEnv } from './context.js';
import { lastPart } from './names.js';
import { Scope } from './scope.js';
import { checkTimeColumn } from './window-tvf.js';

type TableArg = Extract<TableFunctionArg, { kind: 'tableArg' }>;
type DescriptorArg = Extract<TableFunctionArg, { kind: 'descriptorArg' }>;

interface BoundTable {
  readonly arg: TableArg;
  readonly name: string;
  readonly plan: LogicalPlan;
  readonly keys: readonly number[];
  readonly time: number | undefined;
}

const INT: SqlType = { kind: 'INT' };

export function bindProcessTables(fn: string, tableArgs: readonly TableArg[], args: readonly BoundExpr[], onTime: DescriptorArg | undefined,
  returns: readonly { readonly name: string; readonly type: SqlType }[], item: TableFunctionRef, env: QueryEnv): ProcessCall {
  const tables = tableArgs.map((a, i) => bindTable(fn, a, i, onTime, env));
  const first = tables[0]!;
  const seen = new Set<string>();
  for (const t of tables) {
    if (seen.has(t.name.toLowerCase())) {
      throw new WeirError('BIND', `process function ${fn} takes the table ${t.name} twice: name the arguments apart (a => TABLE ${t.name} …, b => TABLE ${t.name} …) `
        + 'so ctx.table tells their rows apart', t.arg.span);
    }
    seen.add(t.name.toLowerCase());
  }
  checkCoPartitioned(fn, tables);
  const times = tables.map((t) => t.time);
  // a time column only when every table has one of the same type (ctx.timestamp, on_time's rowtime)
  const timeType = timeTypeOf(fn, tables, onTime);

  // the union's columns: tag, keys, time, then each table's columns in turn
  const keyTypes = first.keys.map((k) => first.plan.schema.columns[k]!.type);
  const lead = 1 + keyTypes.length + (timeType ? 1 : 0);
  const starts: number[] = [];
  let width = lead;
  for (const t of tables) { starts.push(width); width += t.plan.schema.columns.length; }
  const names = [
    'table', ...first.keys.map((k) => first.plan.schema.columns[k]!.name), ...(timeType ? ['time'] : []),
    ...tables.flatMap((t) => t.plan.schema.columns.map((c) => `${t.name}.${c.name}`)),
  ];
  const branches = tables.map((t, i) => {
    const cols = t.plan.schema.columns;
    const exprs: BoundExpr[] = [
      lit(i, INT),
      ...t.keys.map((k) => col(k, cols[k]!.name, cols[k]!.type)),
      ...(timeType ? [col(times[i]!, cols[times[i]!]!.name, timeType)] : []),
      ...tables.flatMap((o, j) => o.plan.schema.columns.map((c, ci) => (j === i ? col(ci, c.name, c.type) : lit(null, c.type)))),
    ];
    return project(t.plan, exprs, names);
  });
  const input = union(branches, { columns: branches[0]!.schema.columns.map((c) => ({ ...c, nullable: true })) });

  const taken = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let i = 0; taken.has(n.toLowerCase()); i++) n = `${name}${i}`;
    taken.add(n.toLowerCase());
    return n;
  };
  const inputs: ProcessTableInput[] = tables.map((t, i) => ({
    name: t.name,
    columns: t.plan.schema.columns.map((_, ci) => starts[i]! + ci),
    names: t.plan.schema.columns.map((c) => c.name),
    keyNames: t.keys.map((k) => unique(t.plan.schema.columns[k]!.name)),
  }));
  const reserved = new Set([...taken, ...(onTime ? ['rowtime'] : [])]);
  for (const c of returns) {
    if (reserved.has(c.name.toLowerCase())) {
      throw new WeirError('BIND', `process function ${fn} returns a column '${c.name}', which is also a PARTITION BY column of its tables or the rowtime `
        + 'of its result (the result is every table\'s partition columns, the returned ones, then rowtime with on_time): rename it in returns', item.name.span);
    }
  }
  const partitionBy = keyTypes.map((_, j) => 1 + j);
  const columns: Schema['columns'] = returns.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  return processCall(input, fn, partitionBy, args, timeType ? 1 + keyTypes.length : undefined, onTime !== undefined, columns, item.span,
    { tagColumn: 0, inputs });
}

function bindTable(fn: string, a: TableArg, position: number, onTime: DescriptorArg | undefined, env: QueryEnv): BoundTable {
  if (a.partitionBy.length === 0) {
    throw new WeirError('UNSUPPORTED', `process function ${fn} takes several tables, so each needs PARTITION BY (set semantics, co-partitioned by `
      + `keys of the same types); a table without PARTITION BY among several is not supported yet`, a.span);
  }
  const plan = a.table ? bindNamedRelation(a.table, env) : bindQueryNode(a.query!, env).plan;
  // ctx.table: the argument's name (`orders => TABLE o …`), else the table's, else its position
  const name = a.name?.value ?? (a.table ? lastPart(a.table).value : `table${position}`);
  const scope = Scope.single(a.table ? lastPart(a.table).value : undefined, plan.schema.columns);
  const keys = a.partitionBy.map((e) => {
    const b = bindExpr(e, { catalog: env.catalog, scope, clause: 'PARTITION BY' });
    if (b.kind !== 'column') throw new WeirError('BIND', `PARTITION BY of process function ${fn} takes column names`, e.span);
    return b.index;
  });
  let time: number | undefined;
  if (onTime) {
    // as Flink: on_time names a column every table has
    time = checkTimeColumn(scope.resolve([onTime.columns[0]!]), `process function ${fn} (table ${name})`, onTime.columns[0]!.span).index;
  } else {
    const rowtimes = plan.schema.columns.flatMap((_, i) => (isRowtime(plan, i) ? [i] : []));
    time = rowtimes.length === 1 ? rowtimes[0] : undefined;
  }
  return { arg: a, name, plan, keys, time };
}

function checkCoPartitioned(fn: string, tables: readonly BoundTable[]): void {
  const first = tables[0]!;
  const typesOf = (t: BoundTable): SqlType[] => t.keys.map((k) => t.plan.schema.columns[k]!.type);
  const want = typesOf(first);
  for (const t of tables.slice(1)) {
    const got = typesOf(t);
    const same = got.length === want.length && got.every((g, j) => typesEqual(g, want[j]!));
    if (!same) {
      throw new WeirError('BIND', `the tables of process function ${fn} must be co-partitioned by keys of the same types: `
        + `${first.name} is partitioned by (${want.map(typeToString).join(', ')}), ${t.name} by (${got.map(typeToString).join(', ')})`, t.arg.span);
    }
  }
}

function timeTypeOf(fn: string, tables: readonly BoundTable[], onTime: DescriptorArg | undefined): SqlType | undefined {
  if (tables.some((t) => t.time === undefined)) return undefined;
  const types = tables.map((t) => t.plan.schema.columns[t.time!]!.type);
  if (types.every((ty) => typesEqual(ty, types[0]!))) return types[0];
  if (onTime) {
    throw new WeirError('BIND', `the on_time columns of process function ${fn} must have one type: `
      + tables.map((t, i) => `${t.name}: ${typeToString(types[i]!)}`).join(', '), onTime.span);
  }
  return undefined;
}
