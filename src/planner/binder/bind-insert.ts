/**
 * INSERT INTO: the query's columns cast to the target's physical columns, by position or by the
 * column list (unlisted columns get NULL).
 *
 * Numbers are stored with store-assignment casts, as DuckDB's INSERT and Spark's ANSI store
 * assignment: any numeric type goes into any numeric column, rounded to it (the benchmark writes
 * AVG, a DOUBLE here as in the batch oracle, into BIGINT columns), and a value out of the column's
 * range fails at run time naming the column. Other types take only implicit (widening) casts;
 * anything else is a TYPE error naming the column, as Flink's "Incompatible types for sink column".
 */
import { WeirError } from '../../common/errors.js';
import { isLosslessNumeric, isNumeric, typeToString } from '../../common/types.js';
import type { InsertStmt } from '../../parser/ast.js';
import type { Catalog, CatalogTable } from '../catalog.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from '../logical/plan.js';
import { project } from '../logical/plan.js';
import { bindQueryNode } from './bind-query.js';
import { canImplicitCast, coerce } from './coerce.js';
import { rootEnv } from './context.js';
import { lastPart, matchIdent, suggestion } from './names.js';

export function bindInsert(stmt: InsertStmt, catalog: Catalog): { plan: LogicalPlan; target: CatalogTable } {
  const id = lastPart(stmt.target);
  const entry = catalog.getRelation(id.value);
  if (!entry) throw new WeirError('BIND', `table '${id.value}' not found${suggestion(id.value, catalog.tables().map((t) => t.name), 'tables')}`, id.span);
  if (entry.kind === 'view') throw new WeirError('BIND', `cannot INSERT INTO view '${entry.name}': only tables can be written`, id.span);
  if (stmt.overwrite) throw new WeirError('UNSUPPORTED', 'INSERT OVERWRITE is not supported yet', stmt.span);
  const target = entry;
  const sinkCols = target.physical.map((i) => target.columns[i]!);

  let positions: number[];
  if (stmt.columns.length > 0) {
    positions = stmt.columns.map((c) => {
      const hits = matchIdent(c, sinkCols.map((s) => s.name));
      if (hits.length !== 1) {
        if (matchIdent(c, target.columns.map((s) => s.name)).length > 0) {
          throw new WeirError('BIND', `cannot insert into computed column '${c.value}' of '${target.name}'`, c.span);
        }
        throw new WeirError('BIND', `column '${c.value}' not found in '${target.name}'${suggestion(c.value, sinkCols.map((s) => s.name))}`, c.span);
      }
      return hits[0]!;
    });
    positions.forEach((p, i) => {
      if (positions.indexOf(p) !== i) throw new WeirError('BIND', `column '${sinkCols[p]!.name}' is listed twice`, stmt.columns[i]!.span);
    });
  } else {
    positions = sinkCols.map((_, i) => i);
  }

  const bound = bindQueryNode(stmt.query, rootEnv(catalog));
  const queryCols = bound.plan.schema.columns;
  if (queryCols.length !== positions.length) {
    const names = positions.map((p) => sinkCols[p]!.name).join(', ');
    throw new WeirError('TYPE',
      `INSERT INTO ${target.name}: the query has ${queryCols.length} column${queryCols.length === 1 ? '' : 's'} but ${positions.length} ${positions.length === 1 ? 'is' : 'are'} expected (${names})`,
      stmt.query.span);
  }
  const exprs = sinkCols.map((col, i): BoundExpr => {
    const j = positions.indexOf(i);
    if (j < 0) {
      if (!col.nullable) throw new WeirError('TYPE', `column '${col.name}' of '${target.name}' is NOT NULL and the INSERT gives it no value`, stmt.span);
      return { kind: 'literal', value: null, type: col.type };
    }
    const q = queryCols[j]!;
    const value: BoundExpr = { kind: 'column', index: j, name: q.name, type: q.type };
    if (isNumeric(q.type) && isNumeric(col.type) && !isLosslessNumeric(q.type, col.type)) {
      const span = bound.spans[j];
      return { kind: 'cast', operand: value, type: col.type, try: false, assign: { table: target.name, column: col.name }, ...(span ? { span } : {}) };
    }
    if (!canImplicitCast(q.type, col.type)) {
      throw new WeirError('TYPE',
        `cannot insert a value of type ${typeToString(q.type)} into column '${col.name}' of type ${typeToString(col.type)}; use an explicit CAST`,
        bound.spans[j] ?? stmt.query.span);
    }
    return coerce(value, col.type); // a lossless number (a plain widening CAST), or a non-number
  });
  return { plan: project(bound.plan, exprs, sinkCols.map((c) => c.name)), target };
}
