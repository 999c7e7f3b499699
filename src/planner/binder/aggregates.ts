/**
 * Grouped queries: GROUP BY keys (plain expressions, or a group window), aggregate calls collected
 * from SELECT and HAVING, and the select list rewritten over the aggregate's output.
 *
 * The plan is: input → [window TVF for a group window] → aggregate(keys, calls) → [filter HAVING]
 * → project(select list). A select expression is bound over the input first and then matched,
 * top-down, against the keys; a column left over is an error, as in every SQL engine.
 */
import { WeirError } from '../../common/errors.js';
import { isCollection, T, typeToString } from '../../common/types.js';
import type { CallExpr, Expr, SelectQuery } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { exprType, lit } from '../expr.js';
import { exprKey } from '../expr-key.js';
import type { AggregateCall, LogicalPlan } from '../logical/plan.js';
import { aggregate, filter, project, union, windowTvf } from '../logical/plan.js';
import { SQL_AGGREGATE_NAMES, resolveAggregate } from '../functions.js';
import { aggregateWindow, windowBoundsOf } from '../window-bounds.js';
import { groupWindowKind, isAggregateCall } from './ast-walk.js';
import type { AggregateHooks, ExprContext } from './bind-expr.js';
import { bindExpr, callScalar, requireBoolean } from './bind-expr.js';
import type { BoundQuery } from './context.js';
import { coerce } from './coerce.js';
import type { GroupWindow } from './group-window.js';
import { argsKeyOf, bindGroupWindow } from './group-window.js';
import type { ExpandedGroupingSets } from './grouping-sets.js';
import { expandedKeyColumns, expandGroupingSets, groupingValue, SET_ORDINAL } from './grouping-sets.js';
import type { Scope } from './scope.js';
import { bindUserAggregate, userAggregateTest } from './user-aggregates.js';
import type { SelectColumn } from './select-items.js';
import { expandSelectItems, uniqueNames } from './select-items.js';

/** A column name for a grouping key: the column or field it is, else `$f<i>` (as Calcite). */
function keyName(e: BoundExpr, i: number): string {
  return e.kind === 'column' || e.kind === 'field' ? e.name : `$f${i}`;
}

/** The name of a key or field chain for messages: `bid.price`. */
function chainName(e: BoundExpr): string {
  if (e.kind === 'field') return `${chainName(e.operand)}.${e.name}`;
  if (e.kind === 'column') return e.name;
  return '';
}

/** Apply `f` to the direct children of `e` (a top-down rewrite step). */
function mapChildren(e: BoundExpr, f: (x: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'column': case 'literal': return e;
    case 'field': return { ...e, operand: f(e.operand) };
    case 'call': return { ...e, args: e.args.map(f) };
    case 'udf': return { ...e, args: e.args.map(f) };
    case 'cast': return { ...e, operand: f(e.operand) };
    case 'case': return { ...e, whens: e.whens.map((w) => ({ when: f(w.when), then: f(w.then) })), else: e.else ? f(e.else) : undefined };
  }
}

class GroupBinder implements AggregateHooks {
  readonly calls: AggregateCall[] = [];
  readonly callNames: string[] = [];
  private readonly callKeys: string[] = [];
  private readonly keyKeys: string[];
  /** the output name to give the next aggregate call (the select item it is, when it is a whole item) */
  nameHint: string | undefined;
  /** with GROUPING SETS, ROLLUP or CUBE: the expansion (its set ordinal is the last key) */
  expanded: ExpandedGroupingSets | undefined;

  constructor(
    private readonly ctx: ExprContext,
    readonly keys: readonly BoundExpr[],
    readonly keyNames: readonly string[],
    private readonly window: { readonly gw: GroupWindow; readonly startKey: number; readonly endKey: number } | undefined,
  ) {
    this.keyKeys = keys.map(exprKey);
  }

  private keyRef(k: number, span = this.keys[k]!.span): BoundExpr {
    const base = { kind: 'column' as const, index: k, name: this.keyNames[k]!, type: exprType(this.keys[k]!) };
    return span ? { ...base, span } : base;
  }

  private matchesKey(e: BoundExpr): boolean {
    if (this.keyKeys.includes(exprKey(e))) return true;
    const kids: BoundExpr[] = [];
    mapChildren(e, (x) => (kids.push(x), x));
    return kids.some((x) => this.matchesKey(x));
  }

