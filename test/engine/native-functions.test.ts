/** The Nexmark Java UDFs Weir implements natively: CountChar as nexmark-flink's CountChar.java counts. */
import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { NATIVE_JAVA_FUNCTIONS } from '../../src/engine/native-functions.js';

const countChar = NATIVE_JAVA_FUNCTIONS.get('com.github.nexmark.flink.udf.CountChar')!;

describe('com.github.nexmark.flink.udf.CountChar', () => {
  it('is declared as (STRING, STRING) -> BIGINT, as the Java eval(StringData, StringData): long', () => {
    expect(countChar.returns).toEqual(T.BIGINT);
    expect(countChar.params).toEqual([T.VARCHAR, T.VARCHAR]);
  });

  it('counts the occurrences of an ASCII character', () => {
    expect(countChar.fn('abcabcc', 'c')).toBe(3);
    expect(countChar.fn('xyz', 'c')).toBe(0);
    expect(countChar.fn('', 'c')).toBe(0);
    expect(countChar.fn('CcC', 'c')).toBe(1); // case-sensitive byte comparison
  });

  it('looks at the first character only, as the Java code takes the first byte', () => {
    expect(countChar.fn('abcabc', 'cab')).toBe(2);
  });

  it('counts 0 for a NULL string (Java returns its long 0, never NULL)', () => {
    expect(countChar.fn(null, 'c')).toBe(0);
  });

  it('counts UTF-8 bytes: a non-ASCII character counts its lead byte', () => {
    expect(countChar.fn('héllo é', 'é')).toBe(2);
    // 'é' (C3 A9) and 'à' (C3 A0) share the lead byte C3, so the Java code counts both
    expect(countChar.fn('éà', 'é')).toBe(2);
    // an ASCII character never matches inside a multi-byte sequence
    expect(countChar.fn('日本c', 'c')).toBe(1);
  });

  it('fails, as the Java code throws, for a NULL or empty character', () => {
    expect(() => countChar.fn('abc', null)).toThrow('the character to count is NULL');
    expect(() => countChar.fn('abc', '')).toThrow('the character to count is an empty string');
  });
});
