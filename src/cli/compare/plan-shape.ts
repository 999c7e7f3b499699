/**
 * What `weir compare` needs to know about a streaming plan: where its window aggregation is, what
 * each output column is (a window bound, a grouping key or a result value), and that the window's
 * time column is the rowtime of its tables, so that swapping the rowtime for the arrival time turns
 * event-time windows into processing-time windows.
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { BoundExpr } from '../../planner/expr.js';
import type { PhysicalNode, StreamingPlan, WindowAggregateNode } from '../../planner/incremental/physical.js';
import { physicalChildren } from '../../planner/incremental/physical.js';
import type { CatalogTable } from '../../planner/catalog.js';

/** What an output column of the query is. */
export type OutputRole =
  | { readonly kind: 'windowStart' }
  | { readonly kind: 'windowEnd' }
  /** grouping key `index` of the window aggregation */
  | { readonly kind: 'key'; readonly index: number }
  | { readonly kind: 'value' };

export interface WindowShape {
  readonly window: WindowAggregateNode;
  /** one per output column of the plan's root */
  readonly roles: readonly OutputRole[];
  /** the tables whose rowtime the window's time column is */
  readonly rowtimeTables: readonly CatalogTable[];
}

function hasWindow(n: PhysicalNode): boolean {
  return n.kind === 'windowAggregate' || physicalChildren(n).some(hasWindow);
}

/** The window aggregation whose output reaches the root through projections and filters only. */
function topWindow(n: PhysicalNode): WindowAggregateNode | undefined {
  switch (n.kind) {
    case 'windowAggregate': return n;
    case 'project': case 'filter': case 'watermark': return topWindow(n.input);
    default: return undefined;
  }
}

/** A column reference, possibly under casts (an INSERT casts to the target's types). */
function columnOf(e: BoundExpr): number | undefined {
  if (e.kind === 'column') return e.index;
  if (e.kind === 'cast') return columnOf(e.operand);
  return undefined;
}

function roleOf(n: PhysicalNode, col: number, w: WindowAggregateNode): OutputRole {
  if (n === w) {
    const slot = w.keyLayout[col];
    if (!slot) return { kind: 'value' };
    return slot.kind === 'key' ? { kind: 'key', index: slot.index } : { kind: slot.kind };
  }
  switch (n.kind) {
    case 'project': {
      const c = columnOf(n.exprs[col]!);
      return c === undefined ? { kind: 'value' } : roleOf(n.input, c, w);
    }
    case 'filter': case 'watermark': return roleOf(n.input, col, w);
    default: return { kind: 'value' };
  }
}

/**
 * The tables whose WATERMARK rowtime column `col` of `n` is, following column references down to
 * the watermark nodes; undefined when some branch reaches its source without meeting one.
 */
function rowtimeTables(n: PhysicalNode, col: number, plan: StreamingPlan): CatalogTable[] | undefined {
  switch (n.kind) {
    case 'watermark':
      if (n.column === col) return [plan.sources[n.sourceIndex]!.table];
      return rowtimeTables(n.input, col, plan);
    case 'filter': return rowtimeTables(n.input, col, plan);
    case 'project': {
      const c = columnOf(n.exprs[col]!);
      return c === undefined ? undefined : rowtimeTables(n.input, c, plan);
    }
    case 'union': {
      const all: CatalogTable[] = [];
      for (const i of n.inputs) {
        const t = rowtimeTables(i, col, plan);
        if (!t) return undefined;
        all.push(...t);
      }
      return all;
    }
    default: return undefined;
  }
}

const STATELESS_BELOW = new Set<PhysicalNode['kind']>(['source', 'watermark', 'project', 'filter', 'union']);

function statelessBelow(n: PhysicalNode): boolean {
  return STATELESS_BELOW.has(n.kind) && physicalChildren(n).every(statelessBelow);
}

/**
 * The window shape of `plan`, undefined when it has no window aggregation at all; a WeirError
 * (UNSUPPORTED, at `span`) when it has one that compare cannot replay in both time domains.
 */
export function windowShape(plan: StreamingPlan, span: SourceSpan): WindowShape | undefined {
  if (!hasWindow(plan.root)) return undefined;
  const w = topWindow(plan.root);
  if (!w) {
    throw new WeirError('UNSUPPORTED', 'weir compare: the window aggregation must be the last stateful step of the query ' +
      '(only projections and filters after it)', span);
  }
  if (!statelessBelow(w.input)) {
    throw new WeirError('UNSUPPORTED', 'weir compare: the window aggregation must read its tables through projections, ' +
      'filters and UNION ALL only (no aggregation before it)', span);
  }
  const tables = rowtimeTables(w.input, w.timeColumn, plan);
  if (!tables) {
    const name = w.input.schema.columns[w.timeColumn]?.name ?? '?';
    throw new WeirError('UNSUPPORTED', `weir compare: the window's time column '${name}' must be the rowtime of its table ` +
      '(the column of WATERMARK FOR), so that it can be replaced by the arrival time', span);
  }
  const roles = plan.root.schema.columns.map((_, i) => roleOf(plan.root, i, w));
  if (!roles.some((r) => r.kind === 'windowStart' || r.kind === 'windowEnd')) {
    throw new WeirError('UNSUPPORTED', 'weir compare: the query must output window_start or window_end ' +
      '(or TUMBLE_START/…_END), so that its rows can be matched to windows', span);
  }
  return { window: w, roles, rowtimeTables: tables };
}
