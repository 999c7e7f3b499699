/**
 * DDL: CREATE TABLE (columns, computed columns bound over the physical ones, WATERMARK FOR bound
 * over all of them, PRIMARY KEY, options), CREATE VIEW (bound once now so mistakes show at
 * creation, then stored as AST), CREATE FUNCTION (recorded; the engine loads the module) and DROP.
 */
import { ModuleNotImportedError } from './bind-process-call.js';
import { WeirError } from '../../common/errors.js';
import type { SourceSpan } from '../../common/errors.js';
import type { Column } from '../../common/schema.js';
import { T, typeToString } from '../../common/types.js';
import type { CreateFunctionStmt, CreateTableStmt, CreateViewStmt, DropStmt, Ident } from '../../parser/ast.js';
import type { Catalog, CatalogTable } from '../catalog.js';
import type { BoundExpr } from '../expr.js';
import { exprType } from '../expr.js';
import { bindExpr } from './bind-expr.js';
import { renameColumns } from './bind-from.js';
import { bindQueryNode } from './bind-query.js';
import { rootEnv } from './context.js';
import { lastPart, matchIdent, suggestion } from './names.js';
import { Scope } from './scope.js';

export type DdlStmt = CreateTableStmt | CreateViewStmt | CreateFunctionStmt | DropStmt;

export function applyDdl(stmt: DdlStmt, catalog: Catalog): void {
  switch (stmt.kind) {
    case 'createTable': return createTable(stmt, catalog);
    case 'createView': return createView(stmt, catalog);
    case 'createFunction': return createFunction(stmt, catalog);
    case 'drop': return drop(stmt, catalog);
  }
}

/** False when the name is taken and IF NOT EXISTS says to do nothing; an error when it is taken. */
function claimName(catalog: Catalog, id: Ident, ifNotExists: boolean): boolean {
  const existing = catalog.getRelation(id.value);
  if (!existing) return true;
  if (ifNotExists) return false;
  throw new WeirError('BIND', `${existing.kind} '${existing.name}' already exists`, id.span);
}

/** The one column `id` names among `columns`, or a BIND error saying what there is. */
function findColumn(id: Ident, columns: readonly Column[], what = 'column'): number {
  const hits = matchIdent(id, columns.map((c) => c.name));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw new WeirError('BIND', `${what} '${id.value}' is ambiguous`, id.span);
  throw new WeirError('BIND', `${what} '${id.value}' not found${suggestion(id.value, columns.map((c) => c.name))}`, id.span);
}

