/**
 * Queries: WITH (inlined: each use binds the WITH query afresh), SELECT, UNION ALL, ORDER BY …
 * LIMIT (bind-order-limit.ts); UNION (distinct), INTERSECT [ALL] and EXCEPT [ALL] as aggregations
 * over a union.
 */
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import type { Schema } from '../../common/schema.js';
import { commonType, T, typesEqual, typeToString } from '../../common/types.js';
import type { Query, SetOperation } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import type { AggregateCall } from '../logical/plan.js';
import { aggregate, filter, project, union } from '../logical/plan.js';
import { correlate } from '../logical/correlate.js';
import { UNNEST_FN } from '../logical/unnest.js';
import { bindSelect, distinct } from './bind-select.js';
import { bindOrderLimit } from './bind-order-limit.js';
import { coerce } from './coerce.js';
import type { BoundQuery, QueryEnv } from './context.js';

export function bindQueryNode(q: Query, env: QueryEnv): BoundQuery {
  if (q.orderBy.length > 0 || q.limit || q.offset) return bindOrderLimit(q, env);
  const inner: QueryEnv = q.with.length > 0 ? { ...env, ctes: [{ defs: q.with, env }, ...env.ctes] } : env;
  return q.kind === 'select' ? bindSelect(q, inner) : bindSetOperation(q, inner);
}

/** The inputs of a chain of UNION ALLs, flattened (`a UNION ALL b UNION ALL c` → a, b, c). */
function unionInputs(q: Query): Query[] {
  const plain = q.with.length === 0 && q.orderBy.length === 0 && !q.limit && !q.offset;
  if (q.kind === 'setOperation' && q.op === 'UNION' && q.all && plain) return [...unionInputs(q.left), ...unionInputs(q.right)];
  return [q];
}

function bindSetOperation(q: SetOperation, env: QueryEnv): BoundQuery {
  const label = `${q.op}${q.all ? ' ALL' : ''}`;
  const queries = q.op === 'UNION' && q.all ? [...unionInputs(q.left), ...unionInputs(q.right)] : [q.left, q.right];
  const bound = queries.map((x) => bindQueryNode(x, env));
  const inputs = unifiedInputs(bound, queries, label, q.span);
  const columns = bound[0]!.plan.schema.columns.map((c, i) => ({
    name: c.name, type: inputs[0]!.schema.columns[i]!.type, nullable: inputs.some((p) => p.schema.columns[i]!.nullable),
  }));
  const spans = bound[0]!.spans;
  if (q.op === 'UNION') {
    const all = union(inputs, { columns });
    // UNION (distinct): the rows of both, each once: an aggregation keyed by every column
    return { plan: q.all ? all : distinct(all), spans };
  }
  return { plan: intersectOrExcept(q.op, q.all, inputs[0]!, inputs[1]!, columns), spans };
}

/** The inputs of a set operation cast to their columns' common types (each must have as many columns as the first). */
function unifiedInputs(bound: readonly BoundQuery[], queries: readonly Query[], label: string, span: SetOperation['span']): LogicalPlan[] {
  const first = bound[0]!.plan.schema.columns;
  bound.forEach((b, i) => {
    const n = b.plan.schema.columns.length;
    if (n !== first.length) {
      throw new WeirError('TYPE', `each ${label} input must have the same number of columns: the first has ${first.length}, input ${i + 1} has ${n}`, queries[i]!.span);
    }
  });
  const types: SqlType[] = first.map((c, col) => {
    let t: SqlType | undefined = c.type;
    for (const b of bound) {
      const next: SqlType | undefined = t && commonType(t, b.plan.schema.columns[col]!.type);
      if (!next) {
        const all = bound.map((x) => typeToString(x.plan.schema.columns[col]!.type)).join(', ');
        throw new WeirError('TYPE', `${label} column ${col + 1} ('${c.name}') has no common type: ${all}`, span);
      }
      t = next;
    }
    return t!;
  });
  return bound.map((b) => {
    const cols = b.plan.schema.columns;
    if (cols.every((c, i) => typesEqual(c.type, types[i]!))) return b.plan;
    const exprs = cols.map((c, i): BoundExpr => coerce({ kind: 'column', index: i, name: c.name, type: c.type }, types[i]!));
    return project(b.plan, exprs, cols.map((c) => c.name));
  });
}

