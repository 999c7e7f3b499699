/**
 * Projection pruning: read and carry only the columns the query uses. Walking down from the root
 * with the set of columns each node's consumer needs, it narrows `scan.columns` to the physical
 * columns used, drops unused projection columns and unused aggregate calls, then merges adjacent
 * projections where that costs nothing and removes projections that pass everything through.
 *
 * The root keeps its schema exactly: every one of its columns is required.
 *
 * Then nested pruning: for ROW columns a scan reads, it finds which fields the query touches (`bid.price`,
 * `person.dateTime`) and records them on the scan (`requiredFields`), so a source can leave the other
 * fields null. The Nexmark table's computed `dateTime` reads `person.dateTime` and `auction.dateTime`:
 * without this the generator would build every field of every person and auction.
 */
import type { BoundExpr } from '../expr.js';
import { columnsUsed, exprChildren, isDeterministic, remapColumns } from '../expr.js';
import type { SqlType } from '../../common/types.js';
import { assertNever } from '../../common/errors.js';
import type { AggregateCall, LogicalPlan, Scan } from '../logical/plan.js';
import { processCallOver } from '../logical/plan.js';
import { aggregate, correlate, filter, join, lookupJoin, overAggregate, project, rank, scan, semiJoin, singleRow, temporalJoin, transformUp, union, watermarkAssigner, windowTvf } from '../logical/plan.js';
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
    case 'rank': {
      // the input columns the consumer and the keys read; the row number only when the consumer reads it
      const width = p.input.schema.columns.length;
      const need = usedBy([...p.partitionBy, ...p.orderBy.map((k) => k.expr)], new Set([...required].filter((i) => i < width)));
      const inner = prune(p.input, need);
      const outputRank = p.outputRank && required.has(width);
      const plan = rank(inner.plan, p.partitionBy.map((e) => remap(e, inner.map)),
        p.orderBy.map((k) => ({ ...k, expr: remap(k.expr, inner.map) })), p, outputRank, p.rankName, p.span);
      const map = new Map(inner.map);
      if (outputRank) map.set(width, inner.plan.schema.columns.length);
      return { plan, map };
    }
    case 'over': {
      // every aggregate stays (cheap, and the plan keeps its shape); the input columns its consumer, keys and calls read
      const width = p.input.schema.columns.length;
      const need = usedBy([...p.partitionBy, ...p.calls.flatMap((c) => [c.arg, c.filter])], new Set([...required].filter((i) => i < width)));
      need.add(p.timeColumn);
      const inner = prune(p.input, need);
      const calls = p.calls.map((c) => ({ ...c, arg: c.arg && remap(c.arg, inner.map), filter: c.filter && remap(c.filter, inner.map) }));
      const plan = overAggregate(inner.plan, {
        ...p, partitionBy: p.partitionBy.map((e) => remap(e, inner.map)), timeColumn: inner.map.get(p.timeColumn)!, calls,
      });
      const map = new Map(inner.map);
      const nw = inner.plan.schema.columns.length;
      p.calls.forEach((_, i) => map.set(width + i, nw + i));
      return { plan, map };
    }
    case 'join': {
      // each side keeps what the consumer and the condition read of it
      const lw = p.left.schema.columns.length;
      const need = usedBy([p.condition], new Set(required));
      const l = prune(p.left, new Set([...need].filter((i) => i < lw)));
      const r = prune(p.right, new Set([...need].filter((i) => i >= lw).map((i) => i - lw)));
      const nlw = l.plan.schema.columns.length;
      const map = new Map<number, number>();
      for (const [o, n] of l.map) map.set(o, n);
      for (const [o, n] of r.map) map.set(o + lw, n + nlw);
      const condition = p.condition && remap(p.condition, map);
      return { plan: join(p.joinType, l.plan, r.plan, condition, p.span), map };
    }
    case 'temporalJoin': {
      // as a join, and each side keeps its rowtime; the versioned side its primary key
      const lw = p.left.schema.columns.length;
      const need = usedBy([p.condition], new Set(required));
      const l = prune(p.left, new Set([...[...need].filter((i) => i < lw), p.leftTime]));
      const r = prune(p.right, new Set([...[...need].filter((i) => i >= lw).map((i) => i - lw), p.rightTime, ...p.rightKey]));
      const nlw = l.plan.schema.columns.length;
      const map = new Map<number, number>();
      for (const [o, n] of l.map) map.set(o, n);
      for (const [o, n] of r.map) map.set(o + lw, n + nlw);
      const plan = temporalJoin(l.plan, r.plan, {
        ...p, condition: remap(p.condition, map), leftTime: l.map.get(p.leftTime)!, rightTime: r.map.get(p.rightTime)!,
        rightKey: p.rightKey.map((k) => r.map.get(k)!),
      });
      return { plan, map };
    }
    case 'lookupJoin': {
      // the probe keeps what the consumer and the condition read of it; the table loads only its columns read
      const width = p.input.schema.columns.length;
      const need = usedBy([p.condition], new Set(required));
      const inner = prune(p.input, new Set([...need].filter((i) => i < width)));
      const keptTable = sorted([...need].filter((i) => i >= width).map((i) => i - width));
      const newWidth = inner.plan.schema.columns.length;
      const map = new Map(inner.map);
      keptTable.forEach((old, k) => map.set(old + width, newWidth + k));
      const plan = lookupJoin(p.joinType, inner.plan, p.table, keptTable.map((i) => p.columns[i]!), remap(p.condition, map), p.span);
      return { plan, map };
    }
    case 'processCall': {
      // the function sees whole input rows: every input column stays; its output columns all stay
      const inner = prune(p.input, new Set(p.input.schema.columns.map((_, i) => i)));
      const plan = processCallOver(p, inner.plan, (i) => inner.map.get(i)!);
      return { plan, map: indexMap(p.schema.columns.map((_, i) => i)) };
    }
    case 'correlate': {
      // the input keeps what the consumer and the arguments read; the function's columns all stay
      const width = p.input.schema.columns.length;
      const inner = prune(p.input, usedBy(p.args, new Set([...required].filter((i) => i < width))));
      const newWidth = inner.plan.schema.columns.length;
      const map = new Map(inner.map);
      p.columns.forEach((_, k) => map.set(width + k, newWidth + k));
      const plan = correlate(p.joinType, inner.plan, p.fn, p.args.map((a) => remap(a, inner.map)), p.columns, p.span);
      return { plan, map };
    }
    case 'semiJoin': {
      // the left keeps what the consumer and the condition read; the right only what the condition reads
      const lw = p.left.schema.columns.length;
      const need = usedBy([p.condition], new Set(required));
      const leftNeed = sorted([...need].filter((i) => i < lw));
      const l = narrowTo(prune(p.left, new Set(leftNeed)), leftNeed, p.left);
      const rightNeed = sorted([...need].filter((i) => i >= lw).map((i) => i - lw));
      const r = prune(p.right, new Set(rightNeed));
      // both sides' rows are stored whole: only the columns the condition and the consumer read (a filter's go)
      const r2 = narrowTo(r, rightNeed, p.right);
      const right = r2.plan;
      const rmap = r2.map;
      const nlw = l.plan.schema.columns.length;
      const map = new Map<number, number>();
      for (const [o, n] of rmap) map.set(o + lw, n + nlw);
      for (const [o, n] of l.map) map.set(o, n);
      const condition = p.condition && remap(p.condition, map);
      return { plan: semiJoin(p.anti, l.plan, right, condition, p.span), map: l.map };
    }
    case 'singleRow': {
      // the row count does not depend on the columns kept
      const inner = prune(p.input, required);
      return { plan: singleRow(inner.plan, p.span), map: inner.map };
    }
  }
}

