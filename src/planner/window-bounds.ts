/**
 * Where a window TVF's `window_start` / `window_end` columns are in a plan's output, following them
 * through the nodes that pass columns on (filters, watermark assigners, column-reference projections)
 * and window aggregations (whose window_start / window_end keys are bounds again, as in Flink).
 * The binder uses it to mark an aggregate grouped by both as a window aggregate.
 */
import type { LogicalPlan } from './logical/plan.js';

export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

export function windowBoundsOf(p: LogicalPlan): WindowBounds | undefined {
  switch (p.kind) {
    case 'windowTvf': {
      const n = p.input.schema.columns.length;
      return { start: n, end: n + 1 };
    }
    case 'filter': case 'watermarkAssigner':
      return windowBoundsOf(p.input);
    case 'project': {
      const inner = windowBoundsOf(p.input);
      if (!inner) return undefined;
      const start = p.exprs.findIndex((e) => e.kind === 'column' && e.index === inner.start);
      const end = p.exprs.findIndex((e) => e.kind === 'column' && e.index === inner.end);
      return start >= 0 && end >= 0 ? { start, end } : undefined;
    }
    case 'aggregate':
      // a window aggregation's bounds are window bounds again: an aggregation grouped by them is windowed too
      return p.window ? { start: p.window.startKey, end: p.window.endKey } : undefined;
    case 'scan': case 'union':
      return undefined;
  }
}

/** The `window` of an aggregate over `input` grouped by `keys`: set when keys hold both bounds. */
export function aggregateWindow(input: LogicalPlan, keys: readonly { readonly kind: string; readonly index?: number }[]):
  { readonly startKey: number; readonly endKey: number } | undefined {
  const b = windowBoundsOf(input);
  if (!b) return undefined;
  const startKey = keys.findIndex((k) => k.kind === 'column' && k.index === b.start);
  const endKey = keys.findIndex((k) => k.kind === 'column' && k.index === b.end);
  return startKey >= 0 && endKey >= 0 ? { startKey, endKey } : undefined;
}
