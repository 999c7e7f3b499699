/**
 * How a join runs incrementally: its equi-join keys, the rest of its condition, and whether a time
 * range between the two sides bounds its state.
 *
 * Keys: each conjunct `a = b` with `a` over one side and `b` over the other.
 *
 * Time bounds: the condition's comparisons are read as `x ≤ y` (`=` gives both directions,
 * BETWEEN its two halves). When `x` is `tS + c` for a time column `tS` of side S whose rows the
 * watermark bounds (a rowtime attribute, or the `window_end` of a window aggregation, which emits a
 * window once the watermark passes its end), and `y` reads only the other side O, then an O row can
 * never match an S row arriving later once the watermark passes `y − c`: S rows below the watermark
 * are late and dropped, so a later S row has `tS ≥ watermark > y − c`. O's rows then carry the expiry
 * `y − c` (the least of several), and S's rows are checked for lateness on `tS`. This covers interval
 * joins (`B.ts BETWEEN A.ts AND A.expires`, `L.ts BETWEEN R.ts - INTERVAL '5' SECOND AND R.ts + …`),
 * window joins (`L.window_end = R.window_end`) and time-bounded joins on window ends (Nexmark q7).
 *
 * Bounds apply only when both inputs are append-only (a retraction could not find an evicted row).
 * An outer join keeps its output append-only when every side it preserves has an expiry (an
 * unmatched row is emitted when it expires); otherwise it emits NULL-padded rows at once and
 * retracts them when a match arrives, which needs update mode.
 */
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, exprType, isDeterministic, remapColumns } from '../expr.js';
import type { Join, LogicalPlan } from '../logical/plan.js';
import { children, preserves } from '../logical/plan.js';
import { conjunction, conjuncts } from '../rules/filter-pushdown.js';
import type { JoinNode, JoinSideBound, PhysicalNode } from './physical.js';
import { isRowtime, matchWindowAggregate } from './window-match.js';

export interface JoinAnalysis {
  readonly leftKeys: readonly BoundExpr[];
  readonly rightKeys: readonly BoundExpr[];
  readonly residual: BoundExpr | undefined;
  readonly leftBound: JoinSideBound | undefined;
  readonly rightBound: JoinSideBound | undefined;
  readonly strategy: JoinNode['strategy'];
}

type Side = 'left' | 'right';

/** Whether an aggregation or a join sits in `p` (then its rows may come after the watermark passed them). */
function hasStateful(p: LogicalPlan): boolean {
  return p.kind === 'aggregate' || p.kind === 'join' || p.kind === 'semiJoin' || children(p).some(hasStateful);
}

/** Column `col` of `p` is the window_end of a window aggregation over event time. */
function isWindowEnd(p: LogicalPlan, col: number): boolean {
  switch (p.kind) {
    case 'filter': case 'watermarkAssigner': return isWindowEnd(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      return e?.kind === 'column' && isWindowEnd(p.input, e.index);
    }
    case 'aggregate': {
      if (!p.window || p.window.endKey !== col) return false;
      try {
        const m = matchWindowAggregate(p);
        return m !== undefined && m.domain === 'event';
      } catch {
        return false; // a window aggregation the streaming plan refuses, with its reason, where it is planned
      }
    }
    default: return false;
  }
}

/**
 * Column `col` of `p` is the window_end a window TVF (TUMBLE, HOP, CUMULATE over event time, no
 * aggregation) gives each row: a row is in its window only until the watermark passes that end, so
 * a join (or semi / anti join) on equal window bounds of two such inputs is Flink's window join, its
 * state bounded.
 */
export function isTvfWindowEnd(p: LogicalPlan, col: number): boolean {
  switch (p.kind) {
    case 'filter': case 'watermarkAssigner': return isTvfWindowEnd(p.input, col);
    case 'project': {
      const e = p.exprs[col];
      return e?.kind === 'column' && isTvfWindowEnd(p.input, e.index);
    }
    case 'windowTvf':
      return p.window.kind !== 'session' && col === p.input.schema.columns.length + 1 && isRowtime(p.input, p.timeColumn);
    default: return false;
  }
}

/** Whether the watermark bounds column `col` of `p`, and whether it is judged against the previous batch's watermark. */
function boundedTime(p: LogicalPlan, col: number): { chained: boolean } | undefined {
  if (isRowtime(p, col) || isTvfWindowEnd(p, col)) return { chained: hasStateful(p) };
  if (isWindowEnd(p, col)) return { chained: true };
  return undefined;
}

/** `x ≤ y` pairs a comparison conjunct states (`eq`: both ways); `fromEquality` for EXPLAIN. */
function inequalities(c: BoundExpr): { x: BoundExpr; y: BoundExpr; fromEquality: boolean }[] {
  if (c.kind !== 'call' || c.args.length !== 2) return [];
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  switch (c.fn) {
    case 'le': case 'lt': return [{ x: a, y: b, fromEquality: false }];
    case 'ge': case 'gt': return [{ x: b, y: a, fromEquality: false }];
    case 'eq': return [{ x: a, y: b, fromEquality: true }, { x: b, y: a, fromEquality: true }];
    default: return [];
  }
}

