/**
 * `FROM t CROSS JOIN UNNEST(t.tags) AS u (tag)`, `FROM t, UNNEST(t.tags) …`, `t [INNER] JOIN
 * UNNEST(…) ON TRUE` and `t LEFT JOIN UNNEST(…) ON TRUE` (a row whose collection is NULL or empty is
 * kept, with NULLs): the collection, an expression over the left side's columns, unnested into rows
 * joined to the row that holds it (logical/unnest.ts). ON takes TRUE only, as for LATERAL TABLE.
 * UNNEST(a, b, …) zips several collections by position: as many rows as the longest, the shorter
 * (and a NULL one) padded with NULLs; WITH ORDINALITY numbers those rows.
 */
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { T, typeToString } from '../../common/types.js';
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
  // several collections are zipped by position (SQL standard, Calcite, DuckDB): the columns of each in turn
  const args = ref.exprs.map((e) => bindExpr(e, { catalog: env.catalog, scope: left.scope, clause: 'UNNEST' }));
  const perArg = args.map((arg, i) => {
    const t = exprType(arg);
    const cols = unnestColumns(t, false);
    if (!cols) throw new WeirError('TYPE', `UNNEST takes an ARRAY, MAP or MULTISET, got ${typeToString(t)}`, ref.exprs[i]!.span);
    return cols;
  });
  const defaults = uniqueNames(perArg.flat());
  if (ref.withOrdinality) defaults.push({ name: 'ORDINALITY', type: T.INT, nullable: true });
  const described = args.length === 1 ? typeToString(exprType(args[0]!)) : `${args.length} collections`;
  let columns = defaults;
  if (ref.columnAliases.length > 0) {
    if (ref.columnAliases.length !== columns.length) {
      throw new WeirError('BIND', `UNNEST of ${described}${ref.withOrdinality ? ' WITH ORDINALITY' : ''} makes ${columns.length} column${columns.length === 1 ? '' : 's'} `
        + `but ${ref.columnAliases.length} column name${ref.columnAliases.length === 1 ? ' is' : 's are'} given`, ref.columnAliases[0]!.span);
    }
    columns = columns.map((c, i) => ({ ...c, name: ref.columnAliases[i]!.value }));
  }
  const fn = ref.withOrdinality ? UNNEST_ORDINALITY_FN : UNNEST_FN;
  const plan = correlate(item.joinType === 'LEFT' ? 'left' : 'inner', left.plan, fn, args, columns, ref.span);
  const right = Scope.single(ref.alias?.value, columns);
  return { plan, scope: joinedScope(left.scope, right, item) };
}

/** Default names made distinct (two arrays of scalars would both be EXPR$0): the k-th scalar column is EXPR$k. */
function uniqueNames(cols: Schema['columns']): Schema['columns'][number][] {
  let k = 0;
  return cols.map((c) => (c.name.startsWith('EXPR$') ? { ...c, name: `EXPR$${k++}` } : c));
}
