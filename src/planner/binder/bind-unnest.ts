/**
 * `FROM t CROSS JOIN UNNEST(t.tags) AS u (tag)`, `FROM t, UNNEST(t.tags) …`, `t [INNER] JOIN
 * UNNEST(…) ON TRUE` and `t LEFT JOIN UNNEST(…) ON TRUE` (a row whose collection is NULL or empty is
 * kept, with NULLs): the collection, an expression over the left side's columns, unnested into rows
 * joined to the row that holds it (logical/unnest.ts); several collections are unnested side by
 * side. ON takes TRUE only, as for LATERAL TABLE.
 */
import { WeirError } from '../../common/errors.js';
import { typeToString } from '../../common/types.js';
import type { JoinRef, UnnestRef } from '../../parser/ast.js';
import { exprType } from '../expr.js';
import { correlate } from '../logical/correlate.js';
import { UNNEST_FN, UNNEST_ORDINALITY_FN, unnestColumns } from '../logical/unnest.js';
import { bindExpr } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { joinedScope } from './bind-join.js';
import type { QueryEnv } from './context.js';
import { Scope } from './scope.js';

/** Whether a join's right side is UNNEST(…) (bindFrom hands it here). */
export function isUnnestJoin(item: JoinRef): boolean {
  return item.right.kind === 'unnest';
}

export function bindUnnestJoin(item: JoinRef, left: BoundRelation, env: QueryEnv): BoundRelation {
  const ref = item.right as UnnestRef;
  if (item.joinType === 'RIGHT' || item.joinType === 'FULL') {
    throw new WeirError('UNSUPPORTED', `${item.joinType} JOIN UNNEST(…) is not supported: use CROSS JOIN or LEFT JOIN UNNEST(…) ON TRUE`, item.span);
  }
  if (item.using.length > 0) throw new WeirError('UNSUPPORTED', 'JOIN UNNEST(…) USING (…) is not supported: use ON TRUE', item.using[0]!.span);
  if (item.on && !(item.on.kind === 'literal' && item.on.value === true)) {
    throw new WeirError('UNSUPPORTED', 'JOIN UNNEST(…) takes ON TRUE only (as Flink): put other conditions in WHERE', item.on.span);
  }
  if (item.joinType !== 'CROSS' && !item.on) throw new WeirError('PARSE', `${item.joinType} JOIN UNNEST(…) needs ON TRUE`, item.span);
  // UNNEST(a, b, …): the collections side by side, as many rows as the longest has elements, the
  // shorter ones padded with NULLs (Calcite's UNNEST, which Flink runs); the columns of each in turn
  const args = ref.exprs.map((e) => bindExpr(e, { catalog: env.catalog, scope: left.scope, clause: 'UNNEST' }));
  const types = args.map(exprType);
  const perArg = types.map((t, i) => {
    const cols = unnestColumns(t, false);
    if (!cols) throw new WeirError('TYPE', `UNNEST takes an ARRAY, MAP or MULTISET, got ${typeToString(t)}`, ref.exprs[i]!.span);
    return cols;
  });
  // an element column's default name is EXPR$<its position> (two arrays' elements must not share one)
  const elements = perArg.flat().map((c, i) => (args.length > 1 && c.name === 'EXPR$0' ? { ...c, name: `EXPR$${i}` } : c));
  const defaults = [...elements, ...(unnestColumns(types[0]!, ref.withOrdinality) ?? []).slice(perArg[0]!.length)];
  let columns = defaults;
  if (ref.columnAliases.length > 0) {
    if (ref.columnAliases.length !== columns.length) {
      const what = types.map(typeToString).join(', ');
      throw new WeirError('BIND', `UNNEST of ${what}${ref.withOrdinality ? ' WITH ORDINALITY' : ''} makes ${columns.length} column${columns.length === 1 ? '' : 's'} `
        + `but ${ref.columnAliases.length} column name${ref.columnAliases.length === 1 ? ' is' : 's are'} given`, ref.columnAliases[0]!.span);
    }
    columns = columns.map((c, i) => ({ ...c, name: ref.columnAliases[i]!.value }));
  }
  const fn = ref.withOrdinality ? UNNEST_ORDINALITY_FN : UNNEST_FN;
  const plan = correlate(item.joinType === 'LEFT' ? 'left' : 'inner', left.plan, fn, args, columns, ref.span);
  const right = Scope.single(ref.alias?.value, columns);
  return { plan, scope: joinedScope(left.scope, right, item) };
}
