import fc from 'fast-check';
import { fcParams } from '../../support/property.js';
import { describe, expect, it } from 'vitest';
import { call, col, constant, evalCol, evalRows, lit, schemaOf, T } from './helpers.js';
import type { BoundExpr } from '../../../src/planner/expr.js';

const V = T.VARCHAR;
const s = (x: string | null): BoundExpr => lit(x, V);
const i = (x: number | null): BoundExpr => lit(x, T.INT);
const str = (fn: Parameters<typeof call>[0], ...args: BoundExpr[]) => constant(call(fn, V, ...args));

describe('string functions', () => {
  it('CONCAT is NULL if any argument is; CONCAT_WS skips NULLs', () => {
    expect(str('concat', s('a'), s('b'), s('c'))).toBe('abc');
    expect(str('concat', s('a'), s(null))).toBe(null);
    expect(str('concat_ws', s('-'), s('a'), s(null), s('c'))).toBe('a-c');
    expect(str('concat_ws', s(null), s('a'))).toBe(null);
    const sc = schemaOf({ a: V, b: V });
    expect(evalRows(call('concat', V, col(0, 'a', V), col(1, 'b', V)), sc, [{ a: 'x', b: 'y' }, { a: null, b: 'y' }])).toEqual(['xy', null]);
  });
  it('changes case, trims, reverses', () => {
    expect(evalCol(V, ['aBc', null, 'ÄÖ'], (x) => call('upper', V, x))).toEqual(['ABC', null, 'ÄÖ']);
    expect(str('lower', s('AbC'))).toBe('abc');
    expect(str('initcap', s('hello wORLD-foo bar1x'))).toBe('Hello World-Foo Bar1x');
    expect(str('trim', s('BOTH'), s(' '), s('  a b  '))).toBe('a b');
    expect(str('trim', s('LEADING'), s('xy'), s('xyxaxy'))).toBe('axy');
    expect(str('trim', s('TRAILING'), s('xy'), s('xyxaxy'))).toBe('xyxa');
    expect(str('ltrim', s('  a '))).toBe('a ');
    expect(str('rtrim', s('  a '))).toBe('  a');
    expect(str('reverse', s('abc😀'))).toBe('😀cba');
  });
  it('SUBSTRING is 1-based; 0 and negative starts as Flink', () => {
    expect(str('substring', s('hello'), i(2), i(3))).toBe('ell');
    expect(str('substring', s('hello'), i(2))).toBe('ello');
    expect(str('substring', s('hello'), i(0), i(2))).toBe('he');
    expect(str('substring', s('hello'), i(-3))).toBe('llo');
    expect(str('substring', s('hello'), i(9))).toBe('');
    expect(str('substring', s('hello'), i(1), i(-1))).toBe(null);
  });
  it('CHAR_LENGTH counts code points, POSITION is 1-based and 0 when absent', () => {
    expect(constant(call('char_length', T.INT, s('a😀b')))).toBe(3);
    expect(constant(call('position', T.INT, s('lo'), s('hello')))).toBe(4);
    expect(constant(call('position', T.INT, s('z'), s('hello')))).toBe(0);
  });
  it('REPLACE, LPAD/RPAD (truncating), REPEAT', () => {
    expect(str('replace', s('a.b.c'), s('.'), s('$1'))).toBe('a$1b$1c');
    expect(str('lpad', s('hi'), i(5), s('xy'))).toBe('xyxhi');
    expect(str('rpad', s('hi'), i(5), s('xy'))).toBe('hixyx');
    expect(str('lpad', s('hello'), i(3), s('x'))).toBe('hel');
    expect(str('lpad', s('hi'), i(-1), s('x'))).toBe(null);
    expect(str('rpad', s('hi'), i(4), s(''))).toBe(null);
    expect(str('repeat', s('ab'), i(3))).toBe('ababab');
    expect(str('repeat', s('ab'), i(-1))).toBe('');
  });
  it('SPLIT_INDEX is 0-based and NULL out of range', () => {
    const e = (idx: number) => str('split_index', s('a,b,,c'), s(','), i(idx));
    expect([0, 1, 2, 3, 4, -1].map(e)).toEqual(['a', 'b', '', 'c', null, null]);
    expect(str('split_index', s('a::b'), s('::'), i(1))).toBe('b');
    expect(str('split_index', s(null), s(','), i(0))).toBe(null);
    // the same tokens as splitting the whole string, for any string, separator and index
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '/', ':', 'b') }), fc.constantFrom('/', '::', 'a/'), fc.integer({ min: -1, max: 6 }), (text, sep, idx) => {
      const parts = text.split(sep);
      const expected = idx < 0 || text === '' || idx >= parts.length ? null : parts[idx];
      expect(str('split_index', s(text), s(sep), i(idx))).toBe(expected);
    }), fcParams());
  });
});

