/**
 * Queries: WITH (inlined: each use binds the WITH query afresh), SELECT, UNION ALL, ORDER BY …
 * LIMIT (bind-order-limit.ts); the constructs Weir parses but does not execute yet (UNION, INTERSECT,
 * EXCEPT) are UNSUPPORTED errors at their position.
 */
import { WeirError } from '../../common/errors.js';
import type { SqlType } from '../../common/types.js';
import { commonType, typesEqual, typeToString } from '../../common/types.js';
import type { Query, SetOperation } from '../../parser/ast.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { project, union } from '../logical/plan.js';
import { bindSelect } from './bind-select.js';
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
  if (q.op !== 'UNION') throw new WeirError('UNSUPPORTED', `${q.op}${q.all ? ' ALL' : ''} is not supported yet`, q.span);
  if (!q.all) throw new WeirError('UNSUPPORTED', 'UNION without ALL is not supported yet; UNION ALL is', q.span);
  const queries = [...unionInputs(q.left), ...unionInputs(q.right)];
  const bound = queries.map((x) => bindQueryNode(x, env));
  const first = bound[0]!.plan.schema.columns;
  bound.forEach((b, i) => {
    const n = b.plan.schema.columns.length;
    if (n !== first.length) {
      throw new WeirError('TYPE', `each UNION ALL input must have the same number of columns: the first has ${first.length}, input ${i + 1} has ${n}`, queries[i]!.span);
    }
  });
  const types: SqlType[] = first.map((c, col) => {
    let t: SqlType | undefined = c.type;
    for (const b of bound) {
      const next: SqlType | undefined = t && commonType(t, b.plan.schema.columns[col]!.type);
      if (!next) {
        const all = bound.map((x) => typeToString(x.plan.schema.columns[col]!.type)).join(', ');
        throw new WeirError('TYPE', `UNION ALL column ${col + 1} ('${c.name}') has no common type: ${all}`, q.span);
      }
      t = next;
    }
    return t!;
  });
  const inputs: LogicalPlan[] = bound.map((b) => {
    const cols = b.plan.schema.columns;
    if (cols.every((c, i) => typesEqual(c.type, types[i]!))) return b.plan;
    const exprs = cols.map((c, i): BoundExpr => coerce({ kind: 'column', index: i, name: c.name, type: c.type }, types[i]!));
    return project(b.plan, exprs, cols.map((c) => c.name));
  });
  const columns = first.map((c, i) => ({
    name: c.name, type: types[i]!, nullable: inputs.some((p) => p.schema.columns[i]!.nullable),
  }));
  return { plan: union(inputs, { columns }), spans: bound[0]!.spans };
}
