/**
 * Recognising a window aggregation: an aggregate with `window` set whose input reaches a window
 * TVF through projections and filters. The streaming plan runs the two as one operator that keeps
 * state per (key, window) and finalizes a window when the watermark passes its end, so the
 * aggregate's keys, calls and the filters in between are re-expressed over the TVF's input.
 */
import { WeirError } from '../../common/errors.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed } from '../expr.js';
import type { Aggregate, AggregateCall, LogicalPlan, WindowTvf } from '../logical/plan.js';
import { substitute } from '../rules/filter-pushdown.js';
import type { WindowAggregateNode } from './physical.js';

export interface WindowAggregateMatch {
  readonly tvf: WindowTvf;
  /** predicates over the TVF's input, to apply before rows are assigned to windows */
  readonly filters: readonly BoundExpr[];
  /** non-window keys over the TVF's input */
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  readonly keyLayout: WindowAggregateNode['keyLayout'];
}

/** The match for a window aggregate, undefined for a plain one; UNSUPPORTED when it cannot be run. */
export function matchWindowAggregate(agg: Aggregate): WindowAggregateMatch | undefined {
  if (!agg.window) return undefined;
  const chain: LogicalPlan[] = [];
  let n: LogicalPlan = agg.input;
  while (n.kind === 'project' || n.kind === 'filter') {
    chain.push(n);
    n = n.input;
  }
  if (n.kind !== 'windowTvf') return undefined;
  const tvf = n;
  const width = tvf.input.schema.columns.length;
  const fail = (what: string): never => {
    throw new WeirError('UNSUPPORTED', `window aggregation with ${what} is not supported yet`, tvf.span);
  };
  const noWindowColumns = (e: BoundExpr, what: string): BoundExpr => {
    if ([...columnsUsed(e)].some((i) => i >= width)) fail(what);
    return e;
  };

  // Walk up from the TVF, expressing each node's columns over the TVF's output.
  let cols: BoundExpr[] = tvf.schema.columns.map((c, i) => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const filters: BoundExpr[] = [];
  for (const node of chain.reverse()) {
    if (node.kind === 'filter') filters.push(noWindowColumns(substitute(node.predicate, cols), 'a filter on window columns between the window TVF and the aggregate'));
    else if (node.kind === 'project') cols = node.exprs.map((e) => substitute(e, cols));
  }

  const groupBy: BoundExpr[] = [];
  const keyLayout: WindowAggregateNode['keyLayout'][number][] = [];
  agg.groupBy.forEach((k, i) => {
    const e = substitute(k, cols);
    if (i === agg.window!.startKey && e.kind === 'column' && e.index === width) keyLayout.push({ kind: 'windowStart' });
    else if (i === agg.window!.endKey && e.kind === 'column' && e.index === width + 1) keyLayout.push({ kind: 'windowEnd' });
    else {
      keyLayout.push({ kind: 'key', index: groupBy.length });
      groupBy.push(noWindowColumns(e, 'a grouping key computed from window columns'));
    }
  });
  if (!keyLayout.some((k) => k.kind === 'windowStart') || !keyLayout.some((k) => k.kind === 'windowEnd')) {
    fail('window bounds that are not plain window_start and window_end');
  }
  const aggregates = agg.aggregates.map((a): AggregateCall => ({
    ...a,
    arg: a.arg && noWindowColumns(substitute(a.arg, cols), 'an aggregate over window columns'),
    filter: a.filter && noWindowColumns(substitute(a.filter, cols), 'an aggregate filter over window columns'),
  }));
  return { tvf, filters, groupBy, aggregates, keyLayout };
}

/** Whether output column `col` of `p` is an event-time attribute: a column a watermark is declared on. */
export function isRowtime(p: LogicalPlan, col: number): boolean {
  switch (p.kind) {
    case 'watermarkAssigner': return col === p.column || isRowtime(p.input, col);
    case 'filter': return isRowtime(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      return e !== undefined && e.kind === 'column' && isRowtime(p.input, e.index);
    }
    case 'windowTvf': {
      const width = p.input.schema.columns.length;
      if (col < width) return isRowtime(p.input, col);
      // window_time is a rowtime attribute when the window's time column is one.
      return col === width + 2 && isRowtime(p.input, p.timeColumn);
    }
    case 'union': return p.inputs.every((i) => isRowtime(i, col));
    case 'scan': case 'aggregate': return false;
  }
}
