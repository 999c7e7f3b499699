/**
 * Name resolution: the relations visible in a FROM clause and how a column path (`a`, `t.a`,
 * `bid.price`, `t.bid.price`) resolves to a column of the input row and fields of ROW values.
 *
 * A path's first part is tried as a table qualifier first (as Calcite does), then as a column; the
 * remaining parts are ROW fields.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { Column } from '../../common/schema.js';
import { typeToString } from '../../common/types.js';
import type { Ident, QualifiedName } from '../../parser/ast.js';
import type { BoundExpr, ColumnRef } from '../expr.js';
import { exprType } from '../expr.js';
import { lastPart, matchIdent, spanOver, suggestion } from './names.js';

export interface ScopeRelation {
  /** the alias or table name a column may be qualified with; undefined for an unnamed relation */
  readonly name: string | undefined;
  readonly columns: readonly Column[];
  /** index of the relation's first column in the input row */
  readonly offset: number;
  /**
   * Columns (relation-local indices) that only a qualified name reaches: the two copies of a
   * `JOIN ... USING` column, whose merged value an unnamed relation of the join provides.
   */
  readonly hidden?: ReadonlySet<number>;
}

export class Scope {
  constructor(readonly relations: readonly ScopeRelation[]) {}

  static empty(): Scope {
    return new Scope([]);
  }

  static single(name: string | undefined, columns: readonly Column[]): Scope {
    return new Scope([{ name, columns, offset: 0 }]);
  }

  get width(): number {
    return this.relations.reduce((n, r) => n + r.columns.length, 0);
  }

  columnRef(index: number, span?: SourceSpan): ColumnRef {
    for (const r of this.relations) {
      const i = index - r.offset;
      if (i >= 0 && i < r.columns.length) {
        const c = r.columns[i]!;
        return span ? { kind: 'column', index, name: c.name, type: c.type, span } : { kind: 'column', index, name: c.name, type: c.type };
      }
    }
    throw new WeirError('BIND', `column #${index} out of range`);
  }

  /** The input columns `*` or `t.*` expands to. */
  expandStar(qualifier: QualifiedName | undefined, span: SourceSpan): number[] {
    if (!qualifier || qualifier.length === 0) {
      if (this.relations.every((r) => !r.hidden)) return Array.from({ length: this.width }, (_, i) => i);
      // relations in their FROM order (USING columns first), without the hidden copies
      return this.relations.flatMap((r) => r.columns.flatMap((_, i) => (r.hidden?.has(i) ? [] : [r.offset + i])));
    }
    const rel = this.findRelation(lastPart(qualifier));
    if (!rel) {
      const q = lastPart(qualifier);
      throw new WeirError('BIND', `table '${q.value}' not found in FROM${suggestion(q.value, this.relationNames(), 'tables')}`, q.span ?? span);
    }
    return rel.columns.map((_, i) => rel.offset + i);
  }

  /** Resolve a column path to a column reference with ROW field accesses on top. */
  resolve(path: readonly Ident[]): BoundExpr {
    if (path.length >= 2) {
      const rel = this.findRelation(path[0]!);
      if (rel) {
        const hits = matchIdent(path[1]!, rel.columns.map((c) => c.name));
        if (hits.length === 1) {
          return this.fields(this.columnRef(rel.offset + hits[0]!, spanOver(path[0]!, path[1]!)), path, 2);
        }
        if (hits.length > 1) {
          throw new WeirError('BIND', `column '${path[1]!.value}' is ambiguous in '${rel.name}'`, path[1]!.span);
        }
        if (this.columnMatches(path[0]!).length === 0) {
          const id = path[1]!;
          throw new WeirError('BIND', `column '${id.value}' not found in '${rel.name}'${suggestion(id.value, rel.columns.map((c) => c.name))}`, id.span);
        }
      }
    }
    const first = path[0]!;
    const hits = this.columnMatches(first);
    if (hits.length === 0) {
      throw new WeirError('BIND', `column '${first.value}' not found${suggestion(first.value, this.visibleNames())}`, first.span);
    }
    if (hits.length > 1) {
      const tables = [...new Set(hits.map((h) => h.rel.name ?? '(subquery)'))];
      const where = tables.length > 1 ? `: it is in ${tables.join(', ')}` : ` in '${tables[0]}'`;
      throw new WeirError('BIND', `column '${first.value}' is ambiguous${where}`, first.span);
    }
    const h = hits[0]!;
    return this.fields(this.columnRef(h.rel.offset + h.index, first.span), path, 1);
  }

  /** Field accesses `path[from..]` on top of `base`. */
  private fields(base: BoundExpr, path: readonly Ident[], from: number): BoundExpr {
    let e = base;
    for (let i = from; i < path.length; i++) e = fieldAccess(e, path[i]!, spanOver(path[0]!, path[i]!));
    return e;
  }

  private findRelation(id: Ident): ScopeRelation | undefined {
    const named = this.relations.filter((r) => r.name !== undefined);
    const hits = matchIdent(id, named.map((r) => r.name!));
    return hits.length === 1 ? named[hits[0]!] : undefined;
  }

  private columnMatches(id: Ident): { rel: ScopeRelation; index: number }[] {
    const out: { rel: ScopeRelation; index: number }[] = [];
    for (const rel of this.relations) {
      for (const index of matchIdent(id, rel.columns.map((c) => c.name))) if (!rel.hidden?.has(index)) out.push({ rel, index });
    }
    return out;
  }

  private visibleNames(): string[] {
    return this.relations.flatMap((r) => r.columns.map((c) => c.name));
  }

  private relationNames(): string[] {
    return this.relations.flatMap((r) => (r.name === undefined ? [] : [r.name]));
  }
}

/** `operand.field` for a ROW-typed operand. */
export function fieldAccess(operand: BoundExpr, field: Ident, span: SourceSpan): BoundExpr {
  const t = exprType(operand);
  if (t.kind !== 'ROW') {
    throw new WeirError('TYPE', `cannot access field '${field.value}' of a value of type ${typeToString(t)}: it is not a ROW`, field.span);
  }
  const hits = matchIdent(field, t.fields.map((f) => f.name));
  if (hits.length !== 1) {
    const what = hits.length > 1 ? 'is ambiguous' : 'not found';
    throw new WeirError('BIND', `field '${field.value}' ${what} in ${typeToString(t)}${hits.length > 1 ? '' : suggestion(field.value, t.fields.map((f) => f.name), 'fields')}`, field.span);
  }
  const f = t.fields[hits[0]!]!;
  return { kind: 'field', operand, fieldIndex: hits[0]!, name: f.name, type: f.type, span };
}
