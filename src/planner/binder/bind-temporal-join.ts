/**
 * `probe [LEFT] JOIN v FOR SYSTEM_TIME AS OF probe.rowtime [AS r] ON probe.k = r.k`: an event-time
 * temporal join (Flink's) against a versioned table, bound to a TemporalJoin node.
 *
 * The versioned side is a table of the catalog with a PRIMARY KEY (… NOT ENFORCED), the key each
 * row is a version of, and a WATERMARK, whose column is the time a version becomes valid: its rows
 * are versions (each supersedes its key's earlier one, as Flink reads an upsert source). Or it is
 * Flink's versioned view, a view (or WITH query) deduplicating an append-only table by key on its
 * rowtime, keeping the last row (`ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime DESC) = 1`):
 * its key is the PARTITION BY columns, its version time the rowtime, and the deduplication is what
 * the join does itself (a key's latest version at a time), so its rows go to the join as versions.
 * Refused, at the construct's position: another view, a table without a primary key or a watermark,
 * RIGHT/FULL/CROSS joins, USING, and an ON condition without an equality on every key column.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import type { Expr, JoinRef, TableRef } from '../../parser/ast.js';
import type { CatalogTable } from '../catalog.js';
import type { TemporalJoinType } from '../logical/plan.js';
import type { LogicalPlan } from '../logical/plan.js';
import { filter, project, temporalJoin } from '../logical/plan.js';
import { isRowtime } from '../incremental/window-match.js';
import { missingKeyText, temporalKeys } from '../incremental/plan-temporal-join.js';
import { bindExpr, requireBoolean } from './bind-expr.js';
import type { BoundRelation } from './bind-from.js';
import { bindNamedRelation, expandTable } from './bind-from.js';
import { joinedScope } from './bind-join.js';
import type { QueryEnv } from './context.js';
import { lastPart, matchIdent } from './names.js';
import { Scope } from './scope.js';

const JOIN_TYPES: Partial<Record<JoinRef['joinType'], TemporalJoinType>> = { INNER: 'inner', LEFT: 'left' };

/** The versioned side: its plan, key columns and version time column. */
interface Versioned {
  readonly plan: LogicalPlan;
  readonly key: readonly number[];
  readonly time: number;
  readonly name: string;
}

/** `leftTime`: the probe's event-time attribute AS OF names. */
export function bindTemporalJoin(
  item: JoinRef & { right: TableRef & { forSystemTime: Expr } }, probe: BoundRelation, leftTime: number, env: QueryEnv,
): BoundRelation {
  const ref = item.right;
  const joinType = JOIN_TYPES[item.joinType];
  if (joinType === undefined) {
    throw new WeirError('UNSUPPORTED',
      `an event-time temporal join (FOR SYSTEM_TIME AS OF) can be an INNER or a LEFT join, not ${item.joinType}: ` +
      'a version is never emitted on its own', item.span);
  }
  const id = lastPart(ref.name);
  const isCte = env.ctes.some((cs) => matchIdent(id, cs.defs.map((d) => d.name.value)).length > 0);
  const entry = isCte ? undefined : env.catalog.getRelation(id.value);
  const v = entry?.kind === 'table' ? versionedTable(entry, id) : versionedView(bindNamedRelation(ref.name, env), id.value, id.span);
  const scope = joinedScope(probe.scope, Scope.single((ref.alias ?? id).value, v.plan.schema.columns), item);
  if (item.using.length > 0) {
    throw new WeirError('UNSUPPORTED', 'USING is not supported for a temporal join yet: write ON left_column = versioned_table.key_column', item.using[0]!.span);
  }
  if (!item.on) {
    throw new WeirError('BIND', `a temporal join needs an ON condition with an equality on the primary key of '${v.name}'`, item.span);
  }
  const on = requireBoolean(bindExpr(item.on, { catalog: env.catalog, scope, clause: 'a JOIN condition' }), 'the JOIN condition', item.on.span);
  const plan = temporalJoin(probe.plan, v.plan, {
    joinType, condition: on, leftTime, rightTime: v.time, rightKey: v.key, tableName: v.name, span: ref.forSystemTime.span,
  });
  const missing = temporalKeys(plan).missing;
  if (missing.length > 0) throw new WeirError('BIND', missingKeyText(plan, missing), item.on.span);
  return { plan, scope };
}

function versionedTable(table: CatalogTable, id: { readonly span: SourceSpan }): Versioned {
  if (table.primaryKey.length === 0) {
    throw new WeirError('BIND',
      `an event-time temporal join needs a versioned table: '${table.name}' has no primary key; declare the key its rows are versions of ` +
      `with PRIMARY KEY (…) NOT ENFORCED`, id.span);
  }
  if (!table.watermark) {
    throw new WeirError('BIND',
      `an event-time temporal join needs a versioned table: '${table.name}' has no watermark; declare WATERMARK FOR its version time column`, id.span);
  }
  const names = table.columns.map((c) => c.name.toLowerCase());
  return { plan: expandTable(table), key: table.primaryKey.map((k) => names.indexOf(k.toLowerCase())), time: table.watermark.column, name: table.name };
}

/**
 * Flink's versioned view: the Top-N keeping each key's last row by rowtime, under projections and
 * filters. The Top-N is replaced by its input (the join keeps each key's versions itself); its key
 * and rowtime are followed up to the view's columns.
 */
function versionedView(plan: LogicalPlan, name: string, span: SourceSpan): Versioned {
  const found = stripDedup(plan);
  if (!found) {
    throw new WeirError('UNSUPPORTED',
      `an event-time temporal join needs a versioned table: '${name}' is a view that is not a versioned view; a table with PRIMARY KEY (…) NOT ENFORCED ` +
      'and a WATERMARK, or a view keeping the last row of each key by its rowtime (SELECT … FROM (SELECT *, ROW_NUMBER() OVER ' +
      '(PARTITION BY key ORDER BY rowtime DESC) AS rn FROM t) WHERE rn = 1)', span);
  }
  return { ...found, name };
}

function stripDedup(p: LogicalPlan): Omit<Versioned, 'name'> | undefined {
  switch (p.kind) {
    case 'rank': {
      const o = p.orderBy[0];
      const keys = p.partitionBy.flatMap((e) => (e.kind === 'column' ? [e.index] : []));
      if (p.rankStart !== 1 || p.rankEnd !== 1 || p.rankFunction !== 'ROW_NUMBER' || p.orderBy.length !== 1 || !o!.descending) return undefined;
      if (o!.expr.kind !== 'column' || !isRowtime(p.input, o!.expr.index) || keys.length === 0 || keys.length !== p.partitionBy.length) return undefined;
      const cols = p.input.schema.columns;
      const plan = !p.outputRank ? p.input : project(p.input, [
        ...cols.map((c, i): BoundExpr => ({ kind: 'column', index: i, name: c.name, type: c.type })),
        { kind: 'literal', value: 1, type: T.BIGINT },
      ], [...cols.map((c) => c.name), p.rankName]);
      return { plan, key: keys, time: o!.expr.index };
    }
    case 'filter': {
      const inner = stripDedup(p.input);
      return inner && { ...inner, plan: filter(inner.plan, p.predicate) };
    }
    case 'project': {
      const inner = stripDedup(p.input);
      if (!inner) return undefined;
      const at = (c: number): number => p.exprs.findIndex((e) => e.kind === 'column' && e.index === c);
      const key = inner.key.map(at), time = at(inner.time);
      if (key.includes(-1) || time < 0) return undefined;
      return { plan: project(inner.plan, p.exprs, p.names), key, time };
    }
    default: return undefined;
  }
}
