/**
 * The flat operator-chain rules (grammar-expressions.ts, cst-operators.ts): the same trees and spans
 * as one rule per precedence level gave, long AND / OR / `||` runs balanced, and the nesting limits
 * of nesting.ts at the parser.
 */
import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/parser/ast.js';
import { MAX_BRACKET_NESTING, MAX_TREE_DEPTH } from '../../src/parser/nesting.js';
import { parseScript } from '../../src/parser/parse.js';
import { weirErrorOf } from '../support/weir-error.js';
import { bin, col, expr, num, shape } from './helpers.js';

function depth(e: Expr): number {
  if (e.kind === 'binary') return 1 + Math.max(depth(e.left), depth(e.right));
  if (e.kind === 'unary') return 1 + depth(e.operand);
  return 1;
}

/** The operands of a tree of one binary operator, left to right. */
function leaves(e: Expr, op: string): string[] {
  if (e.kind === 'binary' && e.op === op) return [...leaves(e.left, op), ...leaves(e.right, op)];
  return e.kind === 'column' ? [e.path[0]!.value] : ['?'];
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);

describe('operator chains', () => {
  it('apply precedence and left associativity across one flat rule', () => {
    expect(shape('a * b + c % d - e || f / g')).toEqual(
      bin('||', bin('-', bin('+', bin('*', col('a'), col('b')), bin('%', col('c'), col('d'))), col('e')), bin('/', col('f'), col('g'))),
    );
    expect(shape('a OR b AND c OR d')).toEqual(bin('OR', bin('OR', col('a'), bin('AND', col('b'), col('c'))), col('d')));
  });

  it('put prefix NOTs and signs on their own operand, innermost first', () => {
    const not = (operand: unknown) => ({ kind: 'unary', op: 'NOT', operand });
    expect(shape('NOT a AND NOT NOT b')).toEqual(bin('AND', not(col('a')), not(not(col('b')))));
    expect(shape('a - - 5 * -b')).toEqual(bin('-', col('a'), bin('*', num('-5'), { kind: 'unary', op: '-', operand: col('b') })));
    expect(shape('- -5')).toEqual({ kind: 'unary', op: '-', operand: num('-5') });
  });

  it('span each node from its first token to its last', () => {
    const e = expr('x + -y');
    expect(e.kind === 'binary' && e.span).toMatchObject({ offset: 0, length: 6 });
    expect(e.kind === 'binary' && e.right.span).toMatchObject({ offset: 4, length: 2 });
    const n = expr('NOT (a) AND b');
    expect(n.kind === 'binary' && n.left.span).toMatchObject({ offset: 0, length: 6 });
  });

  it('keep runs of up to 16 left-deep, and build longer AND, OR and || runs balanced, in order', () => {
    expect(depth(expr(names(16).join(' AND ')))).toBe(16);
    for (const op of ['AND', 'OR', '||']) {
      const e = expr(names(2000).join(` ${op} `));
      expect(depth(e)).toBe(12); // 11 levels of operators over the leaves
      expect(leaves(e, op)).toEqual(names(2000));
    }
  });

  it('keep + and other arithmetic left-deep however long', () => {
    expect(depth(expr(names(500).join(' + ')))).toBe(500);
  });
});

describe('nesting limits at the parser', () => {
  it(`refuse the bracket that opens level ${MAX_BRACKET_NESTING + 1}, and only the statement that has it`, () => {
    const deep = `SELECT ${'('.repeat(MAX_BRACKET_NESTING + 1)}a${')'.repeat(MAX_BRACKET_NESTING + 1)} FROM t`;
    const e = weirErrorOf(() => parseScript(`SELECT a FROM t;\n${deep};`, 'x.sql'));
    expect(e.format()).toBe(`x.sql:2:${8 + MAX_BRACKET_NESTING}: parentheses, subqueries, CASE or types nested too deeply: more than ${MAX_BRACKET_NESTING} levels (the limit)`);
    expect(parseScript(`SELECT ${'('.repeat(MAX_BRACKET_NESTING)}a${')'.repeat(MAX_BRACKET_NESTING)} FROM t;`).statements).toHaveLength(1);
  });

  it(`refuse a tree deeper than ${MAX_TREE_DEPTH} at the operand where it crosses the limit`, () => {
    const e = weirErrorOf(() => parseScript(`SELECT ${names(1500).join(' + ')} FROM t`));
    expect(e.code).toBe('PARSE');
    expect(e.message).toBe(`expression nested too deeply: more than ${MAX_TREE_DEPTH} levels (the limit)`);
    expect(e.span?.line).toBe(1);
  });
});
