import { describe, expect, it } from 'vitest';
import type { Expr, SelectQuery } from '../../src/parser/ast.js';
import { parseStatement } from '../../src/parser/parse.js';

const name = (e: Expr): string => (e.kind === 'column' ? e.path.map((p) => p.value).join('.') : e.kind);
function sets(sql: string): string[][] | undefined {
  const st = parseStatement(sql) as unknown as { query: SelectQuery };
  return st.query.groupingSets?.sets.map((s) => s.map(name));
}

describe('GROUP BY grouping sets', () => {
  it('parses GROUPING SETS with (), (a, b) and single expressions', () => {
    expect(sets('SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), (), c)')).toEqual([['a', 'b'], ['a'], [], ['c']]);
  });
  it('expands ROLLUP and CUBE', () => {
    expect(sets('SELECT a FROM t GROUP BY ROLLUP (a, b)')).toEqual([['a', 'b'], ['a'], []]);
    expect(sets('SELECT a FROM t GROUP BY cube (a, b)')).toEqual([['a', 'b'], ['b'], ['a'], []]);
    expect(sets('SELECT a FROM t GROUP BY ROLLUP (a, (b, c))')).toEqual([['a', 'b', 'c'], ['a'], []]);
  });
  it('crosses plain columns and several elements', () => {
    expect(sets('SELECT a FROM t GROUP BY w, ROLLUP (a, b)')).toEqual([['w', 'a', 'b'], ['w', 'a'], ['w']]);
    expect(sets('SELECT a FROM t GROUP BY GROUPING SETS ((a), ()), GROUPING SETS ((b), ())')).toEqual([['a', 'b'], ['a'], ['b'], []]);
  });
  it('leaves a plain GROUP BY (and parenthesized expressions) alone', () => {
    expect(sets('SELECT a FROM t GROUP BY (a + 1), b')).toBeUndefined();
    expect(sets('SELECT rollup FROM t GROUP BY rollup, cube')).toBeUndefined();
  });
});