  overKeys(e: BoundExpr): BoundExpr {
    const k = this.keyKeys.indexOf(exprKey(e));
    if (k >= 0) return this.keyRef(k, e.span);
    if (e.kind === 'column' || (e.kind === 'field' && !this.matchesKey(e))) {
      throw new WeirError('BIND', `expression '${chainName(e)}' must appear in GROUP BY or be used in an aggregate function`, e.span);
    }
    return mapChildren(e, (x) => this.overKeys(x));
  }

  aggregate(call: CallExpr): BoundExpr {
    const name = call.name.value.toUpperCase();
    const argCtx: ExprContext = { catalog: this.ctx.catalog, scope: this.ctx.scope, clause: 'an aggregate argument', inAggregate: true };
    if (SQL_AGGREGATE_NAMES[name] === undefined) return this.add(bindUserAggregate(call, argCtx));
    let fn = SQL_AGGREGATE_NAMES[name]!;
    let arg: BoundExpr | undefined;
    if (call.star) {
      if (fn !== 'count') throw new WeirError('TYPE', `${name}(*) is not allowed: '*' is only an argument of COUNT`, call.span);
      fn = 'count_star';
    } else {
      if (call.args.length !== 1 && !(fn === 'listagg' && call.args.length === 2)) {
        throw new WeirError('TYPE', `${name} expects ${fn === 'listagg' ? '1 or 2 arguments' : '1 argument'}, got ${call.args.length}`, call.span);
      }
      arg = bindExpr(call.args[0]!, argCtx);
    }
    const separator = fn === 'listagg' ? listaggSeparator(call) : undefined;
    const r = resolveAggregate(fn, arg ? exprType(arg) : undefined);
    if (typeof r === 'string') throw new WeirError('TYPE', r.startsWith(name) ? r : `${name} ${r}`, call.span);
    if (arg) arg = coerce(arg, r.args[0]!);
    if (call.distinct && arg && isCollection(exprType(arg))) {
      throw new WeirError('UNSUPPORTED', `${name}(DISTINCT …) of ${typeToString(exprType(arg))} values is not supported yet`, call.span);
    }
    const filterExpr = call.filter
      ? requireBoolean(bindExpr(call.filter, { ...argCtx, clause: 'FILTER (WHERE ...)' }), 'the FILTER condition', call.filter.span)
      : undefined;
    return this.add({ fn, arg, distinct: call.distinct, filter: filterExpr, type: r.returns, ...(separator !== undefined ? { separator } : {}), span: call.span });
  }

  /** The column of aggregate call `ac` (the same call twice is computed once). */
  private add(ac: AggregateCall): BoundExpr {
    const { fn, arg, distinct, filter: filterExpr, span } = ac;
    const key = JSON.stringify([fn, arg && exprKey(arg), distinct, filterExpr && exprKey(filterExpr), ac.separator]);
    let i = this.callKeys.indexOf(key);
    if (i < 0) {
      i = this.calls.length;
      this.calls.push(ac);
      this.callKeys.push(key);
      this.callNames.push(this.nameHint ?? `$f${this.keys.length + i}`);
    }
    this.nameHint = undefined;
    return { kind: 'column', index: this.keys.length + i, name: this.callNames[i]!, type: ac.type, ...(span ? { span } : {}) };
  }

  grouping(call: CallExpr): BoundExpr {
    const name = call.name.value.toUpperCase();
    if (!this.expanded) {
      // without grouping sets every key is in the one set: GROUPING(k) is 0 for a key, an error otherwise
      const argCtx: ExprContext = { ...this.ctx, agg: undefined };
      for (const a of call.args) {
        if (!this.keyKeys.includes(exprKey(bindExpr(a, argCtx)))) {
          throw new WeirError('BIND', `the argument of ${name} must be a grouping expression of GROUP BY`, a.span);
        }
      }
      if (call.args.length === 0) throw new WeirError('BIND', `${name} expects one or more grouping columns`, call.span);
      return { kind: 'literal', value: 0, type: T.BIGINT, span: call.span };
    }
    return groupingValue(call, this.expanded, this.keyRef(this.keys.length - 1, call.span), this.ctx);
  }

