/**
 * SELECT: FROM, WHERE (a BOOLEAN, no aggregates; bounds on a Top-N's row number below go into the
 * Top-N, see bind-rank.ts), then either a projection of the select list (over a Top-N when the list
 * has ROW_NUMBER() OVER (...)) or a grouped query (aggregates.ts); DISTINCT groups by every output column.
 */
import { WeirError } from '../../common/errors.js';
import type { SelectQuery } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { aggregate, project } from '../logical/plan.js';
import { aggregateWindow } from '../window-bounds.js';
import { bindGrouped, isGrouped } from './aggregates.js';
import { needsAggregate } from './ast-walk.js';
import { userAggregateTest } from './user-aggregates.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import { bindFrom } from './bind-from.js';
import { bindSubqueryConditions, joinScalarSubqueries, scalarSubqueries } from './bind-subquery.js';
import { bindOverAggregates, overAggregateCalls } from './bind-over.js';
import { bindRowNumber, rowNumberItem, rowNumberRef, whereAliasError, whereWithTopN } from './bind-rank.js';
import type { BoundQuery, QueryEnv } from './context.js';
import { expandSelectItems, uniqueNames } from './select-items.js';

export function bindSelect(q: SelectQuery, env: QueryEnv): BoundQuery {
  if (!q.from) throw new WeirError('UNSUPPORTED', 'SELECT without FROM is not supported yet', q.span);
  const rel = bindFrom(q.from, env);
  let plan = rel.plan;
  // scalar subqueries (WHERE, and a select list without GROUP BY) join in as columns; IN / EXISTS
  // conditions become semi / anti joins (bind-subquery.ts)
  const user0 = userAggregateTest({ catalog: env.catalog, scope: rel.scope, clause: 'WHERE', pendingAsAggregate: false });
  const grouped = isGrouped(q, (e) => needsAggregate(e, user0));
  const subs = scalarSubqueries([q.where, ...(grouped ? [] : q.items.map((i) => (i.kind === 'expr' ? i.expr : undefined)))]);
  const scalars = subs.length > 0 ? joinScalarSubqueries(subs, plan, rel.scope, env) : undefined;
  if (scalars) plan = scalars.plan;
  const ctx: ExprContext = { catalog: env.catalog, scope: rel.scope, clause: 'WHERE', ...(scalars ? { scalars: scalars.scalars } : {}) };
  const where = q.where && bindSubqueryConditions(q.where, plan, ctx, env);
  if (where) plan = where.plan;
  if (where?.rest) {
    const cond = where.rest;
    let predicate: BoundExpr;
    try {
      predicate = requireBoolean(bindExpr(cond, ctx), 'WHERE clause', cond.span);
    } catch (e) {
      throw (e instanceof WeirError && e.code === 'BIND' && whereAliasError(q, rel.scope)) || e;
    }
    plan = whereWithTopN(plan, predicate);
  }

  let result: BoundQuery;
  // a module not imported yet counts as an aggregate where the query groups (user-aggregates.ts)
  if (grouped) {
    result = bindGrouped(q, plan, rel.scope, { ...ctx, pendingAsAggregate: q.groupBy.length > 0 });
  } else {
    const columns = expandSelectItems(q.items, rel.scope);
    const sctx: ExprContext = { ...ctx, clause: 'SELECT' };
    const names = uniqueNames(columns.map((c) => c.name));
    // ROW_NUMBER() OVER (...): a Top-N over the FROM and WHERE; the other items read its input columns
    const rn = rowNumberItem(columns);
    const ranked = rn && bindRowNumber(rn.call, plan, names[rn.index]!, sctx);
    // OVER aggregates: windows over the FROM and WHERE (bind-over.ts); the select list reads their columns
    const overs = overAggregateCalls(columns.map((c, i) => ({ ast: c.kind === 'expr' ? c.ast : undefined, name: names[i]! })));
    if (ranked && overs.length > 0) throw new WeirError('UNSUPPORTED', 'ROW_NUMBER() and OVER aggregates in one SELECT are not supported yet', overs[0]!.call.span);
    const windowed = overs.length > 0 ? bindOverAggregates(overs, plan, sctx, q.windows) : undefined;
    const octx: ExprContext = windowed ? { ...sctx, overCalls: windowed.refs } : sctx;
    const exprs = columns.map((c, i) => (c.kind === 'star' ? c.expr : ranked && i === rn.index ? rowNumberRef(ranked) : bindExpr(c.ast, octx)));
    result = { plan: project(ranked ?? windowed?.plan ?? plan, exprs, names), spans: columns.map((c) => c.span) };
  }
  return q.distinct ? { plan: distinct(result.plan), spans: result.spans } : result;
}

/** SELECT DISTINCT: an aggregate keyed by every column, with no aggregate calls. */
export function distinct(input: LogicalPlan): LogicalPlan {
  const keys: BoundExpr[] = input.schema.columns.map((c, i) => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const names = input.schema.columns.map((c) => c.name);
  return aggregate(input, keys, names, [], [], aggregateWindow(input, keys as { kind: string; index?: number }[]));
}
