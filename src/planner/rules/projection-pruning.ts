/**
 * Projection pruning: read and carry only the columns the query uses. Walking down from the root
 * with the set of columns each node's consumer needs, it narrows `scan.columns` to the physical
 * columns used, drops unused projection columns and unused aggregate calls, then merges adjacent
 * projections where that costs nothing and removes projections that pass everything through.
 *
 * The root keeps its schema exactly: every one of its columns is required.
 */
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic, remapColumns } from '../expr.js';
import type { AggregateCall, LogicalPlan } from '../logical/plan.js';
import { aggregate, filter, project, scan, transformUp, union, watermarkAssigner, windowTvf } from '../logical/plan.js';
import type { WindowSpec } from '../logical/plan.js';
import { substitute } from './filter-pushdown.js';
import type { Rule } from './rule.js';

interface Pruned {
  readonly plan: LogicalPlan;
  /** old output column index → new index (for the columns that were kept) */
  readonly map: ReadonlyMap<number, number>;
}

const sorted = (s: Iterable<number>): number[] => [...new Set(s)].sort((a, b) => a - b);
const indexMap = (kept: readonly number[]): Map<number, number> => new Map(kept.map((old, i) => [old, i]));
const remap = (e: BoundExpr, m: ReadonlyMap<number, number>): BoundExpr => remapColumns(e, (i) => m.get(i)!);

function usedBy(es: readonly (BoundExpr | undefined)[], into = new Set<number>()): Set<number> {
  for (const e of es) if (e) columnsUsed(e, into);
  return into;
}

function prune(p: LogicalPlan, required: ReadonlySet<number>): Pruned {
  switch (p.kind) {
    case 'scan': {
      // Keep one column even when none is used: the rows still count (COUNT(*)).
      const kept = required.size > 0 ? sorted(required) : [0];
      return { plan: scan(p.table, kept.map((i) => p.columns[i]!)), map: indexMap(kept) };
    }
    case 'project': {
      const kept = required.size > 0 ? sorted(required) : [cheapestColumn(p.exprs)];
      const exprs = kept.map((i) => p.exprs[i]!);
      const inner = prune(p.input, usedBy(exprs));
      return { plan: project(inner.plan, exprs.map((e) => remap(e, inner.map)), kept.map((i) => p.names[i]!)), map: indexMap(kept) };
    }
    case 'filter': {
      const inner = prune(p.input, usedBy([p.predicate], new Set(required)));
      return { plan: filter(inner.plan, remap(p.predicate, inner.map)), map: inner.map };
    }
    case 'watermarkAssigner': {
      const need = usedBy([p.expr], new Set([...required, p.column]));
      const inner = prune(p.input, need);
      return {
        plan: watermarkAssigner(inner.plan, inner.map.get(p.column)!, remap(p.expr, inner.map), p.tableName, p.span),
        map: inner.map,
      };
    }
    case 'windowTvf': {
      const width = p.input.schema.columns.length;
      const partitionBy = p.window.kind === 'session' ? p.window.partitionBy : [];
      const need = usedBy(partitionBy, new Set([...required].filter((i) => i < width)));
      need.add(p.timeColumn);
      const inner = prune(p.input, need);
      const spec: WindowSpec = p.window.kind === 'session'
        ? { ...p.window, partitionBy: p.window.partitionBy.map((e) => remap(e, inner.map)) }
        : p.window;
      const plan = windowTvf(inner.plan, spec, inner.map.get(p.timeColumn)!, p.span);
      const newWidth = inner.plan.schema.columns.length;
      const map = new Map(inner.map);
      for (let k = 0; k < 3; k++) map.set(width + k, newWidth + k);
      return { plan, map };
    }
    case 'aggregate': {
      const keys = p.groupBy.length;
      let keptAggs = p.aggregates.map((_, i) => i).filter((i) => required.has(keys + i));
      if (keys === 0 && keptAggs.length === 0 && p.aggregates.length > 0) keptAggs = [0];
      const calls: AggregateCall[] = keptAggs.map((i) => p.aggregates[i]!);
      const inner = prune(p.input, usedBy([...p.groupBy, ...calls.flatMap((c) => [c.arg, c.filter])]));
      const remapCall = (c: AggregateCall): AggregateCall => ({
        ...c, arg: c.arg && remap(c.arg, inner.map), filter: c.filter && remap(c.filter, inner.map),
      });
      const plan = aggregate(inner.plan, p.groupBy.map((e) => remap(e, inner.map)), p.keyNames, calls.map(remapCall),
        keptAggs.map((i) => p.aggNames[i]!), p.window);
      const map = new Map<number, number>();
      for (let k = 0; k < keys; k++) map.set(k, k);
      keptAggs.forEach((old, i) => map.set(keys + old, keys + i));
      return { plan, map };
    }
    case 'union': {
      const kept = required.size > 0 ? sorted(required) : [0];
      const inputs = p.inputs.map((input) => {
        const inner = prune(input, new Set(kept));
        const cols = inner.plan.schema.columns;
        const exact = cols.length === kept.length && kept.every((old, i) => inner.map.get(old) === i);
        if (exact) return inner.plan;
        const exprs = kept.map((old): BoundExpr => {
          const i = inner.map.get(old)!;
          return { kind: 'column', index: i, name: cols[i]!.name, type: cols[i]!.type };
        });
        return project(inner.plan, exprs, kept.map((old) => input.schema.columns[old]!.name));
      });
      return { plan: union(inputs, { columns: kept.map((i) => p.schema.columns[i]!) }), map: indexMap(kept) };
    }
  }
}

