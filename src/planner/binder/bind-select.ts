/**
 * SELECT: FROM, WHERE (a BOOLEAN, no aggregates), then either a projection of the select list or a
 * grouped query (aggregates.ts); DISTINCT groups by every output column.
 */
import { WeirError } from '../../common/errors.js';
import type { SelectQuery } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { aggregate, filter, project } from '../logical/plan.js';
import { aggregateWindow } from '../window-bounds.js';
import { bindGrouped, isGrouped } from './aggregates.js';
import { needsAggregate } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import { bindFrom } from './bind-from.js';
import type { BoundQuery, QueryEnv } from './context.js';
import { expandSelectItems, uniqueNames } from './select-items.js';

export function bindSelect(q: SelectQuery, env: QueryEnv): BoundQuery {
  if (!q.from) throw new WeirError('UNSUPPORTED', 'SELECT without FROM is not supported yet', q.span);
  const rel = bindFrom(q.from, env);
  let plan = rel.plan;
  const ctx: ExprContext = { catalog: env.catalog, scope: rel.scope, clause: 'WHERE' };
  if (q.where) plan = filter(plan, requireBoolean(bindExpr(q.where, ctx), 'WHERE clause', q.where.span));

  let result: BoundQuery;
  if (isGrouped(q, needsAggregate)) {
    result = bindGrouped(q, plan, rel.scope, ctx);
  } else {
    const columns = expandSelectItems(q.items, rel.scope);
    const sctx: ExprContext = { ...ctx, clause: 'SELECT' };
    const exprs = columns.map((c) => (c.kind === 'star' ? c.expr : bindExpr(c.ast, sctx)));
    result = { plan: project(plan, exprs, uniqueNames(columns.map((c) => c.name))), spans: columns.map((c) => c.span) };
  }
  return q.distinct ? { plan: distinct(result.plan), spans: result.spans } : result;
}

/** SELECT DISTINCT: an aggregate keyed by every column, with no aggregate calls. */
export function distinct(input: LogicalPlan): LogicalPlan {
  const keys: BoundExpr[] = input.schema.columns.map((c, i) => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const names = input.schema.columns.map((c) => c.name);
  return aggregate(input, keys, names, [], [], aggregateWindow(input, keys as { kind: string; index?: number }[]));
}
