/**
 * Subqueries in a SELECT's WHERE and select list (Flink's subquery decorrelation, for the shapes
 * Weir runs):
 *
 * - `x [NOT] IN (SELECT y …)` and `[NOT] EXISTS (SELECT … WHERE inner.k = outer.k …)` as WHERE
 *   conditions (alone or joined by AND) become semi / anti joins of the FROM with the subquery. IN's
 *   subquery is uncorrelated; EXISTS may read the outer row in its WHERE (its conjuncts that do form
 *   the join condition, the others filter the subquery). NOT IN keeps SQL's three-valued logic: over
 *   nullable values a NULL on either side matches, so the row is dropped (`NOT IN` is then unknown).
 * - An uncorrelated scalar subquery `(SELECT MAX(price) FROM t)` in WHERE or in the select list of a
 *   query without GROUP BY joins the FROM with its result, checked to be at most one row at run time
 *   (NULL when it has none).
 *
 * What stays unsupported (a correlated IN or scalar subquery, a correlated EXISTS over a grouped
 * query, a subquery under OR) is refused "not supported yet" at its position.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { Expr, Ident, Query, ScalarSubqueryExpr, SelectItem } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, remapColumns } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { filter, join, project, semiJoin, singleRow } from '../logical/plan.js';
import { conjunction, substitute } from '../rules/filter-pushdown.js';
import { foldExpr } from '../rules/fold.js';
import { T } from '../../common/types.js';
import { astChildren, needsAggregate } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, callScalar, requireBoolean } from './bind-expr.js';
import { bindFrom } from './bind-from.js';
import { bindQueryNode } from './bind-query.js';
import type { QueryEnv } from './context.js';
import { Scope } from './scope.js';

/**
 * The scope of a correlated subquery's WHERE: the subquery's own relations first (they shadow the
 * outer ones), then the outer query's; columns laid out outer row first, then the subquery's row.
 */
class CorrelatedScope extends Scope {
  private readonly inner: Scope;

  constructor(private readonly outer: Scope, inner: Scope) {
    const shifted = inner.relations.map((r) => ({ ...r, offset: r.offset + outer.width }));
    super([...outer.relations, ...shifted]);
    this.inner = new Scope(shifted);
  }

  override resolve(path: readonly Ident[]): BoundExpr {
    try {
      return this.inner.resolve(path);
    } catch (e) {
      if (!(e instanceof WeirError) || e.code !== 'BIND') throw e;
      try {
        return this.outer.resolve(path);
      } catch {
        throw e;
      }
    }
  }
}

/** A subquery that must not read the outer row: bound on its own; a name only the outer query has is refused as a correlation. */
function bindUncorrelated(q: Query, env: QueryEnv, outer: Scope, what: string, span: SourceSpan): LogicalPlan {
  try {
    return bindQueryNode(q, env).plan;
  } catch (e) {
    if (e instanceof WeirError && e.code === 'BIND' && /not found/.test(e.message) && readsOuter(q, outer)) {
      throw new WeirError('UNSUPPORTED', `a correlated ${what} (one that reads the outer query's columns) is not supported yet`, span);
    }
    throw e;
  }
}

/** Whether a column name of the subquery's WHERE resolves in the outer scope (a guess for the message only). */
function readsOuter(q: Query, outer: Scope): boolean {
  if (q.kind !== 'select' || !q.where) return false;
  const walk = (e: Expr): boolean => {
    if (e.kind === 'column') {
      try { outer.resolve(e.path); return true; } catch { return false; }
    }
    return astChildren(e).some(walk);
  };
  return walk(q.where);
}

/** The AND-ed conditions of a WHERE. */
function conjunctsOf(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...conjunctsOf(e.left), ...conjunctsOf(e.right)] : [e];
}

/** `NOT (x IN (…))` and `NOT EXISTS` as one negated condition. */
function subqueryCondition(e: Expr): { e: Extract<Expr, { kind: 'inSubquery' | 'exists' }>; negated: boolean } | undefined {
  if (e.kind === 'inSubquery' || e.kind === 'exists') return { e, negated: e.negated };
  if (e.kind === 'unary' && e.op === 'NOT') {
    const inner = subqueryCondition(e.operand);
    return inner && { e: inner.e, negated: !inner.negated };
  }
  return undefined;
}

export interface BoundWhere {
  readonly plan: LogicalPlan;
  /** the other conditions, AND-ed again; undefined when every condition was a subquery */
  readonly rest: Expr | undefined;
}

