/**
 * The catalog: tables, views and functions a script has created, by case-insensitive name.
 *
 * A table's columns are its physical columns and its computed columns, in declared order (as Flink
 * shows them); `computed` holds each computed column's expression bound over the physical columns
 * only, and `watermark` the WATERMARK FOR clause bound over all columns.
 */
import type { SourceSpan } from '../common/errors.js';
import { WeirError } from '../common/errors.js';
import type { Column } from '../common/schema.js';
import type { SqlType } from '../common/types.js';
import type { Query, Ident } from '../parser/ast.js';
import type { BoundExpr } from './expr.js';

export interface CatalogTable {
  readonly kind: 'table';
  readonly name: string;
  /** every column as a query sees it: physical and computed, in declared order */
  readonly columns: readonly Column[];
  /** indices into `columns` of the physical columns, in order: what the connector produces */
  readonly physical: readonly number[];
  /** column index → expression over the physical columns (index i = i-th physical column) */
  readonly computed: ReadonlyMap<number, BoundExpr>;
  /** `WATERMARK FOR col AS expr`: expr is bound over `columns` */
  readonly watermark: { readonly column: number; readonly expr: BoundExpr; readonly span: SourceSpan } | undefined;
  readonly primaryKey: readonly string[];
  readonly partitionedBy: readonly string[];
  /** option keys in lower case */
  readonly options: ReadonlyMap<string, string>;
  readonly optionSpans: ReadonlyMap<string, SourceSpan>;
  readonly span: SourceSpan;
}

export interface CatalogView {
  readonly kind: 'view';
  readonly name: string;
  readonly columnAliases: readonly Ident[];
  readonly query: Query;
  readonly span: SourceSpan;
}

export interface CatalogFunction {
  readonly kind: 'function';
  readonly name: string;
  /**
   * The result type. Undefined for a CREATE FUNCTION module not imported yet: the engine imports a
   * module only when a query runs (its top-level code must not run for EXPLAIN), so until then the
   * type is unknown and calls bind as untyped (NULL).
   */
  readonly returns: SqlType | undefined;
  /** number of arguments, when known (a JS function's `length` is a hint only) */
  readonly arity: number | undefined;
  /** the argument types, when the function declares them (the native ones): arguments are cast to them */
  readonly params?: readonly SqlType[];
  readonly span: SourceSpan | undefined;
  /** CREATE FUNCTION ... AS 'path': the JavaScript module the engine loads */
  readonly path?: string;
  /**
   * 'aggregate' for a UDAF, 'table' for a table function (LATERAL TABLE), 'process' for a process
   * function (TABLE(f(TABLE t PARTITION BY k))); undefined for a scalar
   * function, and for a module not imported yet (its kind is unknown until run: see bind rules).
   */
  readonly functionKind?: 'aggregate' | 'table' | 'process';
  /** a table function's output columns (a process function's: those after the partition keys) */
  readonly columns?: readonly { readonly name: string; readonly type: SqlType }[];
  /** a process function with an onTimer method: it cannot take a table with row semantics (no PARTITION BY) */
  readonly processTimers?: boolean;
}

export type CatalogEntry = CatalogTable | CatalogView;

export class Catalog {
  private readonly relations = new Map<string, CatalogEntry>();
  private readonly functions = new Map<string, CatalogFunction>();

  /** Unquoted names fold to lower case; the catalog keys by the folded name. */
  static key(name: string): string {
    return name.toLowerCase();
  }

  getRelation(name: string): CatalogEntry | undefined {
    return this.relations.get(Catalog.key(name));
  }

  addRelation(entry: CatalogEntry, ifNotExists = false): void {
    const k = Catalog.key(entry.name);
    if (this.relations.has(k)) {
      if (ifNotExists) return;
      throw new WeirError('BIND', `${entry.kind === 'view' ? 'view' : 'table'} '${entry.name}' already exists`, entry.span);
    }
    this.relations.set(k, entry);
  }

  dropRelation(name: string): boolean {
    return this.relations.delete(Catalog.key(name));
  }

  getFunction(name: string): CatalogFunction | undefined {
    return this.functions.get(Catalog.key(name));
  }

  addFunction(f: CatalogFunction): void {
    this.functions.set(Catalog.key(f.name), f);
  }

  dropFunction(name: string): boolean {
    return this.functions.delete(Catalog.key(name));
  }

  tables(): CatalogTable[] {
    return [...this.relations.values()].filter((e): e is CatalogTable => e.kind === 'table');
  }
}
