/**
 * FROM a JOIN b: the join plan and the scope its ON condition, the WHERE clause and the select list
 * see. Columns keep their relation (`A.seller`); an unqualified name in both inputs is ambiguous.
 *
 * `USING (k, ...)` is `ON a.k = b.k AND ...` whose output also has the merged `k` (the left value
 * for INNER and LEFT, the right for RIGHT, COALESCE of both for FULL): an unqualified `k` and `*`
 * see the merged column once (first, as standard SQL and Calcite), while `a.k` and `b.k` still name
 * each input's copy.
 */
import { WeirError } from '../../common/errors.js';
import type { Ident, JoinRef } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import type { JoinType, LogicalPlan } from '../logical/plan.js';
import { join, project } from '../logical/plan.js';
import { conjunction } from '../rules/filter-pushdown.js';
import { bindExpr, callScalar, requireBoolean } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { matchIdent } from './names.js';
import type { ScopeRelation } from './scope.js';
import { Scope } from './scope.js';
import type { Catalog } from '../catalog.js';

const JOIN_TYPES: Readonly<Record<JoinRef['joinType'], JoinType>> = { INNER: 'inner', CROSS: 'inner', LEFT: 'left', RIGHT: 'right', FULL: 'full' };

/** The scope of `left JOIN right`: the right's relations after the left's columns. */
export function joinedScope(left: Scope, right: Scope, at: JoinRef): Scope {
  const width = left.width;
  const rels: ScopeRelation[] = [...left.relations, ...right.relations.map((r) => ({ ...r, offset: r.offset + width }))];
  const seen = new Map<string, number>();
  for (const r of rels) {
    if (r.name === undefined) continue;
    const k = r.name.toLowerCase();
    if (seen.has(k)) {
      throw new WeirError('BIND', `table name '${r.name}' is used twice in FROM: give one of them another alias (… AS other)`, at.span);
    }
    seen.set(k, 1);
  }
  return new Scope(rels);
}

export function bindJoin(item: JoinRef, left: BoundRelation, right: BoundRelation, catalog: Catalog): BoundRelation {
  const scope = joinedScope(left.scope, right.scope, item);
  const joinType = JOIN_TYPES[item.joinType];
  if (item.joinType === 'CROSS') return { plan: join('inner', left.plan, right.plan, undefined, item.span), scope };
  if (item.using.length > 0) return bindUsing(item, joinType, left, right, scope);
  if (!item.on) throw new WeirError('PARSE', `${item.joinType} JOIN needs an ON or USING clause`, item.span);
  const on = requireBoolean(bindExpr(item.on, { catalog, scope, clause: 'a JOIN condition' }), 'the JOIN condition', item.on.span);
  return { plan: join(joinType, left.plan, right.plan, on, item.span), scope };
}

/** The one column `id` names among a side's visible columns (USING needs it on both sides). */
function usingColumn(side: Scope, id: Ident, which: 'left' | 'right'): number {
  const hits: number[] = [];
  for (const r of side.relations) {
    matchIdent(id, r.columns.map((c) => c.name)).forEach((i) => { if (!r.hidden?.has(i)) hits.push(r.offset + i); });
  }
  if (hits.length === 0) throw new WeirError('BIND', `column '${id.value}' of USING is not in the ${which} input of the join`, id.span);
  if (hits.length > 1) throw new WeirError('BIND', `column '${id.value}' of USING is ambiguous in the ${which} input of the join`, id.span);
  return hits[0]!;
}

function bindUsing(item: JoinRef, joinType: JoinType, left: BoundRelation, right: BoundRelation, scope: Scope): BoundRelation {
  const lw = left.scope.width;
  const seen = new Set<string>();
  const pairs = item.using.map((id) => {
    if (seen.has(id.value.toLowerCase())) throw new WeirError('BIND', `column '${id.value}' appears twice in USING`, id.span);
    seen.add(id.value.toLowerCase());
    const l = usingColumn(left.scope, id, 'left');
    const r = usingColumn(right.scope, id, 'right');
    return { id, l: scope.columnRef(l), r: scope.columnRef(r + lw) };
  });
  const condition = conjunction(pairs.map((p) => callScalar('eq', [p.l, p.r], `USING (${p.id.value})`, p.id.span)));
  const plan = join(joinType, left.plan, right.plan, condition, item.span);
  // the merged columns go after every input column, so the inputs' columns keep their indices
  const merged: BoundExpr[] = pairs.map((p) => {
    switch (joinType) {
      case 'inner': case 'left': return p.l;
      case 'right': return p.r;
      case 'full': return callScalar('coalesce', [p.l, p.r], `USING (${p.id.value})`, p.id.span);
    }
  });
  const width = plan.schema.columns.length;
  const all: BoundExpr[] = plan.schema.columns.map((c, i): BoundExpr => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const names = [...plan.schema.columns.map((c) => c.name), ...pairs.map((p) => p.id.value)];
  const out: LogicalPlan = project(plan, [...all, ...merged], names);
  const hiddenAt = (offset: number, count: number, cols: readonly number[]): ReadonlySet<number> =>
    new Set(cols.filter((c) => c >= offset && c < offset + count).map((c) => c - offset));
  const hideL = pairs.map((p) => p.l.index);
  const hideR = pairs.map((p) => p.r.index);
  const rels: ScopeRelation[] = [
    { name: undefined, columns: merged.map((e, i) => ({ name: pairs[i]!.id.value, type: exprType(e), nullable: true })), offset: width },
    ...scope.relations.map((r) => {
      const hidden = new Set([...(r.hidden ?? []), ...hiddenAt(r.offset, r.columns.length, [...hideL, ...hideR])]);
      return hidden.size > 0 ? { ...r, hidden } : r;
    }),
  ];
  return { plan: out, scope: new Scope(rels) };
}
