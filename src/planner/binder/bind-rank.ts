/**
 * Top-N and deduplication (Flink's pattern): a subquery whose SELECT list has
 * `ROW_NUMBER() OVER ([PARTITION BY k, ...] ORDER BY c [ASC|DESC] [NULLS FIRST|LAST], ...) AS rn`,
 * filtered by the query around it with `rn <= N`, `rn < N`, `rn = N`, `N >= rn`,
 * `rn BETWEEN M AND N` (ANDed with anything else, which stays a filter).
 *
 * Binding the subquery puts a Rank node (logical/rank.ts) with no upper bound under its projection;
 * binding the enclosing WHERE finds the conjuncts on the row-number column (through projections and
 * filters) and moves them into the Rank node as its bounds. A Rank node still unbounded when the
 * whole statement is bound is refused: Weir runs ROW_NUMBER only as a Top-N.
 */
import { unscaledToDouble } from '../../common/decimal.js';
import type { SourceSpan } from '../../common/errors.js';
import { InternalError, WeirError } from '../../common/errors.js';
import { isNumeric, T, typeToString, isCollection } from '../../common/types.js';
import type { CallExpr, Expr, SelectQuery } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import type { LogicalPlan, Rank, RankFunction, RankOrderKey } from '../logical/plan.js';
import { children, filter, rank } from '../logical/plan.js';
import { foldExpr } from '../rules/fold.js';
import { conjunction, conjuncts } from '../rules/filter-pushdown.js';
import { astChildren } from './ast-walk.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr } from './bind-expr.js';
import { matchIdent } from './names.js';
import type { Scope } from './scope.js';
import type { SelectColumn } from './select-items.js';

/** The shape the error messages show. */
const TOP_N_SHAPE = (rn: string): string =>
  `SELECT * FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS ${rn} FROM ...) WHERE ${rn} <= N`;

const RANK_FUNCTIONS: readonly RankFunction[] = ['ROW_NUMBER', 'RANK', 'DENSE_RANK'];
const isRowNumber = (e: Expr): e is CallExpr =>
  e.kind === 'call' && e.over !== undefined && (RANK_FUNCTIONS as readonly string[]).includes(e.name.value.toUpperCase());

/** The select-list position of `ROW_NUMBER() OVER (...)` (a whole item), if any; a second one is refused. */
export function rowNumberItem(columns: readonly SelectColumn[]): { readonly index: number; readonly call: CallExpr } | undefined {
  let found: { index: number; call: CallExpr } | undefined;
  columns.forEach((c, index) => {
    if (c.kind !== 'expr' || !isRowNumber(c.ast)) return;
    if (found !== undefined) {
      throw new WeirError('UNSUPPORTED', 'only one ROW_NUMBER(), RANK() or DENSE_RANK() OVER (...) per SELECT is supported', c.ast.span);
    }
    found = { index, call: c.ast };
  });
  return found;
}

/** `ROW_NUMBER() OVER (...)` named `name` over `input` (the FROM and WHERE of its SELECT), not bounded yet. */
export function bindRowNumber(call: CallExpr, input: LogicalPlan, name: string, ctx: ExprContext): Rank {
  const over = call.over!;
  const fn = call.name.value.toUpperCase() as RankFunction;
  if (call.args.length > 0 || call.star) throw new WeirError('BIND', `${fn}() takes no arguments`, call.span);
  if (call.distinct) throw new WeirError('BIND', `DISTINCT is only allowed in aggregate functions, not in ${fn}`, call.span);
  if (call.filter) throw new WeirError('BIND', `FILTER (WHERE ...) is only allowed for aggregate functions, not for ${fn}`, call.filter.span);
  if (over.frame) {
    throw new WeirError('UNSUPPORTED', `${fn}() OVER (...) takes no window frame (${over.frame.unit} ...): it numbers the whole partition`, over.span);
  }
  if (over.orderBy.length === 0) {
    throw new WeirError('BIND', `${fn}() OVER (...) needs an ORDER BY: the order decides which rows are the top N`, over.span);
  }
  const partitionBy = over.partitionBy.map((e) => {
    const b = bindExpr(e, { ...ctx, clause: 'PARTITION BY' });
    if (exprType(b).kind === 'ROW') throw new WeirError('TYPE', `cannot PARTITION BY a value of type ${typeToString(exprType(b))}`, e.span);
    return b;
  });
  const orderBy = over.orderBy.map((o): RankOrderKey => {
    const expr = bindExpr(o.expr, { ...ctx, clause: 'the ORDER BY of OVER' });
    if (exprType(expr).kind === 'ROW' || isCollection(exprType(expr))) throw new WeirError('TYPE', `cannot ORDER BY a value of type ${typeToString(exprType(expr))}`, o.expr.span);
    // Flink's default: NULLS FIRST for ASC, NULLS LAST for DESC
    return { expr, descending: o.descending, nullsFirst: o.nullsFirst ?? !o.descending };
  });
  return rank(input, partitionBy, orderBy, { rankStart: 1, rankEnd: Infinity, rankFunction: fn }, true, name, call.span);
}

