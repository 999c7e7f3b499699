/**
 * How a lookup join runs: its lookup keys (each ON conjunct `probe expression = table expression`,
 * deterministic) and the rest of its condition as a residual over the output row. Not stateful: the
 * table is loaded when the query starts, so the node has no operator id and nothing in the
 * checkpoint; its output is append-only when its probe input is (row kinds pass through).
 */
import { WeirError } from '../../common/errors.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic, remapColumns } from '../expr.js';
import type { LogicalPlan, LookupJoin } from '../logical/plan.js';
import { conjunction, conjuncts } from '../rules/filter-pushdown.js';
import type { LookupJoinNode, PhysicalNode } from './physical.js';

export interface LookupKey {
  /** over the probe input */
  readonly probe: BoundExpr;
  /** over the join's output row (the table's columns after the probe's) */
  readonly table: BoundExpr;
  readonly conjunct: BoundExpr;
}

/** The lookup keys of a lookup join's condition (empty when it has none). */
export function lookupKeys(p: LookupJoin): LookupKey[] {
  const width = p.input.schema.columns.length;
  const sideOf = (e: BoundExpr): 'probe' | 'table' | undefined => {
    const cols = [...columnsUsed(e)];
    if (cols.length === 0) return undefined;
    if (cols.every((c) => c < width)) return 'probe';
    if (cols.every((c) => c >= width)) return 'table';
    return undefined;
  };
  const out: LookupKey[] = [];
  for (const c of conjuncts(p.condition)) {
    if (c.kind !== 'call' || c.fn !== 'eq' || !isDeterministic(c)) continue;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    const sa = sideOf(a), sb = sideOf(b);
    if (sa === 'probe' && sb === 'table') out.push({ probe: a, table: b, conjunct: c });
    else if (sa === 'table' && sb === 'probe') out.push({ probe: b, table: a, conjunct: c });
  }
  return out;
}

export function planLookupJoin(p: LookupJoin, build: (p: LogicalPlan) => PhysicalNode): LookupJoinNode {
  const input = build(p.input);
  const keys = lookupKeys(p);
  if (keys.length === 0) {
    // the binder refused a condition without one; the optimizer can still fold it away (ON k = S.k AND FALSE)
    throw new WeirError('PLAN', `the lookup join with '${p.table.name}' has no equality between the left input and a column of the table left in its condition`, p.span);
  }
  const width = p.input.schema.columns.length;
  const used = new Set(keys.map((k) => k.conjunct));
  const rest = conjuncts(p.condition).filter((c) => !used.has(c));
  return {
    kind: 'lookupJoin', input, joinType: p.joinType, table: p.table, columns: p.columns,
    probeKeys: keys.map((k) => k.probe),
    tableKeys: keys.map((k) => remapColumns(k.table, (i) => i - width)),
    residual: rest.length > 0 ? conjunction(rest) : undefined,
    ...(p.span ? { span: p.span } : {}),
    schema: p.schema, appendOnly: input.appendOnly,
  };
}
