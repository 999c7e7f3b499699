/**
 * The kinds of JavaScript functions a module or the API defines, told apart by the export's `kind`
 * (CONTRACT.md "JS functions beyond scalars"):
 *
 * - a plain function: a scalar function (one value per row);
 * - `{ kind: 'aggregate', returns, create, accumulate, retract?, merge?, result }`: a UDAF;
 * - `{ kind: 'table', returns: 'word STRING, n INT', eval(...args) }`: a table function, called in
 *   `LATERAL TABLE(f(…))`; `eval` returns an iterable of rows (a generator or an array), each row an
 *   object with the declared fields (or an array in their order).
 *
 * - `{ kind: 'process', returns: 'card STRING, n INT', process(row, ctx), onTimer?(timeMs, ctx) }`: a
 *   process function, called as `TABLE(f(TABLE t PARTITION BY k))` (executor/operators/process/).
 *
 * KIND_CHECKS is the one place a new kind is added (T7's 'process' goes there too): each entry
 * checks an export's shape and says what it is.
 */
import type { SourceSpan } from '../common/errors.js';
import { WeirError } from '../common/errors.js';
import { parseTypeName } from './type-names.js';

export type { AggregateFunctionDef, TableColumn, TableFunctionDef, UserAggregate, UserTableFunction } from '../common/user-function-types.js';
export type { ProcessFunctionDef, UserProcessFunction } from '../common/user-function-types.js';
import type { AggregateFunctionDef, TableColumn, TableFunctionDef, UserAggregate, UserTableFunction } from '../common/user-function-types.js';
import type { ProcessFunctionDef, UserProcessFunction } from '../common/user-function-types.js';

export type UserFunctionKind = 'scalar' | 'aggregate' | 'table' | 'process';

type Checked =
  | { readonly kind: 'scalar'; readonly fn: (...args: unknown[]) => unknown }
  | UserAggregate
  | UserTableFunction
  | UserProcessFunction;

const fail = (name: string, where: string, what: string, span: SourceSpan | undefined): WeirError =>
  new WeirError('BIND', `function ${name}${where}: ${what}`, span);

function requireMethods(name: string, where: string, def: Record<string, unknown>, methods: readonly string[], span: SourceSpan | undefined): void {
  for (const m of methods) {
    if (typeof def[m] !== 'function') {
      throw fail(name, where, `a function of kind '${String(def.kind)}' needs a method '${m}'${def[m] === undefined ? '' : `, got ${typeof def[m]}`}`, span);
    }
  }
}

function returnsType(name: string, where: string, def: Record<string, unknown>, span: SourceSpan | undefined): string {
  if (typeof def.returns !== 'string') {
    throw fail(name, where, `'returns' must be a SQL type name such as 'DOUBLE', got ${def.returns === undefined ? 'nothing' : typeof def.returns}`, span);
  }
  return def.returns;
}

/** `'word STRING, n INT'` as columns. */
export function parseColumnList(text: string): TableColumn[] {
  const cols: TableColumn[] = [];
  // split on commas outside parentheses (DECIMAL(10, 2))
  let depth = 0, start = 0;
  const parts: string[] = [];
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if ((ch === ',' && depth === 0) || i === text.length) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  for (const part of parts) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(.+?)\s*$/.exec(part);
    if (!m) throw new WeirError('OPTION', `expected 'name TYPE' for each column, as 'word STRING, n INT', got '${part.trim()}'`);
    cols.push({ name: m[1]!, type: parseTypeName(m[2]!) });
  }
  return cols;
}

/** Each kind's check of an export; `where` names the module in messages (` of module 'm.js'`). */
const KIND_CHECKS: Readonly<Record<string, (name: string, where: string, def: Record<string, unknown>, span: SourceSpan | undefined) => Checked>> = {
  aggregate: (name, where, def, span) => {
    const returns = returnsType(name, where, def, span);
    requireMethods(name, where, def, ['create', 'accumulate', 'result'], span);
    for (const m of ['retract', 'merge']) {
      if (def[m] !== undefined && typeof def[m] !== 'function') throw fail(name, where, `'${m}' must be a function, got ${typeof def[m]}`, span);
    }
    return { kind: 'aggregate', name, def: def as unknown as AggregateFunctionDef, returns: typed(name, where, () => parseTypeName(returns), span) };
  },
  table: (name, where, def, span) => {
    const returns = returnsType(name, where, def, span);
    requireMethods(name, where, def, ['eval'], span);
    const columns = typed(name, where, () => parseColumnList(returns), span);
    return { kind: 'table', name, def: def as unknown as TableFunctionDef, columns };
  },
  process: (name, where, def, span) => {
    const returns = returnsType(name, where, def, span);
    requireMethods(name, where, def, ['process'], span);
    if (def.onTimer !== undefined && typeof def.onTimer !== 'function') throw fail(name, where, `'onTimer' must be a function, got ${typeof def.onTimer}`, span);
    for (const m of ['process', 'onTimer']) {
      // an async method's rows and state changes would land after its batch committed
      if (Object.prototype.toString.call(def[m]) === '[object AsyncFunction]') throw fail(name, where, `'${m}' is an async function: process functions must be synchronous`, span);
    }
    const columns = typed(name, where, () => parseColumnList(returns), span);
    return { kind: 'process', name, def: def as unknown as ProcessFunctionDef, columns };
  },
};

function typed<T>(name: string, where: string, f: () => T, span: SourceSpan | undefined): T {
  try {
    return f();
  } catch (e) {
    throw fail(name, where, `'returns': ${(e as Error).message}`, span);
  }
}

/**
 * What an export is: a plain function is a scalar function; an object says its kind. Throws a
 * WeirError naming what is missing.
 */
export function checkFunctionExport(name: string, where: string, value: unknown, span: SourceSpan | undefined): Checked {
  if (typeof value === 'function') return { kind: 'scalar', fn: value as (...args: unknown[]) => unknown };
  if (value === null || typeof value !== 'object') {
    throw fail(name, where, `expected a function or an object with a 'kind' ('aggregate', 'table', 'process'), got ${value === null ? 'null' : typeof value}`, span);
  }
  const def = value as Record<string, unknown>;
  const check = typeof def.kind === 'string' ? KIND_CHECKS[def.kind] : undefined;
  if (!check) {
    throw fail(name, where, `unknown kind ${JSON.stringify(def.kind)}: expected one of ${Object.keys(KIND_CHECKS).map((k) => `'${k}'`).join(', ')} (a scalar function is a plain function)`, span);
  }
  return check(name, where, def, span);
}
