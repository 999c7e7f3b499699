/**
 * Planning a query statement: bind, optimize, plan it incrementally. Apart from start-query.ts so
 * that EXPLAIN loads the planner only, not the executor and the connectors (start-up time).
 */
import { WeirError } from '../common/errors.js';
import type { InsertStmt, QueryStmt } from '../parser/ast.js';
import type { CatalogTable } from '../planner/catalog.js';
import { bindInsert, bindQuery, explain, optimize, planStreaming } from '../planner/index.js';
import { transformUp, type LogicalPlan } from '../planner/logical/plan.js';
import type { StreamingPlan } from '../planner/incremental/physical.js';
import { parseOutputMode } from '../planner/incremental/output-mode.js';
import { parseStateTtl, STATE_TTL_SETTING } from '../planner/incremental/state-ttl.js';
import type { QueryStartContext } from './start-query.js';
import { parseParallelism } from '../planner/incremental/parallelism-setting.js';

export interface PlannedQuery {
  readonly logical: LogicalPlan;
  readonly streaming: StreamingPlan;
  /** undefined for a bare SELECT (printed) */
  readonly target: CatalogTable | undefined;
}

/** `SET 'late-rows.table' = 'name'`: where a query's late rows go (start-query.ts opens it). */
export const LATE_ROWS_SETTING = 'late-rows.table';

/** Settings keys for the output mode: ours, and the spelling Spark users reach for. */
const OUTPUT_MODE_KEYS = ['output-mode', 'outputmode', 'execution.output-mode'];

export function plan(stmt: InsertStmt | QueryStmt, ctx: Pick<QueryStartContext, 'catalog' | 'settings' | 'optimize'>): PlannedQuery {
  const bound = stmt.kind === 'insert' ? bindInsert(stmt, ctx.catalog) : { plan: bindQuery(stmt.query, ctx.catalog), target: undefined };
  const optimized = ctx.optimize ? optimize(bound.plan) : bound.plan;
  // late rows are written as they reached their operator, every field of their ROW columns
  // (late-rows-table.ts): no scan may leave a field out then
  const logical = ctx.settings.has(LATE_ROWS_SETTING) ? transformUp(optimized, wholeRowFields) : optimized;
  const modeKey = OUTPUT_MODE_KEYS.find((k) => ctx.settings.has(k));
  let mode;
  if (modeKey) {
    mode = parseOutputMode(ctx.settings.get(modeKey)!);
    if (!mode) throw new WeirError('OPTION', `bad output mode '${ctx.settings.get(modeKey)}': expected append, update or complete`);
  }
  const ttlText = ctx.settings.get(STATE_TTL_SETTING);
  const stateTtlMs = ttlText === undefined ? 0 : parseStateTtl(ttlText, stmt.span);
  const planned = planStreaming(logical, { mode, modeSpan: stmt.span, stateTtlMs });
  // a PRIMARY KEY on the sink table is the upsert key (as in Flink), else the query's own keys
  const pk = bound.target ? primaryKeyColumns(bound.target) : [];
  const streaming = pk.length > 0 && planned.mode !== 'append' ? { ...planned, keyColumns: pk } : planned;
  return { logical, streaming, target: bound.target };
}

/** A scan that reads its ROW columns whole (requiredFields dropped). */
function wholeRowFields(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'scan' || p.requiredFields === undefined) return p;
  const { requiredFields: _fields, ...whole } = p;
  return whole;
}

/** The sink columns of a table's PRIMARY KEY, by index into its physical columns. */
function primaryKeyColumns(t: CatalogTable): number[] {
  const names = t.physical.map((i) => t.columns[i]!.name.toLowerCase());
  return t.primaryKey.map((k) => names.indexOf(k.toLowerCase())).filter((i) => i >= 0);
}

export function explainStatement(stmt: InsertStmt | QueryStmt, ctx: Pick<QueryStartContext, 'catalog' | 'settings' | 'optimize'>): string {
  const p = plan(stmt, ctx);
  return explain(p.logical, p.streaming, parseParallelism(ctx.settings, stmt.span));
}

