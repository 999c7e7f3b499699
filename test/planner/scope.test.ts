/** Name resolution over several relations (what joins will give the binder): qualifiers and ambiguity. */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { T } from '../../src/common/types.js';
import type { Ident } from '../../src/parser/ast.js';
import { Scope } from '../../src/planner/binder/scope.js';

const id = (value: string, column = 1, quoted = false): Ident => ({ value, quoted, span: { line: 1, column, offset: column - 1, length: value.length } });
const scope = new Scope([
  { name: 'l', columns: [{ name: 'a', type: T.INT, nullable: true }, { name: 'x', type: T.row([{ name: 'f', type: T.DOUBLE }]), nullable: true }], offset: 0 },
  { name: 'r', columns: [{ name: 'a', type: T.BIGINT, nullable: true }, { name: 'B', type: T.VARCHAR, nullable: true }], offset: 2 },
]);
const fail = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof WeirError) return `${e.code} ${e.span?.column}: ${e.message}`;
  }
  return 'no error';
};

describe('Scope', () => {
  it('resolves qualified and unqualified columns across relations', () => {
    expect(scope.resolve([id('r'), id('a', 3)])).toMatchObject({ kind: 'column', index: 2, type: T.BIGINT });
    expect(scope.resolve([id('L'), id('A', 3)])).toMatchObject({ kind: 'column', index: 0 });
    expect(scope.resolve([id('b')])).toMatchObject({ kind: 'column', index: 3 });
    expect(scope.resolve([id('l'), id('x', 3), id('f', 5)])).toMatchObject({ kind: 'field', name: 'f', operand: { index: 1 } });
  });

  it('reports an ambiguous column with the tables that have it', () => {
    expect(fail(() => scope.resolve([id('a', 8)]))).toBe("BIND 8: column 'a' is ambiguous: it is in l, r");
  });

  it('matches quoted names exactly first, then case-insensitively when unique', () => {
    expect(scope.resolve([id('B', 1, true)])).toMatchObject({ index: 3 });
    expect(scope.resolve([id('b', 1, true)])).toMatchObject({ index: 3 });
  });

  it('expands t.* to the columns of one relation, and refuses an unknown qualifier', () => {
    expect(scope.expandStar([id('r')], id('r').span)).toEqual([2, 3]);
    expect(scope.expandStar(undefined, id('r').span)).toEqual([0, 1, 2, 3]);
    expect(fail(() => scope.expandStar([id('q', 8)], id('q').span))).toBe("BIND 8: table 'q' not found in FROM; did you mean 'l'?");
  });
});
