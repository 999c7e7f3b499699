/**
 * Bound expressions: what the binder makes of AST expressions once names and types are resolved.
 * The executor compiles these into kernels over Arrow columns (src/executor/expr).
 *
 * Every operator and function is a `call` to a name of the scalar function registry
 * (planner/functions.ts); the binder has already inserted the implicit casts, so a kernel sees
 * arguments of exactly the types the signature names. `span` points into the SQL text for run-time
 * errors (a UDF that throws, a bad CAST).
 */
import type { SourceSpan } from '../common/errors.js';
import { decimalToText } from '../common/decimal.js';
import { assertNever } from '../common/errors.js';
import type { SqlType } from '../common/types.js';
import { typeToString } from '../common/types.js';
import type { ScalarFunctionName } from './functions.js';

export type BoundExpr =
  | ColumnRef
  | FieldRef
  | Literal
  | Call
  | Cast
  | Case
  | UdfCall;

export type BoundExprKind = BoundExpr['kind'];

/** Column `index` of the input relation. */
export interface ColumnRef {
  readonly kind: 'column';
  readonly index: number;
  readonly name: string;
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

/** Field `fieldIndex` of a ROW-typed value (`bid.price`). Null when the row is null. */
export interface FieldRef {
  readonly kind: 'field';
  readonly operand: BoundExpr;
  readonly fieldIndex: number;
  readonly name: string;
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

/**
 * A constant. Values follow the JS value table of common/types.ts: numbers for numeric and temporal
 * types (TIMESTAMP as epoch ms, DATE as days, INTERVAL as ms), strings, booleans, null.
 */
export interface Literal {
  readonly kind: 'literal';
  readonly value: number | bigint | string | boolean | null;
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

export interface Call {
  readonly kind: 'call';
  readonly fn: ScalarFunctionName;
  readonly args: readonly BoundExpr[];
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

export interface Cast {
  readonly kind: 'cast';
  readonly operand: BoundExpr;
  readonly type: SqlType;
  /** TRY_CAST: null instead of an error when the value does not convert */
  readonly try: boolean;
  /**
   * Set on the casts INSERT makes from one numeric type to another (store assignment, as DuckDB's
   * INSERT and Spark's ANSI store assignment): the value is rounded to the column's type (DOUBLE and
   * FLOAT to integers half to even, DECIMAL half-up) and a value out of the column's range is an
   * error naming the column, where an explicit CAST truncates as Flink does.
   */
  readonly assign?: StoreTarget;
  readonly span?: SourceSpan;
}

/** The sink column a store-assignment cast writes, for its errors. */
export interface StoreTarget {
  readonly table: string;
  readonly column: string;
}

/** Searched CASE (the binder rewrites the simple form `CASE x WHEN v` into `x = v` conditions). */
export interface Case {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
  readonly else: BoundExpr | undefined;
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

/** A user-defined scalar function (CREATE FUNCTION or engine.registerFunction), by registered name. */
export interface UdfCall {
  readonly kind: 'udf';
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly type: SqlType;
  readonly span?: SourceSpan;
}

export function exprType(e: BoundExpr): SqlType {
  switch (e.kind) {
    case 'column': case 'field': case 'literal': case 'call': case 'cast': case 'case': case 'udf':
      return e.type;
    default:
      return assertNever(e, 'expression');
  }
}

export const col = (index: number, name: string, type: SqlType): ColumnRef => ({ kind: 'column', index, name, type });
export const lit = (value: Literal['value'], type: SqlType): Literal => ({ kind: 'literal', value, type });

/** Children of an expression, for generic walks (constant folding, column collection). */
export function exprChildren(e: BoundExpr): readonly BoundExpr[] {
  switch (e.kind) {
    case 'column': case 'literal': return [];
    case 'field': return [e.operand];
    case 'call': case 'udf': return e.args;
    case 'cast': return [e.operand];
    case 'case': {
      const out: BoundExpr[] = [];
      for (const w of e.whens) out.push(w.when, w.then);
      if (e.else) out.push(e.else);
      return out;
    }
    default: return assertNever(e, 'expression');
  }
}

/** Rebuild an expression bottom-up with `f` applied to each node after its children. */
export function mapExpr(e: BoundExpr, f: (e: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'column': case 'literal': return f(e);
    case 'field': return f({ ...e, operand: mapExpr(e.operand, f) });
    case 'call': return f({ ...e, args: e.args.map((a) => mapExpr(a, f)) });
    case 'udf': return f({ ...e, args: e.args.map((a) => mapExpr(a, f)) });
    case 'cast': return f({ ...e, operand: mapExpr(e.operand, f) });
    case 'case':
      return f({
        ...e,
        whens: e.whens.map((w) => ({ when: mapExpr(w.when, f), then: mapExpr(w.then, f) })),
        else: e.else ? mapExpr(e.else, f) : undefined,
      });
    default: return assertNever(e, 'expression');
  }
}

/** Input column indices an expression reads. */
export function columnsUsed(e: BoundExpr, into = new Set<number>()): Set<number> {
  if (e.kind === 'column') into.add(e.index);
  for (const c of exprChildren(e)) columnsUsed(c, into);
  return into;
}

/** Rewrite column indices (after projection pruning or pushdown through a projection). */
export function remapColumns(e: BoundExpr, map: (index: number) => number): BoundExpr {
  return mapExpr(e, (x) => (x.kind === 'column' ? { ...x, index: map(x.index) } : x));
}

/** SQL-like text of an expression, for EXPLAIN. */
export function exprToString(e: BoundExpr): string {
  switch (e.kind) {
    case 'column': return `${e.name}#${e.index}`;
    case 'field': return `${exprToString(e.operand)}.${e.name}`;
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'string') return `'${e.value.replace(/'/g, "''")}'`;
      if (e.type.kind === 'TIMESTAMP') return `TIMESTAMP '${new Date(e.value as number).toISOString().replace('T', ' ').replace('Z', '')}'`;
      if (e.type.kind === 'INTERVAL') return `INTERVAL '${e.value}' MILLISECOND`;
      if (e.type.kind === 'DECIMAL' && (typeof e.value === 'number' || typeof e.value === 'bigint')) return decimalToText(e.value, e.type.scale);
      return String(e.value);
    case 'call':
      // the collection syntaxes print as written
      if (e.fn === 'array_value') return `ARRAY[${e.args.map(exprToString).join(', ')}]`;
      if (e.fn === 'map_value') return `MAP[${e.args.map(exprToString).join(', ')}]`;
      if (e.fn === 'item') return `${exprToString(e.args[0]!)}[${exprToString(e.args[1]!)}]`;
      return `${e.fn}(${e.args.map(exprToString).join(', ')})`;
    case 'udf': return `${e.name}(${e.args.map(exprToString).join(', ')})`;
    case 'cast': return `${e.assign ? 'STORE' : e.try ? 'TRY_CAST' : 'CAST'}(${exprToString(e.operand)} AS ${typeToString(e.type)})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${exprToString(w.when)} THEN ${exprToString(w.then)}`).join(' ')}${
        e.else ? ` ELSE ${exprToString(e.else)}` : ''} END`;
    default: return assertNever(e, 'expression');
  }
}

/** The text of an expression for a user's error message: columns by name alone (no `#index`). */
export function exprForUser(e: BoundExpr): string {
  return exprToString(e).replace(/(\w)#\d+\b/g, '$1');
}

/** Deterministic: the same inputs always give the same value (PROCTIME() and UDFs may not). */
export function isDeterministic(e: BoundExpr): boolean {
  if (e.kind === 'udf') return false;
  if (e.kind === 'call' && (e.fn === 'proctime' || e.fn === 'current_timestamp' || e.fn === 'current_date' || e.fn === 'rand')) return false;
  return exprChildren(e).every(isDeterministic);
}
