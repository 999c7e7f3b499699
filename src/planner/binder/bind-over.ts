/**
 * OVER aggregates in a SELECT list (without GROUP BY): `agg(x) OVER (PARTITION BY … ORDER BY t
 * <frame>)` anywhere in a select item. Calls with the same window share one OverAggregate node
 * (logical/over.ts); each window is one node over the previous one, and the select list reads the
 * calls' columns through `ExprContext.overCalls`.
 *
 * As Flink: ORDER BY one time column, ascending (the planner checks it is a time attribute); the
 * frame ends at CURRENT ROW (FOLLOWING is refused "not supported yet" at its position); ROWS take a
 * row count, RANGE an INTERVAL; no frame means RANGE UNBOUNDED PRECEDING (the SQL default).
 */
import { WeirError } from '../../common/errors.js';
import { isInteger, typeToString } from '../../common/types.js';
import type { CallExpr, Expr, OverSpec, SelectQuery, WindowFrameBound } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import { exprKey } from '../expr-key.js';
import { resolveAggregate, SQL_AGGREGATE_NAMES } from '../functions.js';
import type { AggregateCall, LogicalPlan, OverFrame } from '../logical/plan.js';
import { overAggregate } from '../logical/plan.js';
import { foldExpr } from '../rules/fold.js';
import { astChildren } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import { listaggSeparator } from './aggregates.js';
import { coerce } from './coerce.js';
import { constantInterval } from './window-tvf.js';

const isOverAggregate = (e: Expr): e is CallExpr =>
  e.kind === 'call' && e.over !== undefined && SQL_AGGREGATE_NAMES[e.name.value.toUpperCase()] !== undefined;

/** The OVER aggregate calls in select items, in order (each with the item's name when it is the whole item). */
export function overAggregateCalls(items: readonly { readonly ast?: Expr; readonly name: string }[]): { call: CallExpr; name: string | undefined }[] {
  const out: { call: CallExpr; name: string | undefined }[] = [];
  const walk = (e: Expr, whole: string | undefined): void => {
    if (isOverAggregate(e)) out.push({ call: e, name: whole });
    for (const c of astChildren(e)) walk(c, undefined);
  };
  for (const it of items) if (it.ast) walk(it.ast, it.name);
  return out;
}

/** The OVER windows of `calls` over `input`: the plan with their columns, and each call's column. */
export function bindOverAggregates(
  calls: readonly { call: CallExpr; name: string | undefined }[], input: LogicalPlan, ctx: ExprContext,
  named: NonNullable<SelectQuery['windows']> = [],
): { plan: LogicalPlan; refs: Map<CallExpr, BoundExpr> } {
  named.forEach((w, i) => {
    const twin = named.findIndex((x) => x.name.value.toLowerCase() === w.name.value.toLowerCase());
    if (twin !== i) throw new WeirError('BIND', `window '${w.name.value}' is defined twice in the WINDOW clause`, w.name.span);
  });
  const refs = new Map<CallExpr, BoundExpr>();
  const windows = new Map<string, { window: BoundWindow; calls: AggregateCall[]; names: string[]; owners: CallExpr[][] }>();
  for (const { call, name } of calls) {
    const window = bindWindow(resolveNamed(call.over!, named), ctx);
    const key = JSON.stringify([window.partitionBy.map(exprKey), window.timeColumn, window.frame.unit, String(window.frame.preceding)]);
    let w = windows.get(key);
    if (!w) windows.set(key, w = { window, calls: [], names: [], owners: [] });
    const ac = bindCall(call, ctx);
    const same = w.calls.findIndex((c) => JSON.stringify([c.fn, c.arg && exprKey(c.arg), c.filter && exprKey(c.filter)])
      === JSON.stringify([ac.fn, ac.arg && exprKey(ac.arg), ac.filter && exprKey(ac.filter)]));
    if (same >= 0) w.owners[same]!.push(call);
    else {
      w.calls.push(ac);
      w.names.push(name ?? `w${windows.size - 1}$o${w.calls.length - 1}`);
      w.owners.push([call]);
    }
  }
  let plan = input;
  for (const w of windows.values()) {
    const width = plan.schema.columns.length;
    plan = overAggregate(plan, { ...w.window, calls: w.calls, callNames: w.names, sort: false });
    w.owners.forEach((owners, i) => {
      for (const call of owners) refs.set(call, { kind: 'column', index: width + i, name: w.names[i]!, type: w.calls[i]!.type, span: call.span });
    });
  }
  return { plan, refs };
}

/** `OVER w`: the definition of `w` in the WINDOW clause. */
function resolveNamed(over: OverSpec, named: NonNullable<SelectQuery['windows']>): OverSpec {
  if (!over.name) return over;
  const id = over.name;
  const hit = named.find((w) => w.name.value === id.value) ?? named.find((w) => w.name.value.toLowerCase() === id.value.toLowerCase());
  if (!hit) {
    const known = named.map((w) => w.name.value);
    throw new WeirError('BIND', `window '${id.value}' is not defined${known.length > 0 ? `: the WINDOW clause defines ${known.join(', ')}` : ': add WINDOW ' + id.value + ' AS (PARTITION BY … ORDER BY …) after the WHERE (and GROUP BY, HAVING)'}`, id.span);
  }
  return hit.spec;
}

