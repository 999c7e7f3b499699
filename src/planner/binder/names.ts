/**
 * Identifier matching and "did you mean" suggestions.
 *
 * Unquoted identifiers compare case-insensitively. A quoted identifier matches its exact spelling
 * first; failing that, a case-insensitive match is accepted when it is unique (so `` `datetime` ``
 * still finds `dateTime`, but never picks one of two candidates silently).
 */
import type { SourceSpan } from '../../common/errors.js';
import type { Ident } from '../../parser/ast.js';

/** Indices of the candidates `id` names (more than one: ambiguous). */
export function matchIdent(id: Ident, names: readonly string[]): number[] {
  const lower = id.value.toLowerCase();
  const ci: number[] = [];
  const exact: number[] = [];
  names.forEach((n, i) => {
    if (n === id.value) exact.push(i);
    if (n.toLowerCase() === lower) ci.push(i);
  });
  if (id.quoted) {
    if (exact.length > 0) return exact;
    return ci.length === 1 ? ci : [];
  }
  return ci;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `name` when it is close enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return bestDist <= limit ? best : undefined;
}

/** `; did you mean 'y'?` or `; available columns: a, b` (or '' when there is nothing to offer). */
export function suggestion(name: string, candidates: readonly string[], what = 'columns'): string {
  const unique = [...new Set(candidates)];
  const close = closestName(name, unique);
  if (close !== undefined) return `; did you mean '${close}'?`;
  if (unique.length === 0) return '';
  const shown = unique.length > 20 ? [...unique.slice(0, 20), '...'] : unique;
  return `; available ${what}: ${shown.join(', ')}`;
}

/** The span covering identifiers `from` .. `to` (on one line, as names are). */
export function spanOver(from: Ident, to: Ident): SourceSpan {
  const end = to.span.offset + (to.span.length ?? to.value.length);
  return { line: from.span.line, column: from.span.column, offset: from.span.offset, length: end - from.span.offset };
}

/** The object name of a qualified name (`db.t` → `t`). */
export function lastPart(name: readonly Ident[]): Ident {
  return name[name.length - 1]!;
}