/** The IN / EXISTS conditions of a WHERE as semi and anti joins over `plan`; the rest is left to bind as usual. */
export function bindSubqueryConditions(where: Expr, plan: LogicalPlan, ctx: ExprContext, env: QueryEnv): BoundWhere {
  const rest: Expr[] = [];
  let out = plan;
  for (const c of conjunctsOf(where)) {
    const s = subqueryCondition(c);
    if (!s) { rest.push(c); continue; }
    out = s.e.kind === 'inSubquery' ? inJoin(s.e, s.negated, out, ctx, env) : existsJoin(s.e, s.negated, out, ctx, env);
  }
  const joined = rest.length === 0 ? undefined
    : rest.reduce((a, b): Expr => ({ kind: 'binary', op: 'AND', left: a, right: b, span: a.span }));
  return { plan: out, rest: joined };
}

function inJoin(e: Extract<Expr, { kind: 'inSubquery' }>, negated: boolean, plan: LogicalPlan, ctx: ExprContext, env: QueryEnv): LogicalPlan {
  const op = negated ? 'NOT IN' : 'IN';
  const x = bindExpr(e.operand, ctx);
  const width = plan.schema.columns.length;
  const q = e.query;
  let sub: LogicalPlan;
  let y: BoundExpr;
  let nullableY: boolean;
  let correlation: BoundExpr | undefined;
  if (q.kind === 'select' && isPlain(q) && q.where && q.items.length === 1 && q.items[0]!.kind === 'expr') {
    // `x IN (SELECT y FROM … WHERE …)` whose WHERE may read the outer row (Flink's window semi join
    // is written so): y and the correlation are over the join layout, the rest filters the subquery
    const c = correlatedWhere(q.from!, q.where, ctx, env, width);
    sub = c.sub;
    correlation = c.correlation;
    y = bindExpr(q.items[0].expr, { catalog: env.catalog, scope: c.scope, clause: 'SELECT' });
    nullableY = y.kind !== 'column' || c.sub.schema.columns[y.index - width]?.nullable !== false;
  } else {
    sub = bindUncorrelated(q, env, ctx.scope, `${op} subquery`, e.span);
    const cols = sub.schema.columns;
    if (cols.length !== 1) {
      throw new WeirError('TYPE', `the subquery of ${op} must return one column, this one returns ${cols.length}`, q.span);
    }
    y = { kind: 'column', index: width, name: cols[0]!.name, type: cols[0]!.type };
    nullableY = cols[0]!.nullable;
  }
  const eq = callScalar('eq', [x, y], op, e.span);
  const and = (a: BoundExpr, b: BoundExpr | undefined): BoundExpr => (b ? conjunction([a, b]) : a);
  if (!negated) return semiJoin(false, plan, sub, and(eq, correlation), e.span);
  // NOT IN: a NULL on either side makes the comparison unknown, and the row is dropped: it "matches"
  const xNullable = x.kind !== 'column' || plan.schema.columns[x.index]!.nullable;
  const conds: BoundExpr[] = [eq];
  if (xNullable) conds.push(callScalar('is_null', [x], op, e.span));
  if (nullableY) conds.push(callScalar('is_null', [y], op, e.span));
  const condition = conds.reduce((a, b) => callScalar('or', [a, b], op, e.span));
  return semiJoin(true, plan, sub, and(condition, correlation), e.span);
}

/** A SELECT without grouping, DISTINCT, ORDER BY, LIMIT or WITH: its rows are its FROM's rows under its WHERE. */
function isPlain(q: Extract<Query, { kind: 'select' }>): boolean {
  return q.from !== undefined && q.groupBy.length === 0 && !q.having && !q.distinct && !q.groupingSets
    && q.orderBy.length === 0 && !q.limit && !q.offset && q.with.length === 0 && !hasAggregateItems(q.items);
}

/**
 * A subquery's FROM and WHERE, the WHERE read in a scope that reaches the outer row: the conjuncts
 * that read it are the correlation (over the join layout), the others filter the subquery.
 */
function correlatedWhere(from: NonNullable<Extract<Query, { kind: 'select' }>['from']>, where: Expr, ctx: ExprContext, env: QueryEnv, width: number): { sub: LogicalPlan; correlation: BoundExpr | undefined; scope: Scope } {
  const rel = bindFrom(from, env);
  const scope = new CorrelatedScope(ctx.scope, rel.scope);
  const whereCtx: ExprContext = { catalog: env.catalog, scope, clause: 'WHERE' };
  const inner: BoundExpr[] = [];
  const correlated: BoundExpr[] = [];
  for (const c of conjunctsOf(where)) {
    const b = requireBoolean(bindExpr(c, whereCtx), 'WHERE clause', c.span);
    if ([...columnsUsed(b)].some((i) => i < width)) correlated.push(b);
    else inner.push(remapColumns(b, (i) => i - width));
  }
  return {
    sub: inner.length > 0 ? filter(rel.plan, conjunction(inner)) : rel.plan,
    correlation: correlated.length > 0 ? conjunction(correlated) : undefined,
    scope,
  };
}

