/**
 * Java patterns on the linear-time engine: translated where RE2 spells Java differently, refused
 * (with the construct and its position) where no linear-time engine can run them, and 'invalid'
 * (Flink's NULL) where they are not regular expressions at all.
 */
import { describe, expect, it } from 'vitest';
import { compileJavaRegex, translateJavaRegex, type JavaRegex } from '../../src/common/java-regex.js';

function compiled(p: string): Extract<JavaRegex, { kind: 'compiled' }>['re'] {
  const r = compileJavaRegex(p);
  if (r.kind !== 'compiled') throw new Error(`${p}: ${JSON.stringify(r)}`);
  return r.re;
}

describe('compileJavaRegex', () => {
  it('runs the catastrophic-backtracking pattern in linear time', () => {
    const re = compiled('(a+)+$');
    const s = `${'a'.repeat(34)}b`;
    const t0 = performance.now();
    expect(re.test(s)).toBe(false);
    expect(re.test('a'.repeat(100_000) + 'b')).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('translates Java spellings: \\uXXXX, POSIX \\p{Alpha}, \\p{IsLatin}, \\e, \\cA, \\Z', () => {
    expect(translateJavaRegex('\\u0041\\p{Alpha}[\\p{Digit}x]\\P{Upper}')).toBe('\\x{0041}[[:alpha:]][[:digit:]x][[:^upper:]]');
    expect(compiled('^\\u0041\\p{Alpha}+$').test('ABc')).toBe(true);
    expect(compiled('^[\\p{Digit}x]+$').test('1x2')).toBe(true);
    expect(compiled('\\p{IsLatin}').test('é')).toBe(true);
    expect(compiled('\\p{javaUpperCase}').test('aBc')).toBe(true);
    expect(compiled('\\e').test('\u001b')).toBe(true);
    expect(compiled('\\cA').test('\u0001')).toBe(true);
    expect(compiled('x\\Z').test('ax')).toBe(true);
    // \Q...\E stays literal text, its contents untouched
    expect(compiled('\\Q(a)\\1\\E').test('x(a)\\1y')).toBe(true);
  });

  it('keeps what Java and RE2 share: inline flags, named groups, lookbehind', () => {
    expect(compiled('(?i)abc').test('xABCx')).toBe(true);
    expect(compiled('(?<year>\\d{4})-(\\d{2})').exec('on 2026-12')?.[2]).toBe('12');
    expect(compiled('(?<=\\$)\\d+').exec('cost $42')?.[0]).toBe('42');
    expect(compiled('(?<!\\$)\\b\\d+').exec('$42 or 7')?.[0]).toBe('7');
  });

  it('refuses what a linear-time engine cannot run, naming the construct and its position', () => {
    const cases: [string, string, number][] = [
      ['(a)\\1', 'a backreference (\\1)', 3],
      ['(?<x>a)\\k<x>', 'a backreference (\\k<x>)', 7],
      ['foo(?=bar)', 'a lookahead ((?=...)', 3],
      ['foo(?!bar)', 'a lookahead ((?!...)', 3],
      ['(?>a|ab)c', 'an atomic group ((?>...))', 0],
      ['a++b', 'a possessive quantifier (++)', 1],
      ['x{2,3}+', 'a possessive quantifier ({2,3}+)', 1],
      ['[a-z&&[^aeiou]]', 'a character class intersection (&&)', 4],
      ['[a[bc]]', 'a nested character class', 2],
      ['\\p{InGreek}', 'a Unicode block (\\p{InGreek})', 0],
      ['(?x) a b', 'the inline flag (?x) (only i, m and s are supported)', 0],
      ['(?<=(a))b', 'a capturing group inside a lookbehind', 0],
    ];
    for (const [p, construct, offset] of cases) expect(compileJavaRegex(p), p).toEqual({ kind: 'unsupported', construct, offset });
  });

  it('does not mistake escaped or quoted text for those constructs', () => {
    expect(compiled('\\(?=').test('=')).toBe(true); // an optional literal '(' then '='
    expect(compiled('\\\\1').test('\\1')).toBe(true); // a backslash then '1'
    expect(compiled('[(?=]').test('?')).toBe(true);
    expect(compiled('\\++').test('++')).toBe(true);
    expect(compiled('a&&b').test('a&&b')).toBe(true);
  });

  it('says invalid (Flink gives NULL) for what is not a regular expression', () => {
    expect(compileJavaRegex('(unclosed').kind).toBe('invalid');
    expect(compileJavaRegex('[a').kind).toBe('invalid');
    expect(compileJavaRegex('*a').kind).toBe('invalid');
  });
});