/**
 * INTERSECT / EXCEPT, as Flink plans them: an aggregation over the union of both inputs, each row
 * tagged with its side, counting the rows of each side per distinct row (NULLs equal, as GROUP BY
 * has them). Distinct: INTERSECT keeps the rows both sides have, EXCEPT those only the left has.
 * ALL (bag semantics): a row the left has m times and the right n times comes out min(m, n) times
 * (INTERSECT ALL) or max(m − n, 0) times (EXCEPT ALL), repeated by unnesting a MULTISET of that
 * many elements (Flink's ReplicateRows). The result updates as the counts change: a changed count
 * retracts the rows of the old one and inserts those of the new.
 */
function intersectOrExcept(op: 'INTERSECT' | 'EXCEPT', all: boolean, left: LogicalPlan, right: LogicalPlan, columns: Schema['columns']): LogicalPlan {
  const width = columns.length;
  const col = (i: number, c: { name: string; type: SqlType }): BoundExpr => ({ kind: 'column', index: i, name: c.name, type: c.type });
  const one: BoundExpr = { kind: 'literal', value: 1, type: T.INT };
  const none: BoundExpr = { kind: 'literal', value: null, type: T.INT };
  const tagged = (p: LogicalPlan, l: BoundExpr, r: BoundExpr): LogicalPlan =>
    project(p, [...p.schema.columns.map((c, i) => col(i, c)), l, r], [...columns.map((c) => c.name), '$left', '$right']);
  const both = union([tagged(left, one, none), tagged(right, none, one)]);
  const keys = columns.map((c, i) => col(i, c));
  const count = (i: number): AggregateCall => ({ fn: 'count', arg: col(width + i, { name: i === 0 ? '$left' : '$right', type: T.INT }), distinct: false, filter: undefined, type: T.BIGINT });
  const counted = aggregate(both, keys, columns.map((c) => c.name), [count(0), count(1)], ['$left', '$right']);
  const zero: BoundExpr = { kind: 'literal', value: 0, type: T.BIGINT };
  const cmp = (fn: 'gt' | 'eq', i: number): BoundExpr =>
    ({ kind: 'call', fn, args: [col(width + i, { name: i === 0 ? '$left' : '$right', type: T.BIGINT }), zero], type: T.BOOLEAN });
  if (all) return replicated(op, counted, keys, columns);
  const predicate: BoundExpr = { kind: 'call', fn: 'and', args: [cmp('gt', 0), cmp(op === 'INTERSECT' ? 'gt' : 'eq', 1)], type: T.BOOLEAN };
  return project(filter(counted, predicate), keys, columns.map((c) => c.name));
}

/** Each row of `counted` (keys, $left, $right) repeated as many times as INTERSECT ALL / EXCEPT ALL keep it. */
function replicated(op: 'INTERSECT' | 'EXCEPT', counted: LogicalPlan, keys: readonly BoundExpr[], columns: Schema['columns']): LogicalPlan {
  const width = columns.length;
  const count = (i: number): BoundExpr => ({ kind: 'column', index: width + i, name: i === 0 ? '$left' : '$right', type: T.BIGINT });
  const times: BoundExpr = op === 'INTERSECT'
    ? { kind: 'call', fn: 'least', args: [count(0), count(1)], type: T.BIGINT }
    : { kind: 'call', fn: 'subtract', args: [count(0), count(1)], type: T.BIGINT };
  const bag: BoundExpr = { kind: 'call', fn: 'multiset_of_count', args: [times], type: T.multiset(T.INT) };
  const withBag = project(counted, [...keys, bag], [...columns.map((c) => c.name), '$times']);
  const repeated = correlate('inner', withBag, UNNEST_FN, [{ kind: 'column', index: width, name: '$times', type: T.multiset(T.INT) }],
    [{ name: '$copy', type: T.INT, nullable: true }]);
  return project(repeated, keys, columns.map((c) => c.name));
}