/** The expression to keep when a projection must keep something: a plain column if there is one. */
function cheapestColumn(exprs: readonly BoundExpr[]): number {
  const i = exprs.findIndex((e) => e.kind === 'column' || e.kind === 'literal');
  return i >= 0 ? i : 0;
}

function isCheap(e: BoundExpr): boolean {
  return e.kind === 'column' || e.kind === 'literal' || (e.kind === 'field' && isCheap(e.operand));
}

/**
 * project(project(x)) → project(x) when no inner expression would be computed more often than
 * before: each is cheap, or used at most once by the outer projection (and deterministic, since
 * merging could otherwise duplicate or drop a non-deterministic value).
 */
function mergeProjects(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'project' || p.input.kind !== 'project') return p;
  const inner = p.input;
  const uses = new Map<number, number>();
  const count = (e: BoundExpr): void => {
    if (e.kind === 'column') uses.set(e.index, (uses.get(e.index) ?? 0) + 1);
    else if (e.kind === 'field') count(e.operand);
    else if (e.kind === 'call' || e.kind === 'udf') e.args.forEach(count);
    else if (e.kind === 'cast') count(e.operand);
    else if (e.kind === 'case') {
      e.whens.forEach((w) => (count(w.when), count(w.then)));
      if (e.else) count(e.else);
    }
  };
  p.exprs.forEach(count);
  const ok = inner.exprs.every((e, i) => isCheap(e) || (isDeterministic(e) && (uses.get(i) ?? 0) <= 1));
  if (!ok) return p;
  return project(inner.input, p.exprs.map((e) => substitute(e, inner.exprs)), p.names);
}

/** A projection that passes every input column through, in order and under the same names. */
function dropIdentity(p: LogicalPlan): LogicalPlan {
  if (p.kind !== 'project') return p;
  const cols = p.input.schema.columns;
  const identity = p.exprs.length === cols.length &&
    p.exprs.every((e, i) => e.kind === 'column' && e.index === i && p.names[i] === cols[i]!.name);
  return identity ? p.input : p;
}

export const projectionPruning: Rule = {
  name: 'projection-pruning',
  apply: (p) => {
    const all = new Set(p.schema.columns.map((_, i) => i));
    const pruned = prune(p, all).plan;
    return transformUp(pruned, (x) => dropIdentity(mergeProjects(x)));
  },
};
