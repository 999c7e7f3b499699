/**
 * `probe [LEFT] JOIN t FOR SYSTEM_TIME AS OF probe.pt [AS s] ON ...`: a lookup join (Flink's
 * processing-time temporal join against a lookup table), bound to a LookupJoin node.
 *
 * What is refused, each at the construct's position, with what is needed instead:
 * - RIGHT, FULL and CROSS joins, and USING: the lookup table's unmatched rows are never emitted, and
 *   the join needs an ON condition;
 * - an AS OF expression that is not a time attribute column of the probe (left) side (an event-time
 *   attribute makes it an event-time temporal join against a versioned table: bind-temporal-join.ts);
 * - a lookup side that is not a table (a view, a WITH query), or a table with computed columns;
 * - an ON condition without an equality between an expression of the probe side and a column of the
 *   lookup table (the lookup key).
 * Whether the table is bounded is the connector's to say: the engine checks it when the query starts.
 */
import { WeirError } from '../../common/errors.js';
import type { Expr, JoinRef, TableRef } from '../../parser/ast.js';
import type { CatalogTable } from '../catalog.js';
import { timeAttributeOf } from '../incremental/window-match.js';
import { lookupKeys } from '../incremental/plan-lookup-join.js';
import type { LookupJoinType } from '../logical/plan.js';
import { lookupJoin } from '../logical/plan.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { bindNamedRelation } from './bind-from.js';
import { joinedScope } from './bind-join.js';
import type { QueryEnv } from './context.js';
import { lastPart, matchIdent } from './names.js';
import { Scope } from './scope.js';
import { bindTemporalJoin } from './bind-temporal-join.js';

/** The right side of `item` is `t FOR SYSTEM_TIME AS OF …`. */
export function isLookupJoin(item: JoinRef): item is JoinRef & { right: TableRef & { forSystemTime: Expr } } {
  return item.right.kind === 'table' && item.right.forSystemTime !== undefined;
}

const JOIN_TYPES: Partial<Record<JoinRef['joinType'], LookupJoinType>> = { INNER: 'inner', LEFT: 'left' };

export function bindLookupJoin(item: JoinRef & { right: TableRef & { forSystemTime: Expr } }, probe: BoundRelation, env: QueryEnv): BoundRelation {
  const ref = item.right;
  const asOf = ref.forSystemTime;
  const joinType = JOIN_TYPES[item.joinType];
  if (joinType === undefined) {
    throw new WeirError('UNSUPPORTED',
      `a lookup join (FOR SYSTEM_TIME AS OF) can be an INNER or a LEFT join, not ${item.joinType}: ` +
      'the rows of the lookup table are looked up, never emitted on their own', item.span);
  }
  const eventTime = checkAsOf(asOf, probe, env);
  if (eventTime !== undefined) return bindTemporalJoin(item, probe, eventTime, env);
  const table = lookupTable(ref, env);
  const columns = table.columns.map((_, i) => i);
  const scope = joinedScope(probe.scope, Scope.single((ref.alias ?? lastPart(ref.name)).value, table.columns), item);
  if (item.using.length > 0) {
    throw new WeirError('UNSUPPORTED', 'USING is not supported for a lookup join yet: write ON probe_column = lookup_table.column', item.using[0]!.span);
  }
  if (!item.on) {
    throw new WeirError('BIND', `a lookup join needs an ON condition with an equality between the left input and a column of '${table.name}'`, item.span);
  }
  const on = requireBoolean(bindExpr(item.on, { catalog: env.catalog, scope, clause: 'a JOIN condition' }), 'the JOIN condition', item.on.span);
  const plan = lookupJoin(joinType, probe.plan, table, columns, on, asOf.span);
  if (lookupKeys(plan).length === 0) {
    throw new WeirError('BIND',
      `a lookup join needs an equality between an expression of the left input and a column of the lookup table '${table.name}' ` +
      `in its ON condition (such as ON mod(B.auction, 10000) = S.key): that column is the lookup key`, item.on.span);
  }
  return { plan, scope };
}

/**
 * AS OF must name a time attribute of the probe side: a processing-time one (`B.p_time` for
 * `PROCTIME() AS p_time`: a lookup join) or an event-time one (its column is returned: a temporal join).
 */
function checkAsOf(asOf: Expr, probe: BoundRelation, env: QueryEnv): number | undefined {
  const e = bindExpr(asOf, { catalog: env.catalog, scope: probe.scope, clause: 'FOR SYSTEM_TIME AS OF' });
  const need = 'FOR SYSTEM_TIME AS OF needs a processing-time attribute of the left input of the join, ' +
    "such as a column 'PROCTIME() AS p_time' of a subquery or view";
  if (e.kind !== 'column') throw new WeirError('BIND', `${need}: write its column (B.p_time)`, asOf.span);
  const domain = timeAttributeOf(probe.plan, e.index);
  if (domain === 'event') return e.index;
  if (domain !== 'processing') throw new WeirError('BIND', `${need}: '${e.name}' is not a time attribute`, asOf.span);
  return undefined;
}

/** The lookup table: a table of the catalog, not a view or WITH query. */
function lookupTable(ref: TableRef, env: QueryEnv): CatalogTable {
  const id = lastPart(ref.name);
  const isCte = env.ctes.some((cs) => matchIdent(id, cs.defs.map((d) => d.name.value)).length > 0);
  const entry = isCte ? undefined : env.catalog.getRelation(id.value);
  if (!isCte && !entry) bindNamedRelation(ref.name, env); // throws "table not found", with suggestions
  if (entry?.kind !== 'table') {
    throw new WeirError('UNSUPPORTED',
      `FOR SYSTEM_TIME AS OF needs a table (a lookup table, CREATE TABLE … WITH a bounded connector); '${id.value}' is a ${isCte ? 'WITH query' : 'view'}`, id.span);
  }
  if (entry.computed.size > 0) {
    throw new WeirError('UNSUPPORTED', `a lookup table with computed columns is not supported yet: '${entry.name}' has ${entry.computed.size}`, id.span);
  }
  return entry;
}
