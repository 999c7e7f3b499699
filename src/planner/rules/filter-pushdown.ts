/**
 * Filter pushdown: move each conjunct of a filter as close to the source as it can go, so fewer
 * rows reach the expensive operators.
 *
 * A conjunct goes below a projection when the columns it reads are deterministic expressions
 * (substituted), into every input of a union, below a window TVF when it does not read the window
 * columns, below a grouped aggregate when it reads only grouping keys, below a Top-N when it reads
 * only its partition keys (a whole partition stays or goes, so the ranks do not change), and into
 * the inputs of joins and lookup joins as far as their NULL padding allows. It never goes below a
 * watermark assigner: the watermark must see every row of the source, filtered or not (as Flink).
 * Non-deterministic conjuncts stay where they are.
 */
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic, mapExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { aggregate, children, correlate, filter, overAggregate, project, rankOver, semiJoin, temporalJoin, union, withChildren, windowTvf } from '../logical/plan.js';
import type { Rule } from './rule.js';
import { pushIntoJoin } from './join-pushdown.js';
import { pushIntoLookupJoin } from './lookup-join-pushdown.js';

/** The operands of a tree of ANDs, in source order (iterative: the tree may be long). */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  const out: BoundExpr[] = [];
  const stack: BoundExpr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'call' && x.fn === 'and') stack.push(x.args[1]!, x.args[0]!);
    else out.push(x);
  }
  return out;
}

/** Conjunctions of more terms than this are built balanced (as the parser builds long AND runs). */
const BALANCE_ABOVE = 16;

function and(a: BoundExpr, b: BoundExpr): BoundExpr {
  return { kind: 'call', fn: 'and', args: [a, b], type: T.BOOLEAN };
}

/**
 * The AND of `es`: left-deep as written when short; balanced when long, so that a filter of
 * thousands of conjuncts is log-deep for every recursive pass after this one.
 */
export function conjunction(es: readonly BoundExpr[]): BoundExpr {
  if (es.length <= BALANCE_ABOVE) return es.reduce(and);
  let level = es;
  while (level.length > 1) {
    const next: BoundExpr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? and(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** `e` with each column reference i replaced by `by[i]`. */
export function substitute(e: BoundExpr, by: readonly BoundExpr[]): BoundExpr {
  return mapExpr(e, (x) => (x.kind === 'column' ? by[x.index]! : x));
}

function withFilter(p: LogicalPlan, preds: readonly BoundExpr[]): LogicalPlan {
  return preds.length === 0 ? p : filter(p, conjunction(preds));
}

/** `p` with `preds` (over p's output) applied, as deep as they may go. */
function pushInto(p: LogicalPlan, preds: readonly BoundExpr[]): LogicalPlan {
  if (preds.length === 0) return p;
  const movable = preds.filter(isDeterministic);
  const stay = preds.filter((x) => !isDeterministic(x));
  switch (p.kind) {
    case 'filter':
      return pushInto(p.input, [...conjuncts(p.predicate), ...preds]);
    case 'project': {
      const down: BoundExpr[] = [];
      const keep = [...stay];
      for (const c of movable) {
        const ok = [...columnsUsed(c)].every((i) => isDeterministic(p.exprs[i]!));
        (ok ? down : keep).push(ok ? substitute(c, p.exprs) : c);
      }
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(project(pushInto(p.input, down), p.exprs, p.names), keep);
    }
    case 'union':
      if (stay.length > 0) return withFilter(p, preds);
      return union(p.inputs.map((i) => pushInto(i, preds)), p.schema);
    case 'windowTvf': {
      const width = p.input.schema.columns.length;
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => i < width));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(windowTvf(pushInto(p.input, down), p.window, p.timeColumn, p.span), keep);
    }
    case 'aggregate': {
      // With no keys there is one group even over no rows: filtering below would change that.
      const keys = p.groupBy.length;
      if (keys === 0) return withFilter(p, preds);
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => i < keys && isDeterministic(p.groupBy[i]!)));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      const input = pushInto(p.input, down.map((c) => substitute(c, p.groupBy)));
      return withFilter(aggregate(input, p.groupBy, p.keyNames, p.aggregates, p.aggNames, p.window), keep);
    }
    case 'join':
      return pushIntoJoin(p, movable, stay, pushInto);
    case 'lookupJoin':
      return pushIntoLookupJoin(p, movable, stay, pushInto);
    case 'semiJoin':
      // the output is the left rows as they are: a filter on them may go below
      if (movable.length === 0) return withFilter(p, stay);
      return withFilter(semiJoin(p.anti, pushInto(p.left, movable), p.right, p.condition, p.span), stay);
    case 'singleRow':
      return withFilter(p, preds);
    case 'rank': {
      // the input columns keep their positions through the Top-N: only the plain partition columns qualify
      const keys = new Set(p.partitionBy.flatMap((e) => (e.kind === 'column' ? [e.index] : [])));
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => keys.has(i)));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(rankOver(p, pushInto(p.input, down)), keep);
    }
    case 'processCall':
      // a function's state sees every row of its partition: nothing moves below it
      return withFilter(p, preds);
    case 'temporalJoin': {
      // conditions on the left row alone (an INNER join's or a LEFT join's): the versions it meets stay
      // the same. Never into the versioned side: a filtered-out version would let an older one be valid.
      const width = p.left.schema.columns.length;
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => i < width));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(temporalJoin(pushInto(p.left, down), p.right, p), keep);
    }
    case 'correlate': {
      // conditions on the left row alone hold for every row the function makes of it
      const width = p.input.schema.columns.length;
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => i < width));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(correlate(p.joinType, pushInto(p.input, down), p.fn, p.args, p.columns, p.span), keep);
    }
    case 'over': {
      // a filter on plain partition columns keeps or drops whole partitions: below, the frames stay the same
      const keys = new Set(p.partitionBy.flatMap((e) => (e.kind === 'column' ? [e.index] : [])));
      const down = movable.filter((c) => [...columnsUsed(c)].every((i) => keys.has(i)));
      const keep = preds.filter((c) => !down.includes(c));
      if (down.length === 0) return withFilter(p, keep);
      return withFilter(overAggregate(pushInto(p.input, down), p), keep);
    }
    case 'watermarkAssigner': case 'scan':
      return withFilter(p, preds);
  }
}

function rewrite(p: LogicalPlan): LogicalPlan {
  const kids = children(p);
  const next = kids.length === 0 ? p : withChildren(p, kids.map(rewrite));
  if (next.kind === 'join') return pushIntoJoin(next, [], [], pushInto);
  if (next.kind === 'lookupJoin') return pushIntoLookupJoin(next, [], [], pushInto);
  return next.kind === 'filter' ? pushInto(next.input, conjuncts(next.predicate)) : next;
}

export const filterPushdown: Rule = { name: 'filter-pushdown', apply: rewrite };

