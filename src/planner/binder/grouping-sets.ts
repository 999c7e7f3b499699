/**
 * GROUP BY GROUPING SETS / ROLLUP / CUBE, planned as Flink plans them: each input row is expanded
 * into one row per grouping set, carrying the grouping keys of that set (NULL for the keys not in it)
 * and the set's ordinal, and one aggregation groups the expanded rows by (keys, ordinal). The ordinal
 * keeps apart a NULL key value and a key left out of the set, and two equal sets (whose rows SQL
 * counts twice).
 *
 * The expansion is a UNION ALL of one projection of the input per set: the input is one sub-plan
 * read once per batch by every projection (identical sub-plans run once), so each row is expanded in
 * the batch it comes in, retractions included. Each projection keeps every input column (aggregate
 * arguments read them, also the ones a set nulls as a key) and appends the keys and the ordinal.
 *
 * GROUPING(a, b) (and GROUPING_ID, the same) is a bit per argument, 1 where the argument is not in
 * the row's set, the first argument the highest bit: a CASE over the ordinal.
 */
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { T } from '../../common/types.js';
import type { CallExpr, Expr } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { exprType, lit } from '../expr.js';
import { exprKey } from '../expr-key.js';
import type { LogicalPlan } from '../logical/plan.js';
import { project, union } from '../logical/plan.js';
import type { ExprContext } from './bind-expr.js';
import { bindExpr, callScalar } from './bind-expr.js';

/** The name of the ordinal column the expansion appends (a name no SQL identifier reaches unquoted). */
export const SET_ORDINAL = '$grouping_set';

export interface ExpandedGroupingSets {
  readonly plan: LogicalPlan;
  /** the distinct grouping keys, bound over the input (what the select list is matched against) */
  readonly keys: readonly BoundExpr[];
  /** per set, for each key whether it is in the set */
  readonly membership: readonly (readonly boolean[])[];
}

/** Bind the sets' expressions (each distinct one a key) and expand `input` into one row per set. */
export function expandGroupingSets(sets: readonly (readonly Expr[])[], input: LogicalPlan, ctx: ExprContext): ExpandedGroupingSets {
  const keys: BoundExpr[] = [];
  const keyIds: string[] = [];
  const membership = sets.map((set) => {
    const inSet = new Set<number>();
    for (const e of set) {
      const b = bindExpr(e, ctx);
      if (exprType(b).kind === 'ROW') throw new WeirError('TYPE', 'cannot GROUP BY a ROW value in GROUPING SETS, ROLLUP or CUBE', e.span);
      const id = exprKey(b);
      let k = keyIds.indexOf(id);
      if (k < 0) {
        k = keys.length;
        keys.push(b);
        keyIds.push(id);
      }
      inSet.add(k);
    }
    return inSet;
  }).map((inSet) => keys.map((_, k) => inSet.has(k)));
  const inputCols = input.schema.columns;
  const passThrough: BoundExpr[] = inputCols.map((c, i) => ({ kind: 'column', index: i, name: c.name, type: c.type }));
  const keyTypes: SqlType[] = keys.map(exprType);
  const names = [...inputCols.map((c) => c.name), ...keys.map((_, k) => `$key${k}`), SET_ORDINAL];
  const branches = membership.map((member, s) => project(input, [
    ...passThrough,
    ...keys.map((k, i) => (member[i] ? k : lit(null, keyTypes[i]!))),
    lit(s, T.INT),
  ], names));
  const schema = {
    columns: [
      ...inputCols,
      ...keys.map((_, k) => ({ name: names[inputCols.length + k]!, type: keyTypes[k]!, nullable: true })),
      { name: SET_ORDINAL, type: T.INT, nullable: false },
    ],
  };
  return { plan: branches.length === 1 ? branches[0]! : union(branches, schema), keys, membership };
}

/** The keys of the aggregation over the expansion: its key columns, then the set ordinal. */
export function expandedKeyColumns(e: ExpandedGroupingSets): BoundExpr[] {
  const cols = e.plan.schema.columns;
  const first = cols.length - e.keys.length - 1;
  return cols.slice(first).map((c, i) => ({ kind: 'column', index: first + i, name: c.name, type: c.type }));
}

/**
 * GROUPING(args) over the aggregation's output, where `ordinal` reads the set ordinal: each argument
 * is a grouping key (`keyOf` finds it, bound over the input), its bit 1 in the sets it is not in.
 */
export function groupingValue(call: CallExpr, e: ExpandedGroupingSets, ordinal: BoundExpr, ctx: ExprContext): BoundExpr {
  const name = call.name.value.toUpperCase();
  if (call.args.length === 0 || call.star) throw new WeirError('BIND', `${name} expects one or more grouping columns`, call.span);
  if (call.args.length > 62) throw new WeirError('BIND', `${name} takes at most 62 arguments`, call.span);
  const argKeys = call.args.map((a) => {
    const b = bindExpr(a, { ...ctx, agg: undefined, clause: `an argument of ${name}` });
    const k = e.keys.findIndex((key) => exprKey(key) === exprKey(b));
    if (k < 0) throw new WeirError('BIND', `the argument of ${name} must be a grouping expression of GROUP BY`, a.span);
    return k;
  });
  const values = e.membership.map((member) =>
    argKeys.reduce((v, k) => v * 2 + (member[k] ? 0 : 1), 0));
  if (values.every((v) => v === values[0])) return { ...lit(values[0]!, T.BIGINT), span: call.span };
  return {
    kind: 'case',
    whens: values.map((v, s) => ({ when: callScalar('eq', [ordinal, lit(s, T.INT)], name, call.span), then: lit(v, T.BIGINT) })),
    else: undefined,
    type: T.BIGINT,
    span: call.span,
  };
}
