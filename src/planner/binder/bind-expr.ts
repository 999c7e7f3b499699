/**
 * Expression binding: AST expressions → bound expressions over the input row of a scope.
 *
 * Operators become calls of the scalar registry (planner/functions.ts) with implicit casts inserted
 * where the resolver's argument types differ from the actual ones. Inside a grouped query the
 * `agg` hooks take over: aggregate calls and window properties become references to the
 * aggregate's output, and any other sub-expression must match a GROUP BY key (see aggregates.ts).
 */
import type { SourceSpan } from '../../common/errors.js';
import { assertNever, WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { commonType, isNumeric, T, typesEqual, typeToString } from '../../common/types.js';
import type { BetweenExpr, BinaryOp, CallExpr, CaseExpr, Expr, ScalarSubqueryExpr } from '../../parser/ast.js';
import type { Catalog } from '../catalog.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import type { ScalarFunctionName } from '../functions.js';
import { resolveScalar, SQL_AGGREGATE_NAMES, SQL_FUNCTION_NAMES } from '../functions.js';
import type { WindowProperty } from './ast-walk.js';
import { groupWindowKind, isAggregateCall, isGroupingCall, needsAggregate, windowProperty } from './ast-walk.js';
import { userAggregateTest } from './user-aggregates.js';
import { canExplicitCast, canImplicitCast, coerce } from './coerce.js';
import { bindInterval, bindLiteral, bindTypedLiteral, numberLiteral } from './literals.js';
import { closestName } from './names.js';
import { checkRegexLiteral } from './regex-patterns.js';
import type { Scope } from './scope.js';
import { fieldAccess } from './scope.js';

/** How a grouped query binds what refers to its aggregate (implemented in aggregates.ts). */
export interface AggregateHooks {
  /** an aggregate call → a reference to its output column */
  aggregate(call: CallExpr): BoundExpr;
  /** `TUMBLE_START(…)` and friends → the window bound keys */
  windowProperty(call: CallExpr, p: WindowProperty): BoundExpr;
  /** an expression over the aggregate's input → the same over its output (keys), or a BIND error */
  overKeys(e: BoundExpr): BoundExpr;
  /** `GROUPING(k, ...)` / `GROUPING_ID(...)` → which of its keys the row's grouping set leaves out (grouping-sets.ts) */
  grouping?(call: CallExpr): BoundExpr;
}

export interface ExprContext {
  readonly catalog: Catalog;
  readonly scope: Scope;
  /** where the expression is, for messages: 'WHERE', 'GROUP BY', 'a computed column', … */
  readonly clause: string;
  readonly agg?: AggregateHooks;
  /** binding the argument of an aggregate call (nested aggregates are an error) */
  readonly inAggregate?: boolean;
  /**
   * A query with GROUP BY: a CREATE FUNCTION module not imported yet (EXPLAIN) is assumed to be an
   * aggregate where it is called outside aggregate arguments (see user-aggregates.ts).
   */
  readonly pendingAsAggregate?: boolean;
  /** the columns of the OVER aggregate calls of a select list (bind-over.ts) */
  readonly overCalls?: ReadonlyMap<CallExpr, BoundExpr>;
  /** the columns uncorrelated scalar subqueries were joined in as (bind-subquery.ts) */
  readonly scalars?: ReadonlyMap<ScalarSubqueryExpr, BoundExpr>;
}

const BINARY_FUNCTIONS: Readonly<Record<BinaryOp, ScalarFunctionName>> = {
  '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '%': 'mod', '||': 'concat',
  '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', AND: 'and', OR: 'or',
  'IS DISTINCT FROM': 'is_distinct_from', 'IS NOT DISTINCT FROM': 'is_not_distinct_from',
};

/** A call of registry function `fn` with the casts its resolver asks for; `display` names it in errors. */
export function callScalar(fn: ScalarFunctionName, args: readonly BoundExpr[], display: string, span: SourceSpan | undefined): BoundExpr {
  const r = resolveScalar(fn, args.map(exprType));
  if (typeof r === 'string') throw new WeirError('TYPE', `${display} ${r}`, span);
  const cast = args.map((a, i) => coerce(a, r.args[i] ?? exprType(a)));
  return span ? { kind: 'call', fn, args: cast, type: r.returns, span } : { kind: 'call', fn, args: cast, type: r.returns };
}

export function requireBoolean(e: BoundExpr, what: string, span: SourceSpan): BoundExpr {
  const t = exprType(e);
  if (t.kind !== 'BOOLEAN' && t.kind !== 'NULL') {
    throw new WeirError('TYPE', `${what} must be a BOOLEAN expression, got ${typeToString(t)}`, span);
  }
  return coerce(e, T.BOOLEAN);
}

export function bindExpr(e: Expr, ctx: ExprContext): BoundExpr {
  if (ctx.agg) {
    const user = userAggregateTest(ctx);
    if (!needsAggregate(e, user)) return ctx.agg.overKeys(bindExpr(e, { ...ctx, agg: undefined }));
    if (isAggregateCall(e, user)) return ctx.agg.aggregate(e as CallExpr);
    if (isGroupingCall(e) && ctx.agg.grouping) return ctx.agg.grouping(e);
    const wp = windowProperty(e);
    if (wp) return ctx.agg.windowProperty(e as CallExpr, wp);
  }
  const sub = (x: Expr): BoundExpr => bindExpr(x, ctx);
  switch (e.kind) {
    case 'literal': return bindLiteral(e);
    case 'interval': return bindInterval(e);
    case 'typedLiteral': return bindTypedLiteral(e);
    case 'column': return ctx.scope.resolve(e.path);
    case 'binary': return callScalar(BINARY_FUNCTIONS[e.op], [sub(e.left), sub(e.right)], `operator '${e.op}'`, e.span);
    case 'unary': {
      if (e.op === '-' && e.operand.kind === 'literal' && e.operand.literalType === 'number') {
        return numberLiteral(`-${String(e.operand.value)}`, e.span);
      }
      const x = sub(e.operand);
      if (e.op === 'NOT') return callScalar('not', [x], 'operator NOT', e.span);
      if (e.op === '-') return callScalar('negate', [x], `operator '-'`, e.span);
      const t = exprType(x);
      if (!isNumeric(t) && t.kind !== 'INTERVAL' && t.kind !== 'NULL') throw new WeirError('TYPE', `operator '+' cannot apply to ${typeToString(t)}: expected a number`, e.span);
      return x;
    }
    case 'is': {
      const x = sub(e.operand);
      const n = e.negated;
      switch (e.test) {
        case 'NULL': return callScalar(n ? 'is_not_null' : 'is_null', [x], `IS ${n ? 'NOT ' : ''}NULL`, e.span);
        case 'TRUE': return callScalar(n ? 'is_not_true' : 'is_true', [x], `IS ${n ? 'NOT ' : ''}TRUE`, e.span);
        case 'FALSE': return callScalar(n ? 'is_not_false' : 'is_false', [x], `IS ${n ? 'NOT ' : ''}FALSE`, e.span);
        case 'UNKNOWN': {
          const b = requireBoolean(x, `the operand of IS ${n ? 'NOT ' : ''}UNKNOWN`, e.span);
          return callScalar(n ? 'is_not_null' : 'is_null', [b], 'IS UNKNOWN', e.span);
        }
        default: return assertNever(e.test, 'IS test');
      }
    }
    case 'between': return bindBetween(e, ctx);
    case 'inList': {
      const call = callScalar('in', [sub(e.operand), ...e.list.map(sub)], 'IN', e.span);
      return e.negated ? callScalar('not', [call], 'NOT IN', e.span) : call;
    }
    // IN / EXISTS as WHERE conditions become semi and anti joins, scalar subqueries in WHERE and a
    // plain SELECT list joins with their one row (bind-subquery.ts); elsewhere they are refused
    case 'inSubquery': throw new WeirError('UNSUPPORTED', `${e.negated ? 'NOT IN' : 'IN'} (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND`, e.span);
    case 'exists': throw new WeirError('UNSUPPORTED', `${e.negated ? 'NOT EXISTS' : 'EXISTS'} (subquery) is not supported yet here: only as a WHERE condition, alone or joined by AND`, e.span);
    case 'scalarSubquery': {
      const joined = ctx.scalars?.get(e);
      if (joined) return joined;
      throw new WeirError('UNSUPPORTED', `a scalar subquery is not supported yet in ${ctx.clause}: only in WHERE and in the SELECT list of a query without GROUP BY`, e.span);
    }
    case 'like': {
      if (e.similar) throw new WeirError('UNSUPPORTED', 'SIMILAR TO is not supported yet', e.span);
      const args = [sub(e.operand), sub(e.pattern), ...(e.escape ? [sub(e.escape)] : [])];
      const call = callScalar('like', args, 'LIKE', e.span);
      return e.negated ? callScalar('not', [call], 'NOT LIKE', e.span) : call;
    }
    case 'case': return bindCase(e, ctx);
    case 'cast': {
      const x = sub(e.operand);
      const from = exprType(x);
      if (!canExplicitCast(from, e.type)) {
        throw new WeirError('TYPE', `cannot cast ${typeToString(from)} to ${typeToString(e.type)}`, e.span);
      }
      if (typesEqual(from, e.type)) return x;
      return { kind: 'cast', operand: x, type: e.type, try: e.try, span: e.span };
    }
    case 'call': return bindCall(e, ctx);
    case 'extract': {
      const unit: BoundExpr = { kind: 'literal', value: e.unit, type: T.VARCHAR, span: e.span };
      return callScalar('extract', [unit, sub(e.operand)], `EXTRACT(${e.unit} FROM ...)`, e.span);
    }
    case 'fieldAccess': return fieldAccess(sub(e.operand), e.field, e.span);
    default: return assertNever(e, 'expression');
  }
}

/** `x BETWEEN a AND b` → x >= a AND x <= b; NOT BETWEEN → x < a OR x > b; SYMMETRIC tries both orders. */
function bindBetween(e: BetweenExpr, ctx: ExprContext): BoundExpr {
  const x = bindExpr(e.operand, ctx);
  const lo = bindExpr(e.low, ctx);
  const hi = bindExpr(e.high, ctx);
  const range = (a: BoundExpr, b: BoundExpr): BoundExpr => e.negated
    ? callScalar('or', [callScalar('lt', [x, a], 'NOT BETWEEN', e.span), callScalar('gt', [x, b], 'NOT BETWEEN', e.span)], 'NOT BETWEEN', e.span)
    : callScalar('and', [callScalar('ge', [x, a], 'BETWEEN', e.span), callScalar('le', [x, b], 'BETWEEN', e.span)], 'BETWEEN', e.span);
  if (!e.symmetric) return range(lo, hi);
  return callScalar(e.negated ? 'and' : 'or', [range(lo, hi), range(hi, lo)], 'BETWEEN SYMMETRIC', e.span);
}

function bindCase(e: CaseExpr, ctx: ExprContext): BoundExpr {
  const operand = e.operand ? bindExpr(e.operand, ctx) : undefined;
  const whens = e.whens.map((w) => {
    const v = bindExpr(w.when, ctx);
    const when = operand ? callScalar('eq', [operand, v], 'CASE ... WHEN', w.when.span) : requireBoolean(v, 'a CASE WHEN condition', w.when.span);
    return { when, then: bindExpr(w.then, ctx) };
  });
  const elseExpr = e.else ? bindExpr(e.else, ctx) : undefined;
  const results = [...whens.map((w) => w.then), ...(elseExpr ? [elseExpr] : [])];
  let type: SqlType | undefined = T.NULL;
  for (const r of results) {
    type = type && commonType(type, exprType(r));
    if (!type) throw new WeirError('TYPE', `CASE branches have no common type: ${results.map((x) => typeToString(exprType(x))).join(', ')}`, e.span);
  }
  return {
    kind: 'case',
    whens: whens.map((w) => ({ when: w.when, then: coerce(w.then, type!) })),
    else: elseExpr ? coerce(elseExpr, type) : undefined,
    type,
    span: e.span,
  };
}

function bindCall(e: CallExpr, ctx: ExprContext): BoundExpr {
  const name = e.name.value.toUpperCase();
  if (e.over) {
    const ref = ctx.overCalls?.get(e);
    if (ref) return ref;
    throw overError(e, name);
  }
  if (isAggregateCall(e, userAggregateTest(ctx))) {
    if (ctx.inAggregate) throw new WeirError('BIND', `aggregate function calls cannot be nested: ${name} inside an aggregate`, e.span);
    throw new WeirError('BIND', `aggregate function ${name} is not allowed in ${ctx.clause}`, e.span);
  }
  // Flink's ARRAY_AGG aggregate is not built yet: refuse it by name rather than as an unknown function
  if (name === 'ARRAY_AGG' && !ctx.catalog.getFunction(e.name.value)) {
    throw new WeirError('UNSUPPORTED', 'ARRAY_AGG is not supported yet (COLLECT(x) aggregates into a MULTISET)', e.span);
  }
  const gw = groupWindowKind(e);
  if (gw) {
    throw new WeirError('BIND', `${gw}(...) is only allowed as a group window in GROUP BY; in FROM use TABLE(${gw}(TABLE t, DESCRIPTOR(ts), ...))`, e.span);
  }
  const wp = windowProperty(e);
  if (wp) throw new WeirError('BIND', `${name} is only allowed in the SELECT list or HAVING of a query grouped by ${wp.window}(...)`, e.span);
  if (e.star) throw new WeirError('TYPE', `${name}(*) is not allowed: '*' is only an argument of COUNT`, e.span);
  if (e.distinct) throw new WeirError('BIND', `DISTINCT is only allowed in aggregate functions, not in ${name}`, e.span);
  if (e.filter) throw new WeirError('BIND', `FILTER (WHERE ...) is only allowed for aggregate functions, not for ${name}`, e.filter.span);
  const args = e.args.map((a) => bindExpr(a, ctx));
  const fn = timeRounding(name, args) ?? SQL_FUNCTION_NAMES[name];
  if (fn) {
    checkRegexLiteral(fn, args);
    // the collection syntaxes are named in errors as written: ARRAY[...], MAP[...], '[...]'
    const display = fn === 'array_value' ? 'ARRAY[...]' : fn === 'map_value' ? 'MAP[...]' : fn === 'item' ? "'[...]'" : name;
    return callScalar(fn, args, display, e.span);
  }
  const udf = ctx.catalog.getFunction(e.name.value);
  if (udf?.functionKind === 'table') {
    throw new WeirError('BIND', `${name} is a table function: call it in FROM as LATERAL TABLE(${e.name.value}(...)), not in ${ctx.clause}`, e.span);
  }
  if (udf) {
    if (udf.arity !== undefined && udf.arity !== args.length) {
      throw new WeirError('TYPE', `${name} expects ${udf.arity} argument${udf.arity === 1 ? '' : 's'}, got ${args.length}`, e.span);
    }
    const typed = udf.params === undefined ? args : args.map((a, i) => {
      const want = udf.params![i]!;
      const got = exprType(a);
      if (!canImplicitCast(got, want)) {
        throw new WeirError('TYPE', `${name} expects ${typeToString(want)} as argument ${i + 1}, got ${typeToString(got)}`, e.args[i]?.span ?? e.span);
      }
      return coerce(a, want);
    });
    // a module not imported yet (EXPLAIN): its result type is unknown until run, bound as untyped
    return { kind: 'udf', name: udf.name, args: typed, type: udf.returns ?? T.NULL, span: e.span };
  }
  const known = [...Object.keys(SQL_FUNCTION_NAMES), ...Object.keys(SQL_AGGREGATE_NAMES)];
  const close = closestName(name, known);
  throw new WeirError('BIND', `function '${e.name.value}' not found${close ? `; did you mean '${close}'?` : ''}`, e.name.span);
}

/**
 * A call with OVER where Weir cannot run it. An aggregate OVER a window runs as an item of a SELECT
 * list (bind-over.ts), ROW_NUMBER() as a Top-N only when it is a whole item of a SELECT list
 * (bind-select.ts takes it there); everything else with OVER is refused with what is supported.
 */
function overError(e: CallExpr, name: string): WeirError {
  const topN = 'ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rn as an item of a SELECT list without GROUP BY, ' +
    'in a subquery filtered with rn <= N (Top-N and deduplication)';
  if (name === 'ROW_NUMBER') return new WeirError('UNSUPPORTED', `ROW_NUMBER() OVER (...) is only supported as ${topN}`, e.span);
  if (SQL_AGGREGATE_NAMES[name] !== undefined) {
    // as in Flink, an OVER aggregate is computed for the rows a SELECT list returns, after WHERE
    return new WeirError('BIND', `${name}(...) OVER (...) can only be used in a SELECT list: select it in a subquery and filter or group outside it`, e.span);
  }
  return new WeirError('UNSUPPORTED', `${name}() OVER (...) is not supported yet; OVER runs the aggregate functions (COUNT, SUM, AVG, MIN, MAX, `
    + 'FIRST_VALUE, LAST_VALUE, LISTAGG, …) over ROWS or RANGE frames in a SELECT list, and ROW_NUMBER, RANK or DENSE_RANK as a Top-N', e.span);
}

/** `FLOOR(ts TO HOUR)` arrives as FLOOR(ts, 'HOUR'): the time-rounding functions, not the numeric ones. */
function timeRounding(name: string, args: readonly BoundExpr[]): ScalarFunctionName | undefined {
  if ((name !== 'FLOOR' && name !== 'CEIL' && name !== 'CEILING') || args.length !== 2) return undefined;
  const t = exprType(args[0]!).kind;
  if (t !== 'TIMESTAMP' && t !== 'DATE') return undefined;
  return name === 'FLOOR' ? 'floor_time' : 'ceil_time';
}
