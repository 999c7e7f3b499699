/**
 * Operator chains from the flat `expression` (AND/OR with NOTs) and `additive` (`+ - || * / %` with
 * signs) rules: the prefix operators written before each operand go on it, then precedence and
 * left associativity are applied with an explicit operator stack (no recursion, so a chain of any
 * length is built in one pass).
 *
 * A long run of one associative operator (AND, OR, `||`) becomes a balanced tree instead of a
 * left-deep one: `c1 AND c2 AND ... AND c2000` is then ~11 levels deep rather than 2,000, so every
 * later recursive pass (binder, rules, EXPLAIN, the expression compiler) handles it. Short runs stay
 * left-deep, as they always were, so plans and their EXPLAIN text do not change. `+` and the other
 * arithmetic operators keep their left-deep shape: regrouping them could change a result's type or
 * where an overflow happens, so a very long chain of them meets the nesting limit instead.
 */
import type { CstNode, IToken } from 'chevrotain';
import type { BinaryOp, Expr } from './ast.js';
import { joinSpans } from './spans.js';

/** Runs of one associative operator longer than this are built balanced. */
const BALANCE_ABOVE = 16;

const ASSOCIATIVE: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['AND', 'OR', '||']);

/** How tightly each chain operator binds (higher binds tighter). */
const PRECEDENCE: Readonly<Partial<Record<BinaryOp, number>>> = {
  OR: 1, AND: 2, '+': 1, '-': 1, '||': 1, '*': 2, '/': 2, '%': 2,
};

export function opOf(t: IToken): BinaryOp {
  const image = t.image.toUpperCase();
  return (image === '!=' ? '<>' : image) as BinaryOp;
}

function startOffset(n: CstNode): number {
  return n.location?.startOffset ?? 0;
}

/** The prefix tokens (NOTs, signs) that stand before each operand, in source order. */
export function prefixesPerOperand(operands: readonly CstNode[], prefixes: readonly IToken[]): IToken[][] {
  const sorted = [...prefixes].sort((a, b) => a.startOffset - b.startOffset);
  const out: IToken[][] = [];
  let j = 0;
  for (const operand of operands) {
    const mine: IToken[] = [];
    while (j < sorted.length && sorted[j]!.startOffset < startOffset(operand)) mine.push(sorted[j++]!);
    out.push(mine);
  }
  return out;
}

function binary(op: BinaryOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, span: joinSpans(left.span, right.span) };
}

/** `terms[0] op terms[1] op ...`, left-deep when short, balanced when long. */
function run(op: BinaryOp, terms: readonly Expr[]): Expr {
  if (terms.length <= BALANCE_ABOVE || !ASSOCIATIVE.has(op)) {
    let left = terms[0]!;
    for (let i = 1; i < terms.length; i++) left = binary(op, left, terms[i]!);
    return left;
  }
  // pairwise rounds: each halves the list, so the depth is log2 of the length
  let level = terms;
  while (level.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? binary(op, level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/**
 * `operands[0] ops[0] operands[1] ...` with precedence and left associativity. A pending entry of
 * the stack is a run of one operator whose terms wait to be combined; an operator of the same
 * precedence but another kind closes the run (left associativity), a tighter one opens a new run
 * on the run's last term.
 */
export function buildChain(operands: readonly Expr[], ops: readonly BinaryOp[]): Expr {
  interface Pending { readonly op: BinaryOp; readonly terms: Expr[] }
  const stack: Pending[] = [];
  let current: Expr = operands[0]!;
  const closeTop = (): void => {
    const top = stack.pop()!;
    top.terms.push(current);
    current = run(top.op, top.terms);
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const prec = PRECEDENCE[op] ?? 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const topPrec = PRECEDENCE[top.op] ?? 0;
      if (topPrec < prec) break;
      if (top.op === op && topPrec === prec) break; // extend this run below
      closeTop();
    }
    const top = stack[stack.length - 1];
    if (top && top.op === op) top.terms.push(current);
    else stack.push({ op, terms: [current] });
    current = operands[i + 1]!;
  }
  while (stack.length > 0) closeTop();
  return current;
}
