/**
 * GROUP BY elements from the CST: plain expressions, GROUPING SETS (...), ROLLUP (...) and CUBE (...),
 * expanded into the grouping sets they stand for. Several elements combine by cross product (the SQL
 * standard's rule: `GROUP BY a, ROLLUP (b, c)` is (a, b, c), (a, b), (a)).
 */
import type { CstNode } from 'chevrotain';
import { WeirError } from '../common/errors.js';
import type { Expr, GroupingSets } from './ast.js';
import { expr } from './cst-expressions.js';
import { nodes, tok } from './cst-util.js';
import { joinSpans, nodeSpan } from './spans.js';

/** CUBE of n elements makes 2^n sets: beyond this many, a query is refused rather than planned. */
const MAX_SETS = 4096;

type SetList = (readonly Expr[])[];

/** The GROUP BY of a SELECT: its expressions, and its grouping sets when it has GROUPING SETS, ROLLUP or CUBE. */
export function groupByClause(elements: readonly CstNode[]): { groupBy: Expr[]; groupingSets?: GroupingSets } {
  const plain = elements.every((e) => !isMultiple(e));
  if (plain) return { groupBy: elements.map((e) => expr(nodes(e, 'expr')[0]!)) };
  let sets: SetList = [[]];
  for (const e of elements) sets = cross(sets, elementSets(e), nodeSpan(e));
  const span = joinSpans(nodeSpan(elements[0]!), nodeSpan(elements[elements.length - 1]!));
  return { groupBy: sets.flat(), groupingSets: { sets, span } };
}

const isMultiple = (e: CstNode): boolean => tok(e, 'groupingSets') !== undefined || tok(e, 'multiple') !== undefined;

/** The grouping sets of one `groupingElement` node. */
function elementSets(e: CstNode): SetList {
  if (tok(e, 'groupingSets')) return nodes(e, 'set').flatMap(setItem);
  const kind = tok(e, 'multiple');
  if (!kind) return [[expr(nodes(e, 'expr')[0]!)]];
  const parts = nodes(e, 'set').map(setExprs);
  if (kind.image.toUpperCase() === 'ROLLUP') {
    // (e1..en), (e1..en-1), ..., ()
    return parts.map((_, i) => parts.slice(0, parts.length - i).flat()).concat([[]]);
  }
  if (parts.length > Math.log2(MAX_SETS)) {
    throw new WeirError('UNSUPPORTED', `CUBE of ${parts.length} elements makes ${2 ** parts.length} grouping sets; at most ${MAX_SETS} are supported`, nodeSpan(e));
  }
  // every subset, the full set first
  const out: SetList = [];
  for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) out.push(parts.filter((_, i) => (mask & (1 << i)) !== 0).flat());
  return out;
}

/** One item of GROUPING SETS: `()`, `(a, b)` or `a`. */
function setItem(s: CstNode): SetList {
  return [setExprs(s)];
}

/** The expressions of a `groupingSet` node; ROLLUP or CUBE nested inside another is refused. */
function setExprs(s: CstNode): readonly Expr[] {
  return nodes(s, 'expr').map((n) => {
    const e = expr(n);
    if (e.kind === 'call' && ['ROLLUP', 'CUBE'].includes(e.name.value.toUpperCase()) && !e.name.quoted) {
      throw new WeirError('UNSUPPORTED', `${e.name.value.toUpperCase()} (...) nested inside GROUPING SETS, ROLLUP or CUBE is not supported yet`, e.span);
    }
    return e;
  });
}

function cross(a: SetList, b: SetList, span: ReturnType<typeof nodeSpan>): SetList {
  if (a.length * b.length > MAX_SETS) {
    throw new WeirError('UNSUPPORTED', `this GROUP BY makes ${a.length * b.length} grouping sets; at most ${MAX_SETS} are supported`, span);
  }
  return a.flatMap((x) => b.map((y) => [...x, ...y]));
}
