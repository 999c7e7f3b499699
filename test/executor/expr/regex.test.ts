/**
 * Regular-expression kernels run in linear time (re2js): a pattern that makes a backtracking engine
 * explode returns at once; a computed pattern that needs backtracking fails naming the function; the
 * Java semantics the existing string tests pin still hold.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../../src/common/errors.js';
import type { BoundExpr } from '../../../src/planner/expr.js';
import { call, col, constant, evalCol, evalRows, lit, schemaOf, T } from './helpers.js';

const V = T.VARCHAR;
const s = (x: string | null): BoundExpr => lit(x, V);
const EVIL = `${'a'.repeat(34)}b`;

function timed<R>(f: () => R): { result: R; ms: number } {
  const t0 = performance.now();
  const result = f();
  return { result, ms: performance.now() - t0 };
}

describe('regular expressions in bounded time', () => {
  it("REGEXP_REPLACE(s, '(a+)+$', 'x') on 34 a's and a b returns at once, unchanged (no match)", () => {
    const { result, ms } = timed(() => evalCol(V, [EVIL, 'aaa', null], (x) => call('regexp_replace', V, x, s('(a+)+$'), s('x'))));
    expect(result).toEqual([EVIL, 'x', null]);
    expect(ms).toBeLessThan(1000);
  });

  it('REGEXP and REGEXP_EXTRACT with nested quantifiers on long hostile rows stay fast', () => {
    const long = `${'a'.repeat(50_000)}!`;
    const { result, ms } = timed(() => [
      ...evalCol(V, [long, EVIL], (x) => call('regexp', T.BOOLEAN, x, s('^(a|aa)+$'))),
      ...evalCol(V, [long, EVIL], (x) => call('regexp_extract', V, x, s('(a*)*b'))),
    ]);
    expect(result).toEqual([false, false, null, EVIL]);
    expect(ms).toBeLessThan(1000);
  });

  it("LIKE with many '%' on a long row cannot backtrack either", () => {
    const pattern = `${'%a'.repeat(12)}%b`;
    const { result, ms } = timed(() => evalCol(V, ['a'.repeat(20_000), `${'a'.repeat(20)}b`], (x) => call('like', T.BOOLEAN, x, s(pattern))));
    expect(result).toEqual([false, true]);
    expect(ms).toBeLessThan(1000);
  });

  it('a computed pattern that needs backtracking fails at run time naming the function; an invalid one is NULL', () => {
    const sc = schemaOf({ v: V, p: V });
    const e = call('regexp_extract', V, col(0, 'v', V), col(1, 'p', V));
    expect(evalRows(e, sc, [{ v: 'aa', p: '(a)' }, { v: 'aa', p: '(' }])).toEqual(['a', null]);
    let err: unknown;
    try { evalRows(e, sc, [{ v: 'aa', p: '(a)\\1' }]); } catch (x) { err = x; }
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('RUNTIME');
    expect((err as WeirError).message).toBe("REGEXP_EXTRACT: the pattern '(a)\\1' uses a backreference (\\1) at position 4, which Weir's "
      + 'linear-time regular expressions (RE2) cannot run; rewrite it without backreferences, lookahead, atomic groups or possessive quantifiers');
  });

  it('keeps Java semantics: find (not full match), empty matches, literal replacement, lookbehind, code points', () => {
    expect(constant(call('regexp_replace', V, s('abc'), s('x*'), s('-')))).toBe('-a-b-c-');
    expect(constant(call('regexp_replace', V, s('a.b.c'), s('\\.'), s('$0\\')))).toBe('a$0\\b$0\\c');
    expect(constant(call('regexp_extract', V, s('price: $42'), s('(?<=\\$)\\d+')))).toBe('42');
    expect(constant(call('regexp', T.BOOLEAN, s('x😀y'), s('^x.y$')))).toBe(true);
    expect(constant(call('regexp_extract', V, s('a'), s('(a)|(b)'), lit(2, T.INT)))).toBe(null);
    expect(constant(call('like', T.BOOLEAN, s('line1\nline2'), s('line1_line2')))).toBe(true);
    expect(constant(call('like', T.BOOLEAN, s('a.c'), s('a.c')))).toBe(true);
    expect(constant(call('like', T.BOOLEAN, s('abc'), s('a.c')))).toBe(false);
    expect(constant(call('like', T.BOOLEAN, s('(x)+'), s('(_)+%')))).toBe(true);
  });
  it('remembers results per input only while the pattern and the other argument stay the same', () => {
    const sc = schemaOf({ v: V, p: V, g: T.INT });
    const e = call('regexp_extract', V, col(0, 'v', V), col(1, 'p', V), col(2, 'g', T.INT));
    const rows = [
      { v: 'k=1;j=2', p: '(\\w)=(\\d)', g: 1 }, { v: 'k=1;j=2', p: '(\\w)=(\\d)', g: 1 },
      { v: 'k=1;j=2', p: '(\\w)=(\\d)', g: 2 }, { v: 'k=1;j=2', p: 'j=(\\d)', g: 1 }, { v: 'k=1;j=2', p: '(\\w)=(\\d)', g: 1 },
    ];
    expect(evalRows(e, sc, rows)).toEqual(['k', 'k', '1', '2', 'k']);
    const r = call('regexp_replace', V, col(0, 'v', V), lit('\\d', V), col(1, 'p', V));
    expect(evalRows(r, schemaOf({ v: V, p: V }), [{ v: 'a1', p: 'X' }, { v: 'a1', p: 'Y' }, { v: 'a1', p: 'X' }])).toEqual(['aX', 'aY', 'aX']);
  });
});
