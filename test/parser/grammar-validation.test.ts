/**
 * The CLI builds the parser with chevrotain's grammar validations off (they cost about a second at
 * every start); this test builds it with them on, so an ambiguous or left-recursive rule still fails.
 */
import { describe, expect, it } from 'vitest';

describe('grammar', () => {
  it('passes chevrotain self-analysis validations', async () => {
    process.env.WEIR_VALIDATE_GRAMMAR = '1';
    const { SqlParser } = await import('../../src/parser/grammar.js');
    expect(() => new SqlParser()).not.toThrow();
  });
});
