/**
 * ORDER BY … LIMIT n [OFFSET m] on a stream, as Flink runs it: a global Top-N over the query's
 * result, ranks m+1 … m+n by the ORDER BY keys (ties: the row that came first ranks first). The
 * result updates as better rows arrive (update mode; complete mode re-sends it each batch).
 * `LIMIT n` alone keeps the first n rows to arrive.
 *
 * ORDER BY without LIMIT would sort an unbounded result: refused, as Flink refuses it for anything
 * but a time attribute, with the way out. ORDER BY keys name result columns (by name or alias,
 * or 1-based position), as a Top-N ranks whole result rows.
 */
import { WeirError } from '../../common/errors.js';
import { typeToString, isCollection } from '../../common/types.js';
import type { Expr, OrderItem, Query } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { rank, type RankOrderKey } from '../logical/rank.js';
import { overAggregate } from '../logical/plan.js';
import { timeAttributeOf } from '../incremental/window-match.js';
import type { BoundQuery, QueryEnv } from './context.js';
import { bindQueryNode } from './bind-query.js';

export function bindOrderLimit(q: Query, env: QueryEnv): BoundQuery {
  if (q.limit === undefined) {
    if (q.offset) throw new WeirError('UNSUPPORTED', 'OFFSET needs a LIMIT on a stream: the rows after the offset never end', q.offset.span);
    const sorted = sortByRowtime(q, env);
    if (sorted) return sorted;
    throw new WeirError('UNSUPPORTED',
      'ORDER BY without LIMIT is only supported on a stream for one event-time attribute ascending (rows released in time order as the watermark passes); '
      + 'otherwise the sorted result would never be final: add LIMIT n (a Top-N that updates as rows arrive), '
      + 'or rank rows per key with ROW_NUMBER() OVER (PARTITION BY … ORDER BY …)', q.orderBy[0]!.span);
  }
  const inner = bindQueryNode({ ...q, orderBy: [], limit: undefined, offset: undefined }, env);
  const columns = inner.plan.schema.columns;
  const orderBy = q.orderBy.map((o): RankOrderKey => {
    const index = resultColumn(o, columns.map((c) => c.name));
    const c = columns[index]!;
    if (c.type.kind === 'ROW' || isCollection(c.type)) throw new WeirError('TYPE', `cannot ORDER BY a value of type ${typeToString(c.type)}`, o.expr.span);
    const expr: BoundExpr = { kind: 'column', index, name: c.name, type: c.type };
    return { expr, descending: o.descending, nullsFirst: o.nullsFirst ?? !o.descending };
  });
  const n = count(q.limit, 'LIMIT', 1);
  const offset = q.offset ? count(q.offset, 'OFFSET', 0) : 0;
  const plan = rank(inner.plan, [], orderBy, { rankStart: offset + 1, rankEnd: offset + n }, false, 'rn', q.limit.span);
  return { plan, spans: inner.spans };
}

/** The result column an ORDER BY item names: a column name or alias, or a 1-based position. */
function resultColumn(o: OrderItem, names: readonly string[]): number {
  const e = o.expr;
  if (e.kind === 'literal' && e.literalType === 'number' && /^\d+$/.test(String(e.value))) {
    const pos = Number(e.value);
    if (pos < 1 || pos > names.length) {
      throw new WeirError('BIND', `ORDER BY position ${pos} is not in the select list (1 to ${names.length})`, e.span);
    }
    return pos - 1;
  }
  if (e.kind === 'column' && e.path.length === 1) {
    const name = e.path[0]!.value;
    let i = names.indexOf(name);
    if (i < 0) i = names.findIndex((x) => x.toLowerCase() === name.toLowerCase());
    if (i >= 0) return i;
    throw new WeirError('BIND', `ORDER BY '${name}' is not a column of the result: expected one of ${names.join(', ')}`, e.span);
  }
  throw new WeirError('UNSUPPORTED', 'ORDER BY an expression is not supported yet: select it with an alias and ORDER BY the alias', e.span);
}

/** A LIMIT or OFFSET count: a whole-number literal of at least `min`. */
function count(e: Expr, what: string, min: number): number {
  const v = e.kind === 'literal' && e.literalType === 'number' && /^\d+$/.test(String(e.value)) ? Number(e.value) : NaN;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new WeirError('BIND', `${what} takes a whole number${min > 0 ? ' of at least 1' : ''}, such as ${what} 10`, e.span);
  }
  return v;
}

/**
 * `ORDER BY <rowtime> [ASC]` without LIMIT, as Flink sorts a stream by time: rows wait until the
 * watermark passes them and come out in time order, append-only (an OVER node with no calls).
 * Undefined when the ORDER BY is anything else (the caller refuses it).
 */
function sortByRowtime(q: Query, env: QueryEnv): BoundQuery | undefined {
  if (q.orderBy.length !== 1 || q.orderBy[0]!.descending) return undefined;
  const inner = bindQueryNode({ ...q, orderBy: [], limit: undefined, offset: undefined }, env);
  const o = q.orderBy[0]!;
  const index = resultColumn(o, inner.plan.schema.columns.map((c) => c.name));
  if (timeAttributeOf(inner.plan, index) !== 'event') return undefined;
  const plan = overAggregate(inner.plan, {
    partitionBy: [], timeColumn: index, frame: { unit: 'ROWS', preceding: 0 }, calls: [], callNames: [], sort: true, span: o.span,
  });
  return { plan, spans: inner.spans };
}
