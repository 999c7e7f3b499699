/**
 * The select list: `*` and `t.*` expanded to the input's columns, and each column's output name —
 * the alias, else the column or field name (`person.id` → `id`), else `EXPR$<position>` (as Flink).
 * Duplicate names are made unique as Calcite does (`a`, `a0`, `a1`).
 */
import type { SourceSpan } from '../../common/errors.js';
import type { Expr, SelectItem } from '../../parser/ast.js';
import type { ColumnRef } from '../expr.js';
import type { Scope } from './scope.js';

export type SelectColumn =
  | { readonly kind: 'star'; readonly expr: ColumnRef; readonly name: string; readonly span: SourceSpan }
  | { readonly kind: 'expr'; readonly ast: Expr; readonly name: string; readonly span: SourceSpan };

function derivedName(e: Expr): string | undefined {
  if (e.kind === 'column') return e.path[e.path.length - 1]!.value;
  if (e.kind === 'fieldAccess') return e.field.value;
  return undefined;
}

export function expandSelectItems(items: readonly SelectItem[], scope: Scope): SelectColumn[] {
  const out: SelectColumn[] = [];
  for (const item of items) {
    if (item.kind === 'star') {
      for (const i of scope.expandStar(item.qualifier, item.span)) {
        const expr = scope.columnRef(i, item.span);
        out.push({ kind: 'star', expr, name: expr.name, span: item.span });
      }
    } else {
      const name = item.alias?.value ?? derivedName(item.expr) ?? `EXPR$${out.length}`;
      out.push({ kind: 'expr', ast: item.expr, name, span: item.span });
    }
  }
  return out;
}

export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let i = 0; used.has(name.toLowerCase()); i++) name = `${n}${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}