/** The unbounded Rank node whose row number is column `col` of `p`, through projections and filters. */
function rankOfColumn(p: LogicalPlan, col: number): Rank | undefined {
  switch (p.kind) {
    case 'project': {
      const e = p.exprs[col];
      return e?.kind === 'column' ? rankOfColumn(p.input, e.index) : undefined;
    }
    case 'filter': return rankOfColumn(p.input, col);
    case 'rank':
      return p.outputRank && p.rankEnd === Infinity && col === p.input.schema.columns.length ? p : undefined;
    default: return undefined;
  }
}

/** `p` with `target` (somewhere below it, through projections and filters) replaced by `next`. */
function replaceRank(p: LogicalPlan, target: Rank, next: Rank): LogicalPlan {
  if (p === target) return next;
  if (p.kind === 'project' || p.kind === 'filter') return { ...p, input: replaceRank(p.input, target, next) };
  throw new InternalError(`a Top-N's row number was traced through a ${p.kind}`);
}

type Comparison = 'le' | 'lt' | 'ge' | 'gt' | 'eq';
const FLIPPED: Readonly<Record<Comparison, Comparison>> = { le: 'ge', lt: 'gt', ge: 'le', gt: 'lt', eq: 'eq' };

/** A conjunct `rn op constant` (either way round) on a Top-N's row number: the Rank node, the comparison and the constant. */
function rankBound(c: BoundExpr, plan: LogicalPlan): { rank: Rank; op: Comparison; value: number } | undefined {
  if (c.kind !== 'call' || c.args.length !== 2 || !(c.fn in FLIPPED)) return undefined;
  const op = c.fn as Comparison;
  const column = (e: BoundExpr): number | undefined =>
    e.kind === 'column' ? e.index : e.kind === 'cast' && e.operand.kind === 'column' && isNumeric(e.type) ? e.operand.index : undefined;
  const constant = (e: BoundExpr): number | undefined => {
    const f = foldExpr(e);
    if (f.kind !== 'literal' || typeof f.value !== 'number') return undefined;
    return f.type.kind === 'DECIMAL' ? unscaledToDouble(f.value, f.type.scale) : f.value; // 2.5 is held as 25
  };
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  for (const [x, y, o] of [[a, b, op], [b, a, FLIPPED[op]]] as const) {
    const col = column(x);
    const r = col === undefined ? undefined : rankOfColumn(plan, col);
    const v = r ? constant(y) : undefined;
    if (r && v !== undefined && !Number.isNaN(v)) return { rank: r, op: o, value: v };
  }
  return undefined;
}

/**
 * The WHERE `predicate` over `plan` (a SELECT's FROM): when it bounds the row number of a Top-N
 * below, those conjuncts become the Rank node's bounds and the rest stays a filter above it.
 */
