/**
 * What binding a query carries along: the catalog, the WITH queries in scope, and the views/WITH
 * queries being expanded (so that one that refers to itself is an error, not an endless loop).
 */
import type { SourceSpan } from '../../common/errors.js';
import type { CommonTableExpr } from '../../parser/ast.js';
import type { Catalog } from '../catalog.js';
import type { LogicalPlan } from '../logical/plan.js';

export interface CteScope {
  readonly defs: readonly CommonTableExpr[];
  /** the environment the WITH clause was written in (what its queries see besides each other) */
  readonly env: QueryEnv;
}

export interface QueryEnv {
  readonly catalog: Catalog;
  /** WITH clauses in scope, innermost first */
  readonly ctes: readonly CteScope[];
  /** views and WITH queries being expanded, outermost first (lower-cased names) */
  readonly expanding: readonly string[];
}

export const rootEnv = (catalog: Catalog): QueryEnv => ({ catalog, ctes: [], expanding: [] });

/** A bound query: its plan and, per output column, the SQL text it came from (for INSERT errors). */
export interface BoundQuery {
  readonly plan: LogicalPlan;
  readonly spans: readonly (SourceSpan | undefined)[];
}