function existsJoin(e: Extract<Expr, { kind: 'exists' }>, negated: boolean, plan: LogicalPlan, ctx: ExprContext, env: QueryEnv): LogicalPlan {
  const q = e.query;
  if (q.kind !== 'select' || !isPlain(q) || !q.where) {
    // no correlation to decorrelate here: the subquery is bound on its own
    const sub = bindUncorrelated(q, env, ctx.scope, negated ? 'NOT EXISTS subquery' : 'EXISTS subquery', e.span);
    // a global aggregation has a row even over no input: EXISTS is TRUE whatever the stream holds
    if (emptyRow(sub)) return negated ? filter(plan, { kind: 'literal', value: false, type: T.BOOLEAN }) : plan;
    return semiJoin(negated, plan, sub, undefined, e.span);
  }
  // the select list does not matter to EXISTS; the WHERE may read the outer row
  const c = correlatedWhere(q.from!, q.where, ctx, env, plan.schema.columns.length);
  return semiJoin(negated, plan, c.sub, c.correlation, e.span);
}

function hasAggregateItems(items: readonly SelectItem[]): boolean {
  // an aggregate makes the subquery one group (one row) whatever matches: bound on its own instead
  return items.some((i) => i.kind === 'expr' && needsAggregate(i.expr));
}

/** The scalar subqueries of `exprs` (not those inside IN / EXISTS subqueries or other scalar subqueries). */
export function scalarSubqueries(exprs: readonly (Expr | undefined)[]): ScalarSubqueryExpr[] {
  const out: ScalarSubqueryExpr[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'scalarSubquery') { out.push(e); return; }
    astChildren(e).forEach(walk);
  };
  for (const e of exprs) if (e) walk(e);
  return out;
}

/** Each scalar subquery joined to `plan` as one more column (NULL while it has no row). */
export function joinScalarSubqueries(subs: readonly ScalarSubqueryExpr[], plan: LogicalPlan, scope: Scope, env: QueryEnv): { plan: LogicalPlan; scalars: Map<ScalarSubqueryExpr, BoundExpr> } {
  const scalars = new Map<ScalarSubqueryExpr, BoundExpr>();
  let out = plan;
  for (const s of subs) {
    const sub = bindUncorrelated(s.query, env, scope, 'scalar subquery', s.span);
    const cols = sub.schema.columns;
    if (cols.length !== 1) throw new WeirError('TYPE', `a scalar subquery must return one column, this one returns ${cols.length}`, s.span);
    const index = out.schema.columns.length;
    const value: BoundExpr = { kind: 'column', index, name: cols[0]!.name, type: cols[0]!.type };
    const empty = emptyRow(sub)?.[0];
    if (!empty || (empty.kind === 'literal' && empty.value === null)) {
      out = join('left', out, singleRow(sub, s.span), undefined, s.span);
      scalars.set(s, value);
      continue;
    }
    // a global aggregation has its one row even over no input (COUNT(*) = 0), where the stream has
    // none yet: a flag column tells the two apart and the value over no rows stands in
    const flagged = project(sub, [{ kind: 'column', index: 0, name: cols[0]!.name, type: cols[0]!.type }, { kind: 'literal', value: true, type: T.BOOLEAN }], [cols[0]!.name, '$present']);
    out = join('left', out, singleRow(flagged, s.span), undefined, s.span);
    const present: BoundExpr = { kind: 'column', index: index + 1, name: '$present', type: T.BOOLEAN };
    scalars.set(s, { kind: 'case', whens: [{ when: callScalar('is_null', [present], 'scalar subquery', s.span), then: empty }], else: value, type: value.type });
  }
  return { plan: out, scalars };
}

/**
 * The row a global aggregation (under projections) has over no input: COUNT is 0, the other
 * aggregates NULL; undefined for any other plan (over no input it has no row).
 */
function emptyRow(p: LogicalPlan): BoundExpr[] | undefined {
  if (p.kind === 'aggregate' && p.groupBy.length === 0 && !p.window) {
    return p.aggregates.map((a): BoundExpr => ({ kind: 'literal', value: a.fn === 'count' || a.fn === 'count_star' ? 0 : null, type: a.type }));
  }
  if (p.kind !== 'project') return undefined;
  const inner = emptyRow(p.input);
  return inner && p.exprs.map((e) => foldExpr(substitute(e, inner)));
}
