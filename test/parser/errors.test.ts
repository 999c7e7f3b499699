/**
 * Syntax errors: the golden files in golden/errors (each NAME.sql must fail with exactly the
 * `FILE:LINE:COLUMN: message` lines of NAME.expected), and the error objects themselves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError, WeirErrors } from '../../src/common/errors.js';
import { parseExpression, parseScript, parseStatement } from '../../src/parser/parse.js';

const DIR = join(import.meta.dirname, 'golden', 'errors');
const cases = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();

function failure(run: () => unknown): WeirError {
  try {
    run();
  } catch (e) {
    if (e instanceof WeirError) return e;
    throw e;
  }
  throw new Error('expected a WeirError');
}

describe('golden syntax errors', () => {
  it('has the cases the parser promises', () => {
    for (const name of ['missing-paren', 'misspelled-keyword', 'missing-from-table', 'trailing-comma', 'unterminated-string', 'two-errors']) {
      expect(cases).toContain(`${name}.sql`);
    }
  });

  it.each(cases)('%s', (name) => {
    const text = readFileSync(join(DIR, name), 'utf8');
    const expected = readFileSync(join(DIR, name.replace(/\.sql$/, '.expected')), 'utf8').trimEnd();
    expect(failure(() => parseScript(text, name)).format()).toBe(expected);
  });
});

describe('error objects', () => {
  it('is one WeirError with code PARSE, a span and the file for one mistake', () => {
    const e = failure(() => parseScript('SELECT a FROM t WHERE (a', 'q.sql'));
    expect(e).not.toBeInstanceOf(WeirErrors);
    expect(e.code).toBe('PARSE');
    expect(e.file).toBe('q.sql');
    expect(e.span).toEqual({ line: 1, column: 25, offset: 24, length: 0 });
    expect(e.message).toBe("unexpected end of input: expected ')'");
  });

  it('collects one error per broken statement into WeirErrors', () => {
    const e = failure(() => parseScript('SELECT FROM t;\nSELECT 1;\nDROP x;\nSELECT 2', 'q.sql'));
    expect(e).toBeInstanceOf(WeirErrors);
    const all = (e as WeirErrors).errors;
    expect(all.map((x) => [x.span?.line, x.span?.column, x.message])).toEqual([
      [1, 8, "expected an expression but found 'FROM'"],
      [3, 6, "expected one of 'TABLE', 'VIEW' or 'FUNCTION' but found 'x'"],
    ]);
    expect(all.every((x) => x.file === 'q.sql' && x.code === 'PARSE')).toBe(true);
  });

  it('points at the offending token with its length', () => {
    const e = failure(() => parseStatement('SELECT a FROM t ORDER a'));
    expect(e.message).toBe("expected 'BY' but found 'a'");
    expect(e.span).toEqual({ line: 1, column: 23, offset: 22, length: 1 });
    expect(e.file).toBe('<sql>');
  });

  it('names strings as strings and reports an empty script', () => {
    expect(failure(() => parseStatement("SELECT a 'x' FROM t")).message).toBe("expected ';' but found the string 'x'");
    expect(failure(() => parseStatement('  -- nothing\n')).message).toBe('unexpected end of input: expected a statement');
    expect(failure(() => parseExpression('')).message).toBe('unexpected end of input: expected an expression');
  });

  it('reports unknown types and bad type parameters at the type name', () => {
    expect(failure(() => parseStatement('CREATE TABLE t (a INTT)')).format()).toBe("<sql>:1:19: unknown type 'INTT'");
    expect(failure(() => parseStatement('CREATE TABLE t (a DECIMAL(50, 2))')).message).toBe('DECIMAL precision must be between 1 and 38, not 50');
  });

  it('reports an unterminated comment and quoted identifier', () => {
    expect(failure(() => parseStatement('SELECT 1 /* open')).format()).toBe("<sql>:1:10: unterminated comment: expected '*/'");
    expect(failure(() => parseStatement('SELECT `open FROM t')).format()).toBe('<sql>:1:8: unterminated quoted identifier: expected a closing backtick');
  });
});
