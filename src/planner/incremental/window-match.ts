/**
 * Recognising a window aggregation: an aggregate with `window` set whose input reaches a window
 * TVF through projections and filters. The streaming plan runs the two as one operator that keeps
 * state per (key, window) and finalizes a window when the watermark passes its end, so the
 * aggregate's keys, calls and the filters in between are re-expressed over the TVF's input.
 */
import { WeirError } from '../../common/errors.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed } from '../expr.js';
import { exprKey } from '../expr-key.js';
import type { SourceSpan } from '../../common/errors.js';
import type { Aggregate, AggregateCall, LogicalPlan, WindowSpec } from '../logical/plan.js';
import { substitute } from '../rules/filter-pushdown.js';
import type { WindowAggregateNode } from './physical.js';

export interface WindowAggregateMatch {
  /** what the window operator reads: the TVF's input, or the upstream window aggregation's output */
  readonly input: LogicalPlan;
  /** the time column over `input` (the TVF's; the upstream window_end for windows given by columns) */
  readonly timeColumn: number;
  readonly window: WindowSpec;
  /**
   * Set when the windows come from the input's columns: an aggregation grouped by the window_start and
   * window_end of a window aggregation below (Flink's cascading window aggregation, Nexmark q5's
   * MaxBids): each row belongs to exactly the window its columns name, and `window` is the upstream's.
   */
  readonly windowColumns?: { readonly start: number; readonly end: number };
  /** the time domain of the windows (undefined: not a time attribute, the window never closes by time) */
  readonly domain: TimeDomain | undefined;
  readonly span: SourceSpan | undefined;
  /** predicates over `input`, to apply before rows are assigned to windows */
  readonly filters: readonly BoundExpr[];
  /** non-window keys over `input` */
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
  readonly keyLayout: WindowAggregateNode['keyLayout'];
  /**
   * Positions in the aggregate's GROUP BY of `window_time` keys (as Flink's cascading window
   * aggregations write them). They are not state keys: window_time is window_end - 1 ms, so the
   * streaming plan computes them over the operator's output; `keyLayout` leaves them out.
   */
  readonly windowTimeKeys: readonly number[];
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
  if (n.kind === 'aggregate') return matchRegroup(agg, n, chain);
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
  const windowTimeKeys: number[] = [];
  agg.groupBy.forEach((k, i) => {
    const e = substitute(k, cols);
    if (i === agg.window!.startKey && e.kind === 'column' && e.index === width) keyLayout.push({ kind: 'windowStart' });
    else if (i === agg.window!.endKey && e.kind === 'column' && e.index === width + 1) keyLayout.push({ kind: 'windowEnd' });
    else if (e.kind === 'column' && e.index === width + 2) windowTimeKeys.push(i);
    else {
      keyLayout.push({ kind: 'key', index: groupBy.length });
      groupBy.push(noWindowColumns(e, 'a grouping key computed from window columns'));
    }
  });
  if (!keyLayout.some((k) => k.kind === 'windowStart') || !keyLayout.some((k) => k.kind === 'windowEnd')) {
    fail('window bounds that are not plain window_start and window_end');
  }
  const w = tvf.window;
  if (w.kind === 'session' && w.partitionBy.length > 0) {
    // sessions are per partition: the aggregation's keys decide them, so they must include it
    const keys = new Set(groupBy.map(exprKey));
    if (!w.partitionBy.every((e) => keys.has(exprKey(e)))) fail('a SESSION window whose PARTITION BY keys are not all in GROUP BY');
  }
  const aggregates = agg.aggregates.map((a): AggregateCall => ({
    ...a,
    arg: a.arg && noWindowColumns(substitute(a.arg, cols), 'an aggregate over window columns'),
    filter: a.filter && noWindowColumns(substitute(a.filter, cols), 'an aggregate filter over window columns'),
  }));
  return {
    input: tvf.input, timeColumn: tvf.timeColumn, window: tvf.window, domain: timeAttributeOf(tvf.input, tvf.timeColumn), span: tvf.span,
    filters, groupBy, aggregates, keyLayout, windowTimeKeys,
  };
}

