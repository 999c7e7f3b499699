/**
 * `FROM t, LATERAL TABLE(f(t.s)) AS T(word, n)`, `t CROSS JOIN LATERAL TABLE(…)`, `t [INNER] JOIN
 * LATERAL TABLE(…) ON TRUE` and `t LEFT JOIN LATERAL TABLE(…) ON TRUE`: a user-defined table
 * function (a module export of kind 'table', engine.registerTableFunction) called on each row of the
 * left side, whose arguments see the left side's columns (the correlation). ON takes TRUE only, as
 * Flink's LEFT JOIN LATERAL does; other conditions belong in WHERE.
 *
 * The function's columns are named by `returns` ('word STRING, n INT'), or by the alias's column
 * list. A CREATE FUNCTION module not imported yet (EXPLAIN) has no known columns: EXPLAIN of a
 * query with LATERAL TABLE is refused until a query imports it (the result columns decide the plan).
 */
import { WeirError } from '../../common/errors.js';
import type { CallExpr, JoinRef, LateralTableRef } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import { correlate } from '../logical/correlate.js';
import { bindExpr } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { joinedScope } from './bind-join.js';
import type { QueryEnv } from './context.js';
import { Scope } from './scope.js';

/** Whether a join's right side is LATERAL TABLE(…) (bindFrom hands it here). */
export function isLateralJoin(item: JoinRef): boolean {
  return item.right.kind === 'lateralTable';
}

export function bindLateralJoin(item: JoinRef, left: BoundRelation, env: QueryEnv): BoundRelation {
  const ref = item.right as LateralTableRef;
  if (item.joinType === 'RIGHT' || item.joinType === 'FULL') {
    throw new WeirError('UNSUPPORTED', `${item.joinType} JOIN LATERAL TABLE(…) is not supported: use CROSS JOIN or LEFT JOIN LATERAL TABLE(…) ON TRUE`, item.span);
  }
  if (item.using.length > 0) throw new WeirError('UNSUPPORTED', 'JOIN LATERAL TABLE(…) USING (…) is not supported: use ON TRUE', item.using[0]!.span);
  if (item.on && !(item.on.kind === 'literal' && item.on.value === true)) {
    throw new WeirError('UNSUPPORTED', 'JOIN LATERAL TABLE(…) takes ON TRUE only (as Flink): put other conditions in WHERE', item.on.span);
  }
  if (item.joinType !== 'CROSS' && !item.on) throw new WeirError('PARSE', `${item.joinType} JOIN LATERAL TABLE(…) needs ON TRUE`, item.span);
  if (ref.call.kind !== 'call' || ref.call.over || ref.call.star || ref.call.distinct || ref.call.filter) {
    throw new WeirError('BIND', 'LATERAL TABLE(…) takes a call of a table function, as LATERAL TABLE(split(t.s))', ref.call.span);
  }
  const call: CallExpr = ref.call;
  const f = env.catalog.getFunction(call.name.value);
  if (!f) throw new WeirError('BIND', `table function '${call.name.value}' not found`, call.name.span);
  if (f.functionKind !== 'table') {
    if (f.returns === undefined && f.functionKind === undefined && f.path !== undefined) {
      throw new WeirError('UNSUPPORTED', `the columns of table function ${f.name} are unknown until its module '${f.path}' is imported, `
        + 'which only a running query does: EXPLAIN of LATERAL TABLE over a module function not imported yet is not supported', call.span);
    }
    throw new WeirError('BIND', `${f.name} is not a table function: LATERAL TABLE(…) calls a function whose export has kind 'table'`, call.name.span);
  }
  const args: BoundExpr[] = call.args.map((a) => bindExpr(a, { catalog: env.catalog, scope: left.scope, clause: 'LATERAL TABLE arguments' }));
  let columns = f.columns!.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  if (ref.columnAliases.length > 0) {
    if (ref.columnAliases.length !== columns.length) {
      throw new WeirError('BIND', `table function ${f.name} has ${columns.length} column${columns.length === 1 ? '' : 's'} but ${ref.columnAliases.length} `
        + `column name${ref.columnAliases.length === 1 ? ' is' : 's are'} given`, ref.columnAliases[0]!.span);
    }
    columns = columns.map((c, i) => ({ ...c, name: ref.columnAliases[i]!.value }));
  }
  const plan = correlate(item.joinType === 'LEFT' ? 'left' : 'inner', left.plan, f.name, args, columns, call.span);
  const right = Scope.single(ref.alias?.value ?? f.name, columns);
  return { plan, scope: joinedScope(left.scope, right, item) };
}