/** `col + c` (c an INTERVAL literal, 0 when absent): the column and c. */
function columnPlus(x: BoundExpr): { column: number; c: number } | undefined {
  if (x.kind === 'column') return { column: x.index, c: 0 };
  if (x.kind !== 'call' || x.args.length !== 2 || (x.fn !== 'add' && x.fn !== 'subtract')) return undefined;
  const [a, b] = x.args as [BoundExpr, BoundExpr];
  const lit = (e: BoundExpr): number | undefined =>
    e.kind === 'literal' && e.type.kind === 'INTERVAL' && typeof e.value === 'number' ? e.value : undefined;
  if (a.kind === 'column' && lit(b) !== undefined) return { column: a.index, c: x.fn === 'add' ? lit(b)! : -lit(b)! };
  if (x.fn === 'add' && b.kind === 'column' && lit(a) !== undefined) return { column: b.index, c: lit(a)! };
  return undefined;
}

export function analyzeJoin(p: Join): JoinAnalysis {
  const lw = p.left.schema.columns.length;
  const sideOf = (e: BoundExpr): Side | undefined => {
    const cols = [...columnsUsed(e)];
    if (cols.length === 0) return undefined;
    if (cols.every((c) => c < lw)) return 'left';
    if (cols.every((c) => c >= lw)) return 'right';
    return undefined;
  };
  const local = (e: BoundExpr, s: Side): BoundExpr => (s === 'left' ? e : remapColumns(e, (i) => i - lw));
  const leftKeys: BoundExpr[] = [];
  const rightKeys: BoundExpr[] = [];
  const rest: BoundExpr[] = [];
  const all = p.condition ? conjuncts(p.condition) : [];
  for (const c of all) {
    if (c.kind === 'call' && c.fn === 'eq' && isDeterministic(c)) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      const sa = sideOf(a), sb = sideOf(b);
      if (sa && sb && sa !== sb) {
        leftKeys.push(local(sa === 'left' ? a : b, 'left'));
        rightKeys.push(local(sa === 'left' ? b : a, 'right'));
        continue;
      }
    }
    rest.push(c);
  }

  const expiry: Record<Side, BoundExpr[]> = { left: [], right: [] };
  const lateness: Record<Side, Map<number, boolean>> = { left: new Map(), right: new Map() };
  let onlyEqualities = true;
  const plans: Record<Side, LogicalPlan> = { left: p.left, right: p.right };
  for (const c of all) {
    if (!isDeterministic(c)) continue;
    for (const { x, y, fromEquality } of inequalities(c)) {
      const s = sideOf(x), o = sideOf(y);
      if (!s || !o || s === o) continue;
      const t = columnPlus(local(x, s));
      if (!t) continue;
      const bounded = boundedTime(plans[s], t.column);
      if (!bounded) continue;
      const yo = local(y, o);
      const e: BoundExpr = t.c === 0 ? yo
        : { kind: 'call', fn: t.c > 0 ? 'subtract' : 'add', args: [yo, { kind: 'literal', value: Math.abs(t.c), type: T.INTERVAL }], type: exprType(yo) };
      expiry[o].push(e);
      lateness[s].set(t.column, (lateness[s].get(t.column) ?? false) || bounded.chained);
      if (!fromEquality) onlyEqualities = false;
    }
  }
  const bound = (s: Side): JoinSideBound | undefined =>
    expiry[s].length === 0 && lateness[s].size === 0
      ? undefined
      : { expiry: expiry[s], lateness: [...lateness[s]].map(([column, chained]) => ({ column, chained })) };
  const leftBound = bound('left');
  const rightBound = bound('right');
  const timed = expiry.left.length > 0 || expiry.right.length > 0;
  return {
    leftKeys, rightKeys,
    residual: rest.length > 0 ? conjunction(rest) : undefined,
    leftBound, rightBound,
    strategy: !timed ? 'regular' : onlyEqualities ? 'window' : 'interval',
  };
}

/** Whether an outer side of the join has no expiry: then the join retracts NULL-padded rows (update mode). */
export function joinRetracts(p: Join): boolean {
  const a = analyzeJoin(p);
  return (preserves(p.joinType, 'left') && !a.leftBound?.expiry.length) || (preserves(p.joinType, 'right') && !a.rightBound?.expiry.length);
}

/** What the streaming planner lends the join planner. */
export interface JoinPlanningContext {
  build(p: LogicalPlan): PhysicalNode;
  register<N extends PhysicalNode & { operatorId: number }>(make: (id: number) => N): N;
  /** SET 'table.exec.state.ttl' in ms; 0: state kept forever */
  readonly stateTtlMs?: number;
}

export function planJoin(p: Join, b: JoinPlanningContext): PhysicalNode {
  const left = b.build(p.left);
  const right = b.build(p.right);
  const a = analyzeJoin(p);
  // a retraction must find the row it takes back: bounds need append-only inputs
  const timed = left.appendOnly && right.appendOnly && a.strategy !== 'regular';
  const leftBound = timed ? a.leftBound : undefined;
  const rightBound = timed ? a.rightBound : undefined;
  const outerOk = (s: Side): boolean =>
    !preserves(p.joinType, s) || ((s === 'left' ? leftBound : rightBound)?.expiry.length ?? 0) > 0;
  const appendOnly = left.appendOnly && right.appendOnly && outerOk('left') && outerOk('right');
  return b.register((operatorId): JoinNode => ({
    kind: 'join', operatorId, left, right, joinType: p.joinType,
    leftKeys: a.leftKeys, rightKeys: a.rightKeys, residual: a.residual,
    ...(leftBound ? { leftBound } : {}), ...(rightBound ? { rightBound } : {}),
    strategy: timed ? a.strategy : 'regular',
    ...(!timed && (b.stateTtlMs ?? 0) > 0 ? { stateTtlMs: b.stateTtlMs } : {}),
    schema: p.schema, appendOnly,
  }));
}