  windowProperty(call: CallExpr, p: { window: string; property: string }): BoundExpr {
    const name = call.name.value.toUpperCase();
    const w = this.window;
    if (!w) throw new WeirError('BIND', `${name} requires GROUP BY ${p.window}(...)`, call.span);
    if (w.gw.kind !== p.window || argsKeyOf(call, this.ctx) !== w.gw.argsKey) {
      throw new WeirError('BIND', `${name} must have the same arguments as the group window ${w.gw.kind}(...) in GROUP BY`, call.span);
    }
    switch (p.property) {
      case 'START': return this.keyRef(w.startKey, call.span);
      case 'END': return this.keyRef(w.endKey, call.span);
      case 'ROWTIME': {
        const oneMs: BoundExpr = { kind: 'literal', value: 1, type: T.INTERVAL };
        return callScalar('subtract', [this.keyRef(w.endKey, call.span), oneMs], name, call.span);
      }
      default:
        throw new WeirError('UNSUPPORTED', `${name} is not supported yet`, call.span);
    }
  }
}

export function bindGrouped(q: SelectQuery, input: LogicalPlan, scope: Scope, ctx: ExprContext): BoundQuery {
  const gctx: ExprContext = { ...ctx, scope, clause: 'GROUP BY' };
  if (q.groupingSets) return bindGroupingSets(q, q.groupingSets.sets, input, scope, ctx);
  let gw: GroupWindow | undefined;
  let gwPos = -1;
  const plainKeys: { expr: BoundExpr; pos: number }[] = [];
  q.groupBy.forEach((g, pos) => {
    const kind = groupWindowKind(g);
    if (kind) {
      if (gw) throw new WeirError('BIND', 'only one group window is allowed in GROUP BY', g.span);
      gw = bindGroupWindow(g as CallExpr, kind, gctx);
      gwPos = pos;
    } else {
      plainKeys.push({ expr: bindExpr(g, gctx), pos });
    }
  });

  let aggInput = input;
  const keys: BoundExpr[] = [];
  let windowKeys: { startKey: number; endKey: number } | undefined;
  if (gw) {
    const spec = gw.spec.kind === 'session' ? { ...gw.spec, partitionBy: plainKeys.map((k) => k.expr) } : gw.spec;
    aggInput = windowTvf(input, spec, gw.timeColumn, gw.call.span);
    const n = input.schema.columns.length;
    const cols = aggInput.schema.columns;
    let next = 0;
    q.groupBy.forEach((_, pos) => {
      if (pos !== gwPos) {
        keys.push(plainKeys[next++]!.expr);
        return;
      }
      // The window's bounds take the group window's place among the keys.
      windowKeys = { startKey: keys.length, endKey: keys.length + 1 };
      keys.push({ kind: 'column', index: n, name: cols[n]!.name, type: cols[n]!.type },
        { kind: 'column', index: n + 1, name: cols[n + 1]!.name, type: cols[n + 1]!.type });
    });
  } else {
    keys.push(...plainKeys.map((k) => k.expr));
  }
  const keyNames = uniqueNames(keys.map(keyName));
  const binder = new GroupBinder(gctx, keys, keyNames, gw && windowKeys ? { gw, ...windowKeys } : undefined);

  const sctx: ExprContext = { ...ctx, scope, clause: 'SELECT', agg: binder };
  const columns: SelectColumn[] = expandSelectItems(q.items, scope);
  const exprs = columns.map((c) => {
    if (c.kind === 'star') return binder.overKeys(c.expr);
    if (isAggregateCall(c.ast, userAggregateTest(sctx))) binder.nameHint = c.name;
    return bindExpr(c.ast, sctx);
  });
  const having = q.having ? requireBoolean(bindExpr(q.having, { ...sctx, clause: 'HAVING' }), 'HAVING clause', q.having.span) : undefined;

  const window = gw ? windowKeys : aggregateWindow(aggInput, keys as readonly { kind: string; index?: number }[]);
  let plan: LogicalPlan = aggregate(aggInput, keys, keyNames, binder.calls, binder.callNames, window);
  if (having) plan = filter(plan, having);
  plan = project(plan, exprs, uniqueNames(columns.map((c) => c.name)));
  return { plan, spans: columns.map((c) => c.span) };
}

