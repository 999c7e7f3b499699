/**
 * `probe [LEFT] JOIN v FOR SYSTEM_TIME AS OF probe.rowtime [AS r] ON probe.k = r.k`: an event-time
 * temporal join (Flink's) against a versioned table, bound to a TemporalJoin node.
 *
 * The versioned table is a table of the catalog with a PRIMARY KEY (… NOT ENFORCED), the key each
 * row is a version of, and a WATERMARK, whose column is the time a version becomes valid. Its rows
 * are versions (an append-only table: each row supersedes its key's earlier one, as Flink reads an
 * upsert source). Refused, at the construct's position: a view or WITH query, a table without a
 * primary key or a watermark, RIGHT/FULL/CROSS joins, USING, and an ON condition without an equality
 * on every primary-key column.
 */
import { WeirError } from '../../common/errors.js';
import type { Expr, JoinRef, TableRef } from '../../parser/ast.js';
import type { CatalogTable } from '../catalog.js';
import type { TemporalJoinType } from '../logical/plan.js';
import { temporalJoin } from '../logical/plan.js';
import { missingKeyText, temporalKeys } from '../incremental/plan-temporal-join.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { expandTable } from './bind-from.js';
import { joinedScope } from './bind-join.js';
import type { QueryEnv } from './context.js';
import { lastPart } from './names.js';
import { Scope } from './scope.js';

const JOIN_TYPES: Partial<Record<JoinRef['joinType'], TemporalJoinType>> = { INNER: 'inner', LEFT: 'left' };

/** `leftTime`: the probe's event-time attribute AS OF names; `table`: the versioned table (a catalog table). */
export function bindTemporalJoin(
  item: JoinRef & { right: TableRef & { forSystemTime: Expr } }, probe: BoundRelation, leftTime: number, table: CatalogTable, env: QueryEnv,
): BoundRelation {
  const ref = item.right;
  const joinType = JOIN_TYPES[item.joinType];
  if (joinType === undefined) {
    throw new WeirError('UNSUPPORTED',
      `an event-time temporal join (FOR SYSTEM_TIME AS OF) can be an INNER or a LEFT join, not ${item.joinType}: ` +
      'a version is never emitted on its own', item.span);
  }
  const id = lastPart(ref.name);
  if (table.primaryKey.length === 0) {
    throw new WeirError('BIND',
      `an event-time temporal join needs a versioned table: '${table.name}' has no primary key; declare the key its rows are versions of ` +
      `with PRIMARY KEY (…) NOT ENFORCED`, id.span);
  }
  if (!table.watermark) {
    throw new WeirError('BIND',
      `an event-time temporal join needs a versioned table: '${table.name}' has no watermark; declare WATERMARK FOR its version time column`, id.span);
  }
  const right = expandTable(table);
  const names = table.columns.map((c) => c.name.toLowerCase());
  const rightKey = table.primaryKey.map((k) => names.indexOf(k.toLowerCase()));
  const scope = joinedScope(probe.scope, Scope.single((ref.alias ?? id).value, table.columns), item);
  if (item.using.length > 0) {
    throw new WeirError('UNSUPPORTED', 'USING is not supported for a temporal join yet: write ON left_column = versioned_table.key_column', item.using[0]!.span);
  }
  if (!item.on) {
    throw new WeirError('BIND', `a temporal join needs an ON condition with an equality on the primary key of '${table.name}'`, item.span);
  }
  const on = requireBoolean(bindExpr(item.on, { catalog: env.catalog, scope, clause: 'a JOIN condition' }), 'the JOIN condition', item.on.span);
  const plan = temporalJoin(probe.plan, right, {
    joinType, condition: on, leftTime, rightTime: table.watermark.column, rightKey, tableName: table.name, span: ref.forSystemTime.span,
  });
  const missing = temporalKeys(plan).missing;
  if (missing.length > 0) throw new WeirError('BIND', missingKeyText(plan, missing), item.on.span);
  return { plan, scope };
}