interface BoundWindow {
  readonly partitionBy: readonly BoundExpr[];
  readonly timeColumn: number;
  readonly frame: OverFrame;
  readonly span: OverSpec['span'];
}

function bindWindow(over: OverSpec, ctx: ExprContext): BoundWindow {
  const partitionBy = over.partitionBy.map((e) => {
    const b = bindExpr(e, { ...ctx, clause: 'PARTITION BY' });
    if (exprType(b).kind === 'ROW') throw new WeirError('TYPE', `cannot PARTITION BY a value of type ${typeToString(exprType(b))}`, e.span);
    return b;
  });
  if (over.orderBy.length === 0) {
    throw new WeirError('BIND', "OVER windows' ordering in stream mode must be defined on a time attribute: add ORDER BY <rowtime>", over.span);
  }
  if (over.orderBy.length > 1) {
    throw new WeirError('UNSUPPORTED', 'an OVER window can only be ordered by a single time attribute', over.orderBy[1]!.span);
  }
  const o = over.orderBy[0]!;
  if (o.descending) throw new WeirError('UNSUPPORTED', "OVER windows' ordering in stream mode must be defined on a time attribute ascending: DESC is not supported", o.span);
  const t = bindExpr(o.expr, { ...ctx, clause: 'the ORDER BY of OVER' });
  const kind = exprType(t).kind;
  if (t.kind !== 'column' || kind !== 'TIMESTAMP') {
    throw new WeirError('PLAN',
      `OVER windows' ordering in stream mode must be defined on a time attribute, got ${t.kind === 'column' ? `'${t.name}' of type ${typeToString(exprType(t))}` : 'an expression'}`,
      o.expr.span);
  }
  return { partitionBy, timeColumn: t.index, frame: bindFrame(over, ctx), span: over.span };
}

function bindFrame(over: OverSpec, ctx: ExprContext): OverFrame {
  const f = over.frame;
  if (!f) return { unit: 'RANGE', preceding: Infinity };
  const span = (b: WindowFrameBound): OverSpec['span'] => b.span ?? b.offset?.span ?? over.span;
  if (f.end.kind !== 'currentRow') {
    if (f.end.kind === 'following' || f.end.kind === 'unboundedFollowing') {
      throw new WeirError('UNSUPPORTED', `OVER frames that end after the current row (${f.end.kind === 'following' ? 'n FOLLOWING' : 'UNBOUNDED FOLLOWING'}) are not supported yet: end the frame at CURRENT ROW`, span(f.end));
    }
    throw new WeirError('UNSUPPORTED', 'OVER frames must end at CURRENT ROW', span(f.end));
  }
  switch (f.start.kind) {
    case 'unboundedPreceding': return { unit: f.unit, preceding: Infinity };
    case 'currentRow': return { unit: f.unit, preceding: 0 };
    case 'following': case 'unboundedFollowing':
      throw new WeirError('UNSUPPORTED', 'OVER frames that start after the current row (FOLLOWING) are not supported yet', span(f.start));
    case 'preceding': {
      const e = f.start.offset!;
      if (f.unit === 'RANGE') return { unit: 'RANGE', preceding: constantInterval(e, ctx.catalog, 'a RANGE frame\'s PRECEDING bound', false) };
      const b = foldExpr(bindExpr(e, { ...ctx, clause: 'a ROWS frame' }));
      if (b.kind !== 'literal' || typeof b.value !== 'number' || !isInteger(b.type) || b.value < 0) {
        throw new WeirError('TYPE', 'a ROWS frame\'s PRECEDING bound must be a whole number of rows, such as ROWS BETWEEN 10 PRECEDING AND CURRENT ROW', e.span);
      }
      return { unit: 'ROWS', preceding: b.value };
    }
  }
}

function bindCall(call: CallExpr, ctx: ExprContext): AggregateCall {
  const name = call.name.value.toUpperCase();
  let fn = SQL_AGGREGATE_NAMES[name]!;
  if (call.distinct) throw new WeirError('UNSUPPORTED', `${name}(DISTINCT …) OVER (...) is not supported yet`, call.span);
  const argCtx: ExprContext = { ...ctx, clause: 'an aggregate argument', inAggregate: true };
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
  const filter = call.filter
    ? requireBoolean(bindExpr(call.filter, { ...argCtx, clause: 'FILTER (WHERE ...)' }), 'the FILTER condition', call.filter.span)
    : undefined;
  return { fn, arg, distinct: false, filter, type: r.returns, ...(separator !== undefined ? { separator } : {}), span: call.span };
}