/** `pruned` (of `original`) projected to the columns `kept` when it carries more (at least one column stays). */
function narrowTo(pruned: Pruned, kept: readonly number[], original: LogicalPlan): Pruned {
  const cols = pruned.plan.schema.columns;
  const want = kept.length > 0 ? kept : [[...pruned.map.keys()].sort((a, b) => a - b)[0]!];
  if (cols.length <= want.length) return pruned;
  const exprs = want.map((old): BoundExpr => {
    const i = pruned.map.get(old)!;
    return { kind: 'column', index: i, name: cols[i]!.name, type: cols[i]!.type };
  });
  return { plan: project(pruned.plan, exprs, want.map((old) => original.schema.columns[old]!.name)), map: indexMap(want) };
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

// ---------------------------------------------------------------------------------------------
// Nested (per-field) pruning.

/** How much of a column its consumers read: all of it, or (a ROW column) only these field indices. */
type FieldUse = 'all' | ReadonlySet<number>;
/** output column index → its use; a column absent is not read at all */
type Usage = Map<number, FieldUse>;

function addUse(u: Usage, column: number, use: FieldUse): void {
  const prev = u.get(column);
  if (prev === 'all' || use === 'all') u.set(column, 'all');
  else u.set(column, prev === undefined ? use : new Set([...prev, ...use]));
}

/** The column a chain of field accesses starts from, and the first field taken: `bid#3.price` → (3, price). */
function fieldOfColumn(e: BoundExpr): { readonly column: number; readonly field: number } | undefined {
  if (e.kind !== 'field') return undefined;
  if (e.operand.kind === 'column') return { column: e.operand.index, field: e.fieldIndex };
  return fieldOfColumn(e.operand);
}

/** Record what `e` reads; `whole` is how much of e's own value is read when e is a bare column. */
function useExpr(e: BoundExpr, u: Usage, whole: FieldUse = 'all'): void {
  if (e.kind === 'column') return addUse(u, e.index, whole);
  const f = fieldOfColumn(e);
  if (f) return addUse(u, f.column, new Set([f.field]));
  for (const c of exprChildren(e)) useExpr(c, u);
}

/** Pass the use of output columns straight through to the same input columns. */
function passThrough(u: Usage, width: number): Usage {
  const out: Usage = new Map();
  for (const [k, use] of u) if (k < width) out.set(k, use);
  return out;
}

/** Walk down from the root, annotating each scan with the ROW fields its consumers read. */
function annotateFields(p: LogicalPlan, u: Usage): LogicalPlan {
  switch (p.kind) {
    case 'scan':
      return annotateScan(p, u);
    case 'project': {
      const need: Usage = new Map();
      p.exprs.forEach((e, k) => {
        const use = u.get(k);
        if (use !== undefined) useExpr(e, need, use);
      });
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'filter': {
      const need = passThrough(u, p.input.schema.columns.length);
      useExpr(p.predicate, need);
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'watermarkAssigner': {
      const need = passThrough(u, p.input.schema.columns.length);
      useExpr(p.expr, need);
      addUse(need, p.column, 'all');
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'windowTvf': {
      const need = passThrough(u, p.input.schema.columns.length);
      if (p.window.kind === 'session') for (const e of p.window.partitionBy) useExpr(e, need);
      addUse(need, p.timeColumn, 'all');
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'aggregate': {
      const need: Usage = new Map();
      for (const e of p.groupBy) useExpr(e, need);
      for (const c of p.aggregates) {
        if (c.arg) useExpr(c.arg, need);
        if (c.filter) useExpr(c.filter, need);
      }
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'union': {
      // A field index means the same field in every input only when the ROW types agree by name.
      const same = (k: number): boolean => p.inputs.every((i) => sameRowFields(i.schema.columns[k]?.type, p.schema.columns[k]?.type));
      const need: Usage = new Map([...u].map(([k, use]) => [k, same(k) ? use : 'all'] as const));
      return { ...p, inputs: p.inputs.map((i) => annotateFields(i, need)) };
    }
    case 'rank': {
      const need = passThrough(u, p.input.schema.columns.length);
      for (const e of p.partitionBy) useExpr(e, need);
      for (const k of p.orderBy) useExpr(k.expr, need);
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'over': {
      const need = passThrough(u, p.input.schema.columns.length);
      addUse(need, p.timeColumn, 'all');
      for (const e of p.partitionBy) useExpr(e, need);
      for (const c of p.calls) {
        if (c.arg) useExpr(c.arg, need);
        if (c.filter) useExpr(c.filter, need);
      }
      return { ...p, input: annotateFields(p.input, need) };
    }
    // a semi join's output is its left columns: the consumers' usage splits the same way
    case 'join': case 'temporalJoin': case 'semiJoin': {
      const lw = p.left.schema.columns.length;
      const need: Usage = new Map(u);
      if (p.condition) useExpr(p.condition, need);
      // a temporal join reads each side's rowtime and the versioned side's key itself (as prune keeps them)
      if (p.kind === 'temporalJoin') for (const k of [p.leftTime, lw + p.rightTime, ...p.rightKey.map((c) => lw + c)]) addUse(need, k, 'all');
      const left: Usage = new Map();
      const right: Usage = new Map();
      for (const [k, use] of need) (k < lw ? left.set(k, use) : right.set(k - lw, use));
      return { ...p, left: annotateFields(p.left, left), right: annotateFields(p.right, right) };
    }
    case 'lookupJoin': {
      // the lookup table's ROW columns are loaded whole; the probe's fields as the consumers and condition read them
      const width = p.input.schema.columns.length;
      const need = passThrough(u, width);
      const cond: Usage = new Map();
      useExpr(p.condition, cond);
      for (const [k, use] of cond) if (k < width) addUse(need, k, use);
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'processCall': {
      // the function's row objects carry every field
      const need: Usage = new Map();
      p.input.schema.columns.forEach((_, k) => addUse(need, k, 'all'));
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'correlate': {
      const need = passThrough(u, p.input.schema.columns.length);
      for (const e of p.args) useExpr(e, need);
      return { ...p, input: annotateFields(p.input, need) };
    }
    case 'singleRow':
      return { ...p, input: annotateFields(p.input, u) };
    default:
      return assertNever(p, 'plan node');
  }
}

function sameRowFields(a: SqlType | undefined, b: SqlType | undefined): boolean {
  if (a?.kind !== 'ROW' || b?.kind !== 'ROW') return a?.kind !== 'ROW' && b?.kind !== 'ROW';
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name);
}

function annotateScan(p: Scan, u: Usage): Scan {
  const fields = new Map<number, readonly string[]>();
  p.schema.columns.forEach((c, k) => {
    if (c.type.kind !== 'ROW') return;
    // A ROW column kept only so the rows still count (no column used) needs no field at all.
    const use = u.get(k) ?? new Set<number>();
    if (use === 'all' || use.size === c.type.fields.length) return;
    const rowFields = c.type.fields;
    fields.set(p.columns[k]!, [...use].sort((a, b) => a - b).map((i) => rowFields[i]!.name));
  });
  const { requiredFields: _old, ...rest } = p;
  return fields.size > 0 ? { ...rest, requiredFields: fields } : rest;
}

export const projectionPruning: Rule = {
  name: 'projection-pruning',
  apply: (p) => {
    const all = new Set(p.schema.columns.map((_, i) => i));
    const pruned = transformUp(prune(p, all).plan, (x) => dropIdentity(mergeProjects(x)));
    return annotateFields(pruned, new Map(p.schema.columns.map((_, i) => [i, 'all'] as const)));
  },
};
