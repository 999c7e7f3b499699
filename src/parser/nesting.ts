/**
 * The nesting limits, checked before anything recursive runs over a statement.
 *
 * The parser, the CST visitor, the binder, the rewrite rules, EXPLAIN and the expression compiler
 * all recurse over nesting. Rather than make each of them iterative, a statement may nest only so
 * far, and a deeper one is a positioned user error (PARSE) instead of a stack overflow reported as
 * a bug in Weir. Two checks, both iterative:
 * - before parsing, over the tokens: at most MAX_BRACKET_NESTING open `(` (expressions,
 *   subqueries, calls, CAST, IN lists...), `CASE` and `ROW<` at once; the error points at the
 *   bracket that opens one level too many;
 * - after the AST is built, its depth: at most MAX_TREE_DEPTH nodes from the statement down to the
 *   deepest leaf. This catches what brackets do not show: a chain of 20,000 `+` (left-deep, so
 *   20,000 levels), thousands of NOTs or signs. Long AND, OR and `||` runs do not count against it:
 *   the parser builds them balanced (cst-operators.ts). The error points at the deepest node's
 *   node where the limit is crossed (in an
 *   operator chain, that operator's right operand).
 * Both limits leave the default Node stack (~1 MB) a wide margin through every pass, measured
 * cold (unoptimized code has larger frames); test/planner/nesting-limits.test.ts runs each kind of nesting
 * at the limit through planning and execution.
 */
import type { IToken } from 'chevrotain';
import { WeirError, type SourceSpan } from '../common/errors.js';
import { tokenSpan } from './spans.js';
import { Case, End, Greater, LBracket, Less, LParen, RBracket, RParen } from './tokens.js';

/** Brackets (`(` and CASE ... END) open at once. */
export const MAX_BRACKET_NESTING = 100;

/** Nodes from a statement's root to its deepest leaf. */
export const MAX_TREE_DEPTH = 1000;

export function tooDeepMessage(what: string, limit: number): string {
  return `${what} nested too deeply: more than ${limit} levels (the limit)`;
}

/** Type names whose `<` opens a bracket (`ROW<a INT>`, `ARRAY<INT>`, `MAP<K, V>`). */
const ANGLE_TYPES = new Set(['ROW', 'ARRAY', 'MAP', 'MULTISET']);

/**
 * Throws at the first bracket that opens level MAX_BRACKET_NESTING + 1. Brackets are `(`, CASE, and
 * the `<` of a ROW/ARRAY/MAP type (closed by the next `>` while it is the innermost open bracket, so
 * a comparison's `<` and `>` elsewhere do not count).
 */
export function checkBracketNesting(tokens: readonly IToken[], file: string | undefined): void {
  const open: ('(' | '[' | 'CASE' | '<')[] = [];
  let previous: IToken | undefined;
  for (const t of tokens) {
    let opened: '(' | '[' | 'CASE' | '<' | undefined;
    if (t.tokenType === LParen) opened = '(';
    else if (t.tokenType === LBracket) opened = '[';
    else if (t.tokenType === RBracket) popTo(open, '[');
    else if (t.tokenType === Case) opened = 'CASE';
    else if (t.tokenType === Less && previous && ANGLE_TYPES.has(previous.image.toUpperCase())) opened = '<';
    else if (t.tokenType === RParen) popTo(open, '(');
    else if (t.tokenType === End) popTo(open, 'CASE');
    else if (t.tokenType === Greater && open[open.length - 1] === '<') open.pop();
    if (opened) {
      open.push(opened);
      if (open.length > MAX_BRACKET_NESTING) {
        throw new WeirError('PARSE', tooDeepMessage('parentheses, subqueries, CASE or types', MAX_BRACKET_NESTING), tokenSpan(t), file);
      }
    }
    previous = t;
  }
}

/** Close the innermost open `kind` and what is open inside it (an unbalanced text is the parser's to report). */
function popTo(open: string[], kind: string): void {
  const i = open.lastIndexOf(kind);
  if (i >= 0) open.length = i;
}

function isSpan(key: string): boolean {
  return key === 'span' || key.endsWith('Span');
}

function spanOf(v: object): SourceSpan | undefined {
  const span = (v as { span?: SourceSpan }).span;
  return span && typeof span.line === 'number' ? span : undefined;
}

/**
 * Throws when an AST (any tree of plain objects and arrays; objects with a `kind` are nodes) is
 * deeper than MAX_TREE_DEPTH nodes. Iterative: it must not overflow on the trees it refuses.
 */
export function checkTreeDepth(root: object, file: string | undefined): void {
  const stack: { readonly value: unknown; readonly depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, depth });
      continue;
    }
    const isNode = typeof (value as { kind?: unknown }).kind === 'string';
    const d = isNode ? depth + 1 : depth;
    if (d > MAX_TREE_DEPTH) {
      throw new WeirError('PARSE', tooDeepMessage('expression', MAX_TREE_DEPTH), operatorSpan(value) ?? spanOf(value), file);
    }
    for (const [key, v] of Object.entries(value)) if (!isSpan(key)) stack.push({ value: v, depth: d });
  }
}

/** For a binary node, its right operand: in a chain of `+`, the term at which the limit is crossed. */
function operatorSpan(v: object): SourceSpan | undefined {
  const b = v as { kind?: string; left?: { span?: SourceSpan }; right?: { span?: SourceSpan } };
  if (b.kind !== 'binary' || !b.left?.span || !b.right?.span) return undefined;
  return b.right.span;
}
