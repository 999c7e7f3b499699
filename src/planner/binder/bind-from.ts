/**
 * FROM: a table (scan → computed columns → watermark), a view or WITH query (bound from its AST in
 * a fresh scope each time it is used), a subquery, a window TVF, or a join of two of these (bind-join.ts;
 * a lookup join `JOIN t FOR SYSTEM_TIME AS OF …`: bind-lookup-join.ts).
 */
import { WeirError } from '../../common/errors.js';
import type { FromItem, Ident, QualifiedName } from '../../parser/ast.js';
import type { CatalogTable, CatalogView } from '../catalog.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { project, scan, watermarkAssigner } from '../logical/plan.js';
import { bindJoin } from './bind-join.js';
import { bindLateralJoin, isLateralJoin } from './bind-lateral.js';
import { bindUnnestJoin, isUnnestJoin } from './bind-unnest.js';
import { bindLookupJoin, isLookupJoin } from './bind-lookup-join.js';
import { bindQueryNode } from './bind-query.js';
import { checkExpansionNesting, checkPlanDepth } from './expansion-limits.js';
import type { CteScope, QueryEnv } from './context.js';
import { lastPart, matchIdent, suggestion } from './names.js';
import { Scope } from './scope.js';
import { bindWindowTvf } from './window-tvf.js';
import { bindProcessCall, isUserTableCall } from './bind-process-call.js';

export interface BoundRelation {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

export function bindFrom(item: FromItem, env: QueryEnv): BoundRelation {
  switch (item.kind) {
    case 'table': {
      if (item.forSystemTime) {
        throw new WeirError('BIND', 'FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN (a lookup join: probe JOIN t FOR SYSTEM_TIME AS OF probe.p_time AS s ON …)', item.forSystemTime.span);
      }
      const plan = bindNamedRelation(item.name, env);
      return { plan, scope: Scope.single((item.alias ?? lastPart(item.name)).value, plan.schema.columns) };
    }
    case 'subquery': {
      const inner = bindQueryNode(item.query, env).plan;
      const plan = item.columnAliases.length > 0 ? renameColumns(inner, item.columnAliases, item.alias?.value ?? 'the subquery') : inner;
      return { plan, scope: Scope.single(item.alias?.value, plan.schema.columns) };
    }
    case 'tableFunction':
      // a user function by that name (a process function, or one refused by its kind) before the window TVFs
      return isUserTableCall(item, env) ? bindProcessCall(item, env) : bindWindowTvf(item, env);
    case 'lateralTable':
      throw new WeirError('BIND', 'LATERAL TABLE(…) must follow a table it reads from: FROM t, LATERAL TABLE(f(t.a)) or t CROSS JOIN LATERAL TABLE(…)', item.span);
    case 'unnest':
      throw new WeirError('UNSUPPORTED', 'UNNEST(…) on its own in FROM is not supported yet: join it to the table whose column it unnests, as FROM t CROSS JOIN UNNEST(t.tags) AS u (tag)', item.span);
    case 'join':
      if (isUnnestJoin(item)) return bindUnnestJoin(item, bindFrom(item.left, env), env);
      if (isLateralJoin(item)) return bindLateralJoin(item, bindFrom(item.left, env), env);
      if (isLookupJoin(item)) return bindLookupJoin(item, bindFrom(item.left, env), env);
      return bindJoin(item, bindFrom(item.left, env), bindFrom(item.right, env), env.catalog);
  }
}

/** A table, view or WITH query by name, as a plan. */
export function bindNamedRelation(name: QualifiedName, env: QueryEnv): LogicalPlan {
  const id = lastPart(name);
  for (const cs of env.ctes) {
    const hits = matchIdent(id, cs.defs.map((d) => d.name.value));
    if (hits.length > 0) return expandCte(cs, hits[0]!, env, id);
  }
  const entry = env.catalog.getRelation(id.value);
  if (!entry) {
    const names = [...env.catalog.tables().map((t) => t.name), ...env.ctes.flatMap((c) => c.defs.map((d) => d.name.value))];
    throw new WeirError('BIND', `table '${id.value}' not found${suggestion(id.value, names, 'tables')}`, id.span);
  }
  return entry.kind === 'table' ? expandTable(entry) : expandView(entry, env, id);
}

/** scan (physical columns) → project (physical and computed, declared order) → watermark assigner. */
export function expandTable(table: CatalogTable): LogicalPlan {
  let p: LogicalPlan = scan(table);
  if (table.computed.size > 0) {
    const exprs = table.columns.map((c, i): BoundExpr => {
      const computed = table.computed.get(i);
      if (computed) return computed;
      return { kind: 'column', index: table.physical.indexOf(i), name: c.name, type: c.type };
    });
    p = project(p, exprs, table.columns.map((c) => c.name));
  }
  if (table.watermark) p = watermarkAssigner(p, table.watermark.column, table.watermark.expr, table.name, table.watermark.span);
  return p;
}

function guard(key: string, what: string, env: QueryEnv, id: Ident): QueryEnv {
  if (env.expanding.includes(key)) {
    const chain = [...env.expanding.slice(env.expanding.indexOf(key)), key].map((k) => k.slice(k.indexOf(':') + 1));
    throw new WeirError('BIND', `${what} '${id.value}' refers to itself: ${chain.join(' -> ')}`, id.span);
  }
  checkExpansionNesting(env.expanding, what, id.value, id.span);
  return { ...env, expanding: [...env.expanding, key] };
}

function expandView(view: CatalogView, env: QueryEnv, id: Ident): LogicalPlan {
  const inner = guard(`view:${view.name.toLowerCase()}`, 'view', env, id);
  // A view sees the catalog only, never the WITH queries of the query that uses it.
  const plan = bindQueryNode(view.query, { catalog: env.catalog, ctes: [], expanding: inner.expanding }).plan;
  checkPlanDepth(plan, 'view', id.value, id.span);
  return view.columnAliases.length > 0 ? renameColumns(plan, view.columnAliases, view.name) : plan;
}

function expandCte(cs: CteScope, index: number, env: QueryEnv, id: Ident): LogicalPlan {
  const def = cs.defs[index]!;
  const inner = guard(`with:${def.name.value.toLowerCase()}`, 'WITH query', env, id);
  const plan = bindQueryNode(def.query, { catalog: env.catalog, ctes: [cs, ...cs.env.ctes], expanding: inner.expanding }).plan;
  checkPlanDepth(plan, 'WITH query', id.value, id.span);
  return def.columns.length > 0 ? renameColumns(plan, def.columns, def.name.value) : plan;
}

/** `v (a, b)` / `(subquery) AS s (a, b)`: the same columns under new names. */
export function renameColumns(plan: LogicalPlan, names: readonly Ident[], what: string): LogicalPlan {
  const cols = plan.schema.columns;
  if (names.length !== cols.length) {
    throw new WeirError('BIND', `'${what}' has ${cols.length} column${cols.length === 1 ? '' : 's'} but ${names.length} column name${names.length === 1 ? ' is' : 's are'} given`, names[0]!.span);
  }
  const exprs = cols.map((c, i): BoundExpr => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  return project(plan, exprs, names.map((n) => n.value));
}
