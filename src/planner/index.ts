/**
 * The planner's public surface: DDL into the catalog, queries and INSERTs into logical plans, the
 * optimizer, the incremental (streaming) planner, and EXPLAIN.
 */
import type { InsertStmt, Query } from '../parser/ast.js';
import type { Catalog, CatalogTable } from './catalog.js';
import { bindInsert as bindInsertStmt } from './binder/bind-insert.js';
import { bindQueryNode } from './binder/bind-query.js';
import { checkTopNBounded } from './binder/bind-rank.js';
import { rootEnv } from './binder/context.js';
import type { LogicalPlan } from './logical/plan.js';
import { RULES } from './rules/index.js';

export { applyDdl } from './binder/bind-ddl.js';
export type { DdlStmt } from './binder/bind-ddl.js';
export { explain, explainLogical } from './explain.js';
export { planStreaming } from './incremental/plan-streaming.js';
export type { PlanStreamingOptions } from './incremental/plan-streaming.js';
export { RULES } from './rules/index.js';
export type { Rule } from './rules/index.js';
export { Catalog } from './catalog.js';
export type { CatalogEntry, CatalogFunction, CatalogTable, CatalogView } from './catalog.js';
export type { LogicalPlan } from './logical/plan.js';
export type { StreamingPlan } from './incremental/physical.js';
export type { OutputModeName } from './incremental/output-mode.js';

/** The logical plan of a query (views expanded, names and types resolved). */
export function bindQuery(query: Query, catalog: Catalog): LogicalPlan {
  const plan = bindQueryNode(query, rootEnv(catalog)).plan;
  checkTopNBounded(plan);
  return plan;
}

/** The plan of an INSERT's query with its columns cast to the target's physical columns. */
export function bindInsert(stmt: InsertStmt, catalog: Catalog): { plan: LogicalPlan; target: CatalogTable } {
  const bound = bindInsertStmt(stmt, catalog);
  checkTopNBounded(bound.plan);
  return bound;
}

/** Run the rules of rules/index.ts in order. */
export function optimize(plan: LogicalPlan): LogicalPlan {
  return RULES.reduce((p, r) => r.apply(p), plan);
}