export function whereWithTopN(plan: LogicalPlan, predicate: BoundExpr): LogicalPlan {
  const all = conjuncts(predicate);
  const bounds = all.map((c) => rankBound(c, plan));
  const target = bounds.find((b) => b !== undefined)?.rank;
  const used = bounds.map((b) => b !== undefined && b.rank === target);
  if (!target || !bounds.some((b, i) => used[i] && (b!.op === 'le' || b!.op === 'lt' || b!.op === 'eq'))) {
    return filter(plan, predicate); // no upper bound: refused later, where the ROW_NUMBER is
  }
  let lo = 1, hi = Infinity;
  let span: SourceSpan | undefined;
  bounds.forEach((b, i) => {
    if (!used[i]) return;
    span ??= all[i]!.span;
    const v = b!.value;
    switch (b!.op) {
      case 'le': hi = Math.min(hi, Math.floor(v)); break;
      case 'lt': hi = Math.min(hi, Math.ceil(v) - 1); break;
      case 'ge': lo = Math.max(lo, Math.ceil(v)); break;
      case 'gt': lo = Math.max(lo, Math.floor(v) + 1); break;
      case 'eq':
        if (!Number.isInteger(v)) hi = 0;
        lo = Math.max(lo, v);
        hi = Math.min(hi, v);
        break;
    }
  });
  if (lo > hi) {
    throw new WeirError('PLAN', `the conditions on ${target.rankName} keep no row: a row number is 1 or more, and these allow none`, span ?? target.span);
  }
  const bounded = rank(target.input, target.partitionBy, target.orderBy, { rankStart: lo, rankEnd: hi, rankFunction: target.rankFunction }, true, target.rankName, target.span);
  const next = replaceRank(plan, target, bounded);
  const rest = all.filter((_, i) => !used[i]);
  return rest.length > 0 ? filter(next, conjunction(rest)) : next;
}

/** Refuse a ROW_NUMBER that no enclosing WHERE bounded (called once a whole statement is bound). */
export function checkTopNBounded(plan: LogicalPlan): void {
  if (plan.kind === 'rank' && plan.rankEnd === Infinity) {
    // a generated name (EXPR$0) reads badly in the advice: the user is to give it one
    const rn = plan.rankName.startsWith('EXPR$') ? 'rn' : plan.rankName;
    throw new WeirError('UNSUPPORTED',
      `${plan.rankFunction}() OVER (...) is only supported as a Top-N: filter the subquery that selects it with ${rn} <= N ` +
      `(or ${rn} < N, ${rn} = 1, ${rn} BETWEEN 1 AND N) in the WHERE of the query directly around it: ${TOP_N_SHAPE(rn)}`, plan.span);
  }
  for (const c of children(plan)) checkTopNBounded(c);
}

/** Every column path in a WHERE expression (not inside subqueries). */
function columnPaths(e: Expr, out: Extract<Expr, { kind: 'column' }>[] = []): Extract<Expr, { kind: 'column' }>[] {
  if (e.kind === 'column') out.push(e);
  for (const c of astChildren(e)) columnPaths(c, out);
  return out;
}

/**
 * When binding a WHERE failed on a name that its own SELECT list defines as an alias (as Nexmark
 * q6 does with `WHERE rownum <= 1`), the error that says so; undefined otherwise.
 */
export function whereAliasError(q: SelectQuery, scope: Scope): WeirError | undefined {
  if (!q.where) return undefined;
  for (const c of columnPaths(q.where)) {
    if (c.path.length !== 1) continue;
    try {
      scope.resolve(c.path);
      continue;
    } catch {
      // not a column of FROM: is it an alias of this SELECT?
    }
    const id = c.path[0]!;
    const items = q.items.flatMap((it) => (it.kind === 'expr' && it.alias ? [it] : []));
    const hit = matchIdent(id, items.map((it) => it.alias!.value))[0];
    if (hit === undefined) continue;
    const item = items[hit]!;
    if (isRowNumber(item.expr)) {
      return new WeirError('BIND',
        `column '${id.value}' is defined in this SELECT's list (ROW_NUMBER() OVER (...) AS ${item.alias!.value}), and a WHERE cannot see the ` +
        `aliases of its own SELECT: wrap the SELECT in a subquery and filter it in the enclosing query: ${TOP_N_SHAPE(item.alias!.value)}`, c.span);
    }
    return new WeirError('BIND',
      `column '${id.value}' is defined in this SELECT's list (an alias), and a WHERE cannot see the aliases of its own SELECT: ` +
      'repeat the expression, or wrap the SELECT in a subquery and filter it in the enclosing query', c.span);
  }
  return undefined;
}

/** The row-number column as the select list reads it (the column after the Rank node's input). */
export function rowNumberRef(r: Rank): BoundExpr {
  return { kind: 'column', index: r.input.schema.columns.length, name: r.rankName, type: T.BIGINT, span: r.span };
}