/**
 * An aggregation grouped by the window bounds of a window aggregation below it (through projections
 * and filters, which become the operator's filters and key expressions): windows given by columns.
 */
function matchRegroup(agg: Aggregate, upstream: Aggregate, chain: readonly LogicalPlan[]): WindowAggregateMatch | undefined {
  const up = windowAggregateOrUndefined(upstream);
  if (!up || !upstream.window) return undefined;
  let cols: BoundExpr[] = upstream.schema.columns.map((c, i) => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const filters: BoundExpr[] = [];
  for (const node of [...chain].reverse()) {
    if (node.kind === 'filter') filters.push(substitute(node.predicate, cols));
    else if (node.kind === 'project') cols = node.exprs.map((e) => substitute(e, cols));
  }
  const { startKey, endKey } = upstream.window;
  const groupBy: BoundExpr[] = [];
  const keyLayout: WindowAggregateNode['keyLayout'][number][] = [];
  agg.groupBy.forEach((k, i) => {
    const e = substitute(k, cols);
    if (i === agg.window!.startKey && e.kind === 'column' && e.index === startKey) keyLayout.push({ kind: 'windowStart' });
    else if (i === agg.window!.endKey && e.kind === 'column' && e.index === endKey) keyLayout.push({ kind: 'windowEnd' });
    else {
      keyLayout.push({ kind: 'key', index: groupBy.length });
      groupBy.push(e);
    }
  });
  if (!keyLayout.some((k) => k.kind === 'windowStart') || !keyLayout.some((k) => k.kind === 'windowEnd')) return undefined;
  const aggregates = agg.aggregates.map((a): AggregateCall => ({
    ...a, arg: a.arg && substitute(a.arg, cols), filter: a.filter && substitute(a.filter, cols),
  }));
  return {
    input: upstream, timeColumn: endKey, window: up.window, windowColumns: { start: startKey, end: endKey }, domain: up.domain, span: up.span,
    filters, groupBy, aggregates, keyLayout, windowTimeKeys: [],
  };
}

/** The time domain of a time attribute: event time (a watermark is declared on it) or processing time. */
export type TimeDomain = 'event' | 'processing';

/**
 * Whether output column `col` of `p` is a time attribute, and of which domain: a column a watermark
 * is declared on (event time), a PROCTIME() column (processing time), or the `window_time` (or
 * `window_end - 1 ms`, what *_ROWTIME / *_PROCTIME give) of a window over one of these, which is a
 * time attribute of the same domain again (as in Flink), so window aggregations can be chained.
 */
export function timeAttributeOf(p: LogicalPlan, col: number): TimeDomain | undefined {
  switch (p.kind) {
    case 'watermarkAssigner': return col === p.column ? 'event' : timeAttributeOf(p.input, col);
    case 'filter': return timeAttributeOf(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      if (e === undefined) return undefined;
      if (e.kind === 'column') return timeAttributeOf(p.input, e.index);
      if (e.kind === 'call' && e.fn === 'proctime') return 'processing';
      if (e.kind === 'cast' && e.operand.kind === 'call' && e.operand.fn === 'proctime') return 'processing';
      const end = minusOneMs(e);
      return end === undefined ? undefined : windowEndDomain(p.input, end);
    }
    case 'windowTvf': {
      const width = p.input.schema.columns.length;
      if (col < width) return timeAttributeOf(p.input, col);
      return col === width + 2 ? timeAttributeOf(p.input, p.timeColumn) : undefined;
    }
    case 'union': {
      const ds = p.inputs.map((i) => timeAttributeOf(i, col));
      return ds.every((d) => d === ds[0]) ? ds[0] : undefined;
    }
    case 'aggregate': {
      const m = windowAggregateOrUndefined(p);
      return m && m.windowTimeKeys.includes(col) ? m.domain : undefined;
    }
    case 'over': // the input columns pass through (in time order, which keeps a rowtime one)
      return col < p.input.schema.columns.length ? timeAttributeOf(p.input, col) : undefined;
    case 'temporalJoin': // the probe row's time attributes pass through (emitted as the watermark passes them)
      return col < p.left.schema.columns.length ? timeAttributeOf(p.left, col) : undefined;
    case 'correlate':
    case 'lookupJoin': {
      // the probe row's time attributes pass through; the lookup table's columns are plain values
      return col < p.input.schema.columns.length ? timeAttributeOf(p.input, col) : undefined;
    }
    case 'processCall': // the rowtime column (on_time) is the input's time column's kind of time
      return p.rowtime && col === p.schema.columns.length - 1 && p.timeColumn !== undefined ? timeAttributeOf(p.input, p.timeColumn) : undefined;
    case 'scan': return undefined;
  }
}

/** Whether output column `col` of `p` is an event-time attribute. */
export function isRowtime(p: LogicalPlan, col: number): boolean {
  return timeAttributeOf(p, col) === 'event';
}

/** The column of `column - INTERVAL '1' MILLISECOND`, else undefined. */
function minusOneMs(e: BoundExpr): number | undefined {
  if (e.kind !== 'call' || e.fn !== 'subtract' || e.args.length !== 2) return undefined;
  const [a, b] = e.args;
  return a!.kind === 'column' && b!.kind === 'literal' && b!.value === 1 && b!.type.kind === 'INTERVAL' ? a!.index : undefined;
}

/** When column `col` of `p` is the window_end of a window aggregation: the domain of its window's time. */
function windowEndDomain(p: LogicalPlan, col: number): TimeDomain | undefined {
  switch (p.kind) {
    case 'filter': return windowEndDomain(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      return e?.kind === 'column' ? windowEndDomain(p.input, e.index) : undefined;
    }
    case 'aggregate': {
      const m = windowAggregateOrUndefined(p);
      if (!m || !p.window || p.window.endKey !== col) return undefined;
      return m.domain;
    }
    default: return undefined;
  }
}

function windowAggregateOrUndefined(p: Aggregate): WindowAggregateMatch | undefined {
  try {
    return matchWindowAggregate(p);
  } catch {
    // a window aggregation the streaming plan refuses: refused where it is planned, with its reason
    return undefined;
  }
}

/** Which window bound a column is: the start or the end of a window, and the domain of its time. */
export interface WindowBound {
  readonly bound: 'start' | 'end';
  readonly domain: TimeDomain | undefined;
}

/**
 * Whether output column `col` of `p` is the window_start or window_end of a window TVF, or of a
 * window aggregation grouped by them, reached through filters and column projections: what makes a
 * Top-N partitioned by it a window Top-N (each window's ranking is final when the window closes).
 */
export function windowBoundOf(p: LogicalPlan, col: number): WindowBound | undefined {
  switch (p.kind) {
    case 'filter': return windowBoundOf(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      return e?.kind === 'column' ? windowBoundOf(p.input, e.index) : undefined;
    }
    case 'windowTvf': {
      const width = p.input.schema.columns.length;
      if (col < width) return windowBoundOf(p.input, col);
      const domain = timeAttributeOf(p.input, p.timeColumn);
      return col === width ? { bound: 'start', domain } : col === width + 1 ? { bound: 'end', domain } : undefined;
    }
    case 'aggregate': {
      if (!p.window || (col !== p.window.startKey && col !== p.window.endKey)) return undefined;
      const m = windowAggregateOrUndefined(p);
      return m ? { bound: col === p.window.endKey ? 'end' : 'start', domain: m.domain } : undefined;
    }
    default: return undefined;
  }
}