describe('LIKE', () => {
  const like = (v: string, p: string, esc?: string) =>
    constant(call('like', T.BOOLEAN, s(v), s(p), ...(esc === undefined ? [] : [s(esc)])));
  it.each([
    ['abc', 'abc', true], ['abc', 'ab', false], ['abc', 'a%', true], ['abc', '%c', true], ['abc', '%b%', true],
    ['abc', '%d%', false], ['abc', 'a_c', true], ['abc', '_', false], ['', '%', true], ['', '_', false],
    ['a\nb', 'a_b', true], ['a\nb', 'a%', true], ['a.c', 'a.c', true], ['abc', 'a.c', false], ['a*c', 'a*c', true],
    ['abc', '%%', true], ['ab', 'a%b%', true], ['axbyc', 'a%b%c', true], ['(x)', '(%)', true], ['a\\b', 'a\\b', true],
  ] as const)('%j LIKE %j is %s', (v, p, want) => {
    expect(like(v, p)).toBe(want);
  });
  it('ESCAPE makes %, _ and itself literal', () => {
    expect(like('10%', '10!%', '!')).toBe(true);
    expect(like('100', '10!%', '!')).toBe(false);
    expect(like('a_b', 'a!_b', '!')).toBe(true);
    expect(like('axb', 'a!_b', '!')).toBe(false);
    expect(like('a!b', 'a!!b', '!')).toBe(true);
    expect(like('50% off', '%!%%', '!')).toBe(true);
  });
  it('a bad escape sequence is an error', () => {
    expect(() => like('ab', 'a!b', '!')).toThrow(/invalid escape sequence/);
    expect(() => like('ab', 'a!', '!')).toThrow(/invalid escape sequence/);
    expect(() => like('ab', 'a', '!!')).toThrow(/escape character/);
  });
  it('runs over a column, with NULLs, and with a pattern column', () => {
    expect(evalCol(V, ['apple', 'banana', null], (x) => call('like', T.BOOLEAN, x, s('%an%')))).toEqual([false, true, null]);
    const sc = schemaOf({ v: V, p: V });
    expect(evalRows(call('like', T.BOOLEAN, col(0, 'v', V), col(1, 'p', V)), sc,
      [{ v: 'abc', p: 'a%' }, { v: 'abc', p: 'b%' }, { v: 'abc', p: null }])).toEqual([true, false, null]);
  });
});

describe('regular expressions', () => {
  it('REGEXP_EXTRACT returns the whole match by default, a group by index, NULL otherwise', () => {
    expect(str('regexp_extract', s('foothebar'), s('foo(.*?)(bar)'))).toBe('foothebar');
    expect(str('regexp_extract', s('foothebar'), s('foo(.*?)(bar)'), i(1))).toBe('the');
    expect(str('regexp_extract', s('foothebar'), s('foo(.*?)(bar)'), i(2))).toBe('bar');
    expect(str('regexp_extract', s('foothebar'), s('foo(.*?)(bar)'), i(3))).toBe(null);
    expect(str('regexp_extract', s('xyz'), s('a(b)'), i(1))).toBe(null);
    expect(str('regexp_extract', s('x'), s('(unclosed'), i(0))).toBe(null);
    expect(str('regexp_extract', s('ab12cd'), s('\\d+'))).toBe('12'); // find, not a full match
    expect(str('regexp_extract', s('ABC'), s('(?i)b'))).toBe('B');
    expect(evalCol(V, ['k=1', 'k=22', null, 'none'], (x) => call('regexp_extract', V, x, s('k=(\\d+)'), i(1))))
      .toEqual(['1', '22', null, null]);
  });
  it('REGEXP finds; REGEXP_REPLACE replaces every match with literal text', () => {
    expect(constant(call('regexp', T.BOOLEAN, s('abc123'), s('\\d')))).toBe(true);
    expect(constant(call('regexp', T.BOOLEAN, s('abc'), s('')))).toBe(false);
    expect(constant(call('regexp', T.BOOLEAN, s('abc'), s('(')))).toBe(false);
    expect(str('regexp_replace', s('a1b22c'), s('\\d+'), s('#'))).toBe('a#b#c');
    expect(str('regexp_replace', s('ab'), s('(a)'), s('$1$1'))).toBe('$1$1b');
    expect(str('regexp_replace', s('ab'), s('('), s('x'))).toBe(null);
  });
});
