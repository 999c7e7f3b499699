/**
 * How an event-time temporal join runs: its keys are the ON equalities between an expression of the
 * left input and a primary-key column of the versioned table (one per key column, as Flink requires),
 * the rest of the condition a residual over the output row. Stateful (left rows wait for the
 * watermark, versions are kept until a newer one is valid at the watermark); append-only output.
 */
import { WeirError } from '../../common/errors.js';
import type { BoundExpr } from '../expr.js';
import { columnsUsed, isDeterministic } from '../expr.js';
import type { LogicalPlan, TemporalJoin } from '../logical/plan.js';
import { conjunction, conjuncts } from '../rules/filter-pushdown.js';
import type { PhysicalNode, TemporalJoinNode } from './physical.js';

export interface TemporalKeys {
  /** over the left input, in primary-key order */
  readonly left: readonly BoundExpr[];
  /** the versioned table's key columns, over the right input */
  readonly right: readonly BoundExpr[];
  readonly residual: BoundExpr | undefined;
  /** primary-key columns (right-side indices) no equality covers */
  readonly missing: readonly number[];
}

export function temporalKeys(p: TemporalJoin): TemporalKeys {
  const lw = p.left.schema.columns.length;
  const onLeft = (e: BoundExpr): boolean => {
    const cols = [...columnsUsed(e)];
    return cols.length > 0 && cols.every((c) => c < lw);
  };
  const byKey = new Map<number, { left: BoundExpr; conjunct: BoundExpr }>();
  for (const c of conjuncts(p.condition)) {
    if (c.kind !== 'call' || c.fn !== 'eq' || !isDeterministic(c)) continue;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    for (const [l, r] of [[a, b], [b, a]] as const) {
      if (r.kind !== 'column' || r.index < lw || !onLeft(l)) continue;
      const k = r.index - lw;
      if (p.rightKey.includes(k) && !byKey.has(k)) byKey.set(k, { left: l, conjunct: c });
      break;
    }
  }
  const used = new Set([...byKey.values()].map((v) => v.conjunct));
  const rest = conjuncts(p.condition).filter((c) => !used.has(c));
  const cols = p.right.schema.columns;
  const present = p.rightKey.filter((k) => byKey.has(k));
  return {
    left: present.map((k) => byKey.get(k)!.left),
    right: present.map((k): BoundExpr => ({ kind: 'column', index: k, name: cols[k]!.name, type: cols[k]!.type })),
    residual: rest.length > 0 ? conjunction(rest) : undefined,
    missing: p.rightKey.filter((k) => !byKey.has(k)),
  };
}

/** The primary key the ON condition must cover, for messages. */
export function missingKeyText(p: TemporalJoin, missing: readonly number[]): string {
  const cols = p.right.schema.columns;
  return `the ON condition of a temporal join must have an equality on every primary-key column of the versioned table '${p.tableName}' ` +
    `(PRIMARY KEY (${p.rightKey.map((k) => cols[k]!.name).join(', ')})); missing: ${missing.map((k) => cols[k]!.name).join(', ')}`;
}

export interface TemporalJoinPlanningContext {
  build(p: LogicalPlan): PhysicalNode;
  register<N extends PhysicalNode & { operatorId: number }>(make: (id: number) => N): N;
}

export function planTemporalJoin(p: TemporalJoin, b: TemporalJoinPlanningContext): TemporalJoinNode {
  const left = b.build(p.left);
  const right = b.build(p.right);
  const k = temporalKeys(p);
  // the binder refused a condition without them; the optimizer can still fold one away
  if (k.missing.length > 0) throw new WeirError('PLAN', missingKeyText(p, k.missing), p.span);
  if (!left.appendOnly) {
    throw new WeirError('UNSUPPORTED',
      'an event-time temporal join over a left input that updates (an aggregation, a regular outer join) is not supported yet: ' +
      'its left input must be append-only', p.span);
  }
  return b.register((operatorId): TemporalJoinNode => ({
    kind: 'temporalJoin', operatorId, input: left, versions: right, joinType: p.joinType,
    leftKeys: k.left, rightKeys: k.right,
    residual: k.residual,
    leftTime: p.leftTime, rightTime: p.rightTime, tableName: p.tableName,
    schema: p.schema, appendOnly: true,
  }));
}