function createTable(stmt: CreateTableStmt, catalog: Catalog): void {
  const id = lastPart(stmt.name);
  if (!claimName(catalog, id, stmt.ifNotExists)) return;

  // Declared order: physical and computed columns interleaved; computed ones are bound afterwards
  // over the physical columns only (a computed column cannot use another one, as in Flink).
  const slots: (Column | undefined)[] = [];
  const physical: number[] = [];
  const seen: Ident[] = [];
  const declare = (name: Ident): void => {
    if (seen.some((s) => s.value.toLowerCase() === name.value.toLowerCase() && (s.value === name.value || !s.quoted || !name.quoted))) {
      throw new WeirError('BIND', `duplicate column '${name.value}' in table '${id.value}'`, name.span);
    }
    seen.push(name);
  };
  for (const el of stmt.elements) {
    if (el.kind === 'physicalColumn') {
      declare(el.name);
      physical.push(slots.length);
      slots.push({ name: el.name.value, type: el.type, nullable: !el.notNull });
    } else if (el.kind === 'computedColumn') {
      declare(el.name);
      slots.push(undefined);
    }
  }
  const physicalScope = Scope.single(id.value, physical.map((i) => slots[i]!));
  const computed = new Map<number, BoundExpr>();
  let slot = 0;
  for (const el of stmt.elements) {
    if (el.kind !== 'physicalColumn' && el.kind !== 'computedColumn') continue;
    if (el.kind === 'computedColumn') {
      const e = bindExpr(el.expr, { catalog, scope: physicalScope, clause: 'a computed column' });
      computed.set(slot, e);
      slots[slot] = { name: el.name.value, type: exprType(e), nullable: true };
    }
    slot++;
  }
  const columns = slots as Column[];

  let watermark: CatalogTable['watermark'];
  let primaryKey: string[] = [];
  let pkSeen = false;
  for (const el of stmt.elements) {
    if (el.kind === 'watermark') {
      if (watermark) throw new WeirError('BIND', `table '${id.value}' can have only one WATERMARK`, el.span);
      const column = findColumn(el.column, columns);
      const ct = columns[column]!.type;
      if (ct.kind !== 'TIMESTAMP' || ct.precision !== 3) {
        throw new WeirError('TYPE', `the WATERMARK column '${columns[column]!.name}' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), got ${typeToString(ct)}`, el.column.span);
      }
      const expr = bindExpr(el.expr, { catalog, scope: Scope.single(id.value, columns), clause: 'a WATERMARK expression' });
      const et = exprType(expr);
      if (et.kind !== 'TIMESTAMP') throw new WeirError('TYPE', `the WATERMARK expression must be a TIMESTAMP, got ${typeToString(et)}`, el.expr.span);
      watermark = { column, expr, span: el.span };
    } else if (el.kind === 'primaryKey') {
      if (pkSeen) throw new WeirError('BIND', `table '${id.value}' can have only one PRIMARY KEY`, el.span);
      pkSeen = true;
      primaryKey = el.columns.map((c) => columns[findColumn(c, columns)]!.name);
    }
  }
  const partitionedBy = stmt.partitionedBy.map((c) => columns[findColumn(c, columns)]!.name);

  const options = new Map<string, string>();
  const optionSpans = new Map<string, SourceSpan>();
  for (const o of stmt.options) {
    const key = o.key.toLowerCase();
    if (options.has(key)) throw new WeirError('OPTION', `option '${o.key}' is given twice`, o.span);
    options.set(key, o.value);
    optionSpans.set(key, o.span);
  }
  catalog.addRelation({
    kind: 'table', name: id.value, columns, physical, computed, watermark, primaryKey, partitionedBy,
    options, optionSpans, span: stmt.span,
  });
}

function createView(stmt: CreateViewStmt, catalog: Catalog): void {
  const id = lastPart(stmt.name);
  if (!claimName(catalog, id, stmt.ifNotExists)) return;
  // Bind now so that a mistake is reported at CREATE VIEW rather than at the first use.
  const env = { ...rootEnv(catalog), expanding: [`view:${id.value.toLowerCase()}`] };
  try {
    const plan = bindQueryNode(stmt.query, env).plan;
    if (stmt.columns.length > 0) renameColumns(plan, stmt.columns, id.value);
  } catch (e) {
    // a process function's module is imported only by a running query: the view is checked where it is used
    if (!(e instanceof ModuleNotImportedError)) throw e;
  }
  catalog.addRelation({ kind: 'view', name: id.value, columnAliases: stmt.columns, query: stmt.query, span: stmt.span });
}

function createFunction(stmt: CreateFunctionStmt, catalog: Catalog): void {
  const id = lastPart(stmt.name);
  if (catalog.getFunction(id.value)) {
    if (stmt.ifNotExists) return;
    throw new WeirError('BIND', `function '${id.value}' already exists`, id.span);
  }
  const lang = stmt.language?.toUpperCase();
  if (lang !== undefined && lang !== 'JAVASCRIPT' && lang !== 'JS') {
    throw new WeirError('UNSUPPORTED', `LANGUAGE ${stmt.language} is not supported: functions are JavaScript modules`, stmt.span);
  }
  // The result type and arity are unknown until the engine imports the module, when a query runs.
  catalog.addFunction({ kind: 'function', name: id.value, returns: undefined, arity: undefined, span: stmt.span, path: stmt.path });
}

function drop(stmt: DropStmt, catalog: Catalog): void {
  const id = lastPart(stmt.name);
  if (stmt.objectKind === 'function') {
    if (!catalog.dropFunction(id.value) && !stmt.ifExists) throw new WeirError('BIND', `function '${id.value}' not found`, id.span);
    return;
  }
  const entry = catalog.getRelation(id.value);
  if (!entry) {
    if (stmt.ifExists) return;
    throw new WeirError('BIND', `${stmt.objectKind} '${id.value}' not found`, id.span);
  }
  if (entry.kind !== stmt.objectKind) {
    throw new WeirError('BIND', `'${entry.name}' is a ${entry.kind}, not a ${stmt.objectKind}; use DROP ${entry.kind.toUpperCase()}`, id.span);
  }
  catalog.dropRelation(id.value);
}