/** GROUP BY with GROUPING SETS, ROLLUP or CUBE: an aggregation over their expansion (grouping-sets.ts). */
function bindGroupingSets(q: SelectQuery, sets: readonly (readonly Expr[])[], input: LogicalPlan, scope: Scope, ctx: ExprContext): BoundQuery {
  const gctx: ExprContext = { ...ctx, scope, clause: 'GROUP BY' };
  for (const g of q.groupBy) {
    if (groupWindowKind(g)) {
      throw new WeirError('UNSUPPORTED', 'a group window (TUMBLE(...) in GROUP BY) with GROUPING SETS, ROLLUP or CUBE is not supported yet: ' +
        'group a window table function by window_start, window_end and the sets', g.span);
    }
  }
  const expanded = expandGroupingSets(sets, input, gctx);
  const aggKeys = expandedKeyColumns(expanded);
  const ordinal: BoundExpr = { kind: 'column', index: -1, name: SET_ORDINAL, type: T.INT }; // matches no expression of the query
  const keyNames = uniqueNames([...expanded.keys.map(keyName), SET_ORDINAL]);
  const binder = new GroupBinder(gctx, [...expanded.keys, ordinal], keyNames, undefined);
  binder.expanded = expanded;
  const sctx: ExprContext = { ...ctx, scope, clause: 'SELECT', agg: binder };
  const columns: SelectColumn[] = expandSelectItems(q.items, scope);
  const exprs = columns.map((c) => {
    if (c.kind === 'star') return binder.overKeys(c.expr);
    if (isAggregateCall(c.ast)) binder.nameHint = c.name;
    return bindExpr(c.ast, sctx);
  });
  const having = q.having ? requireBoolean(bindExpr(q.having, { ...sctx, clause: 'HAVING' }), 'HAVING clause', q.having.span) : undefined;
  let plan: LogicalPlan = windowedGroupingSets(input, expanded, keyNames, binder)
    ?? aggregate(expanded.plan, aggKeys, keyNames, binder.calls, binder.callNames, aggregateWindow(expanded.plan, aggKeys as readonly { kind: string; index?: number }[]));
  if (having) plan = filter(plan, having);
  plan = project(plan, exprs, uniqueNames(columns.map((c) => c.name)));
  return { plan, spans: columns.map((c) => c.span) };
}

/**
 * Grouping sets of a window aggregation over a window TVF (window_start and window_end in every set,
 * as Flink requires): one window aggregation per set over the shared input, each emitting a window's
 * rows once when the watermark closes it, laid out as the expanded aggregation's output (keys, NULL
 * for those not in the set, the set ordinal, the aggregates) and put together by UNION ALL, so the
 * result stays append-only. Undefined when the query is no such window aggregation.
 */
function windowedGroupingSets(input: LogicalPlan, expanded: ExpandedGroupingSets, keyNames: readonly string[], binder: GroupBinder): LogicalPlan | undefined {
  const bounds = windowBoundsOf(input);
  if (!bounds) return undefined;
  const keyAt = (col: number): number => expanded.keys.findIndex((k) => k.kind === 'column' && k.index === col);
  const start = keyAt(bounds.start), end = keyAt(bounds.end);
  if (start < 0 || end < 0 || !expanded.membership.every((m) => m[start] && m[end])) return undefined;
  const branches = expanded.membership.map((member, s) => {
    const setKeys = expanded.keys.filter((_, k) => member[k]);
    const names = keyNames.filter((_, k) => k < expanded.keys.length && member[k]);
    const agg = aggregate(input, setKeys, names, binder.calls, binder.callNames, aggregateWindow(input, setKeys as readonly { kind: string; index?: number }[]));
    const cols = agg.schema.columns;
    const ref = (i: number): BoundExpr => ({ kind: 'column', index: i, name: cols[i]!.name, type: cols[i]!.type });
    let next = 0;
    const keys = expanded.keys.map((k, i) => (member[i] ? ref(next++) : lit(null, exprType(k))));
    return project(agg, [...keys, lit(s, T.INT), ...binder.calls.map((_, c) => ref(setKeys.length + c))], [...keyNames, ...binder.callNames]);
  });
  if (branches.length === 1) return branches[0]!;
  const first = branches[0]!.schema.columns;
  return union(branches, { columns: first.map((c, i) => (i < expanded.keys.length ? { ...c, nullable: true } : c)) });
}

export function isGrouped(q: SelectQuery, needsAgg: (e: Expr) => boolean): boolean {
  return q.groupBy.length > 0 || q.having !== undefined || q.items.some((i) => i.kind === 'expr' && needsAgg(i.expr));
}

/** LISTAGG's second argument, its separator: a string literal, as in Flink (undefined when absent). */
export function listaggSeparator(call: CallExpr): string | undefined {
  const sep = call.args[1];
  if (!sep) return undefined;
  if (sep.kind !== 'literal' || sep.literalType !== 'string' || typeof sep.value !== 'string') {
    throw new WeirError('TYPE', 'LISTAGG\'s separator must be a string literal, such as LISTAGG(name, \'; \')', sep.span);
  }
  return sep.value;
}
