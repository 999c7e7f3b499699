/**
 * Collection syntax (issue 11 item 6): ARRAY[...] and MAP[...] constructors, `x[i]` subscripts
 * mixed with `.field`, ARRAY<T> / MAP<K, V> / MULTISET<T> and the suffix forms `INT ARRAY`, and
 * UNNEST(...) [WITH ORDINALITY] in FROM; mistakes are positioned errors naming what was expected.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { typeToString } from '../../src/common/types.js';
import type { CallExpr, CreateTableStmt, Expr, JoinRef, QueryStmt, SelectQuery } from '../../src/parser/ast.js';
import { parseExpression, parseScript, parseStatement } from '../../src/parser/parse.js';

function failure(sql: string): WeirError {
  try {
    parseScript(sql, 'q.sql');
  } catch (e) {
    if (e instanceof WeirError) return e;
    throw e;
  }
  throw new Error(`expected a WeirError for ${sql}`);
}

/** An expression as nested calls, for short assertions: ITEM(ARRAY(1, 2), 1). */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'call': return `${(e as CallExpr).name.value}(${e.args.map(shape).join(', ')})`;
    case 'column': return e.path.map((p) => p.value).join('.');
    case 'literal': return String(e.value);
    case 'fieldAccess': return `${shape(e.operand)}.${e.field.value}`;
    default: return e.kind;
  }
}

describe('collection expressions', () => {
  it.each([
    ['ARRAY[1, 2]', 'ARRAY(1, 2)'],
    ['array [a, b + 1]', 'ARRAY(a, binary)'],
    ["MAP['a', 1, 'b', 2]", 'MAP(a, 1, b, 2)'],
    ['tags[1]', 'ITEM(tags, 1)'],
    ["m['k']", 'ITEM(m, k)'],
    ['ARRAY[ARRAY[1], ARRAY[2, 3]][2][1]', 'ITEM(ITEM(ARRAY(ARRAY(1), ARRAY(2, 3)), 2), 1)'],
    ['t.orders[1].price', 'ITEM(t.orders, 1).price'],
    ['(r).items[2]', 'ITEM(r.items, 2)'],
    ['CARDINALITY(tags)', 'CARDINALITY(tags)'],
  ])('%s', (sql, want) => {
    expect(shape(parseExpression(sql))).toBe(want);
  });

  it('spans a subscript from its operand to its closing bracket', () => {
    const e = parseExpression('x + tags[10]') as Extract<Expr, { kind: 'binary' }>;
    expect(e.right.span).toMatchObject({ column: 5, length: 8 });
  });

  it('leaves columns named array, map and unnest alone', () => {
    expect(() => parseScript('SELECT array, map, unnest FROM t;', 'q.sql')).not.toThrow();
  });

  it('reports an unclosed bracket where it expected the bracket', () => {
    const e = failure('SELECT tags[1 FROM t;');
    expect(e.code).toBe('PARSE');
    expect(e.format()).toMatch(/^q\.sql:1:15: expected '\]'/);
  });
});

describe('collection types', () => {
  it.each([
    ['ARRAY<INT>', 'ARRAY<INT>'],
    ['MAP<STRING, ARRAY<BIGINT>>', 'MAP<VARCHAR, ARRAY<BIGINT>>'],
    ['MULTISET<STRING>', 'MULTISET<VARCHAR>'],
    ['INT ARRAY', 'ARRAY<INT>'],
    ['STRING ARRAY MULTISET', 'MULTISET<ARRAY<VARCHAR>>'],
    ['ARRAY<ROW<a INT, b STRING>>', 'ARRAY<ROW<a INT, b VARCHAR>>'],
    ['ARRAY<ARRAY<INT>>', 'ARRAY<ARRAY<INT>>'],
  ])('%s', (sql, want) => {
    const stmt = parseStatement(`CREATE TABLE t (c ${sql}) WITH ('connector' = 'memory')`) as CreateTableStmt;
    const col = stmt.elements[0]!;
    expect(col.kind === 'physicalColumn' && typeToString(col.type)).toBe(want);
  });

  it.each([
    ["CREATE TABLE t (c MAP<INT>) WITH ('connector' = 'memory');", 'q.sql:1:19: MAP takes a key and a value type: MAP<K, V>'],
    ["CREATE TABLE t (c ARRAY) WITH ('connector' = 'memory');", 'q.sql:1:19: ARRAY takes one element type: ARRAY<T>'],
    ["CREATE TABLE t (c ARRAY<INT, INT>) WITH ('connector' = 'memory');", 'q.sql:1:19: ARRAY takes one element type: ARRAY<T>'],
  ])('%s', (sql, expected) => {
    expect(failure(sql).format()).toBe(expected);
  });
});

describe('UNNEST in FROM', () => {
  const join = (sql: string): JoinRef => ((parseStatement(sql) as QueryStmt).query as SelectQuery).from as JoinRef;

  it('CROSS JOIN UNNEST(...) WITH ORDINALITY AS u (x, n)', () => {
    const j = join('SELECT x FROM t CROSS JOIN UNNEST(t.tags) WITH ORDINALITY AS u (x, n)');
    expect(j.joinType).toBe('CROSS');
    expect(j.right).toMatchObject({ kind: 'unnest', withOrdinality: true, alias: { value: 'u' } });
    expect(j.right.kind === 'unnest' && j.right.columnAliases.map((c) => c.value)).toEqual(['x', 'n']);
  });

  it('the comma form and LEFT JOIN … ON TRUE', () => {
    expect(join('SELECT x FROM t, UNNEST(tags) u(x)').right).toMatchObject({ kind: 'unnest', withOrdinality: false });
    const j = join('SELECT x FROM t LEFT JOIN UNNEST(tags) AS u (x) ON TRUE');
    expect(j.joinType).toBe('LEFT');
    expect(j.on).toMatchObject({ kind: 'literal', value: true });
  });
});

describe('nesting', () => {
  it('brackets count toward the nesting limit: ARRAY[ARRAY[…]] too deep is a positioned error, not a stack overflow', () => {
    const depth = 101;
    const sql = `SELECT ${'ARRAY['.repeat(depth)}1${']'.repeat(depth)} FROM t;`;
    const e = failure(sql);
    expect(e.code).toBe('PARSE');
    expect(e.message).toMatch(/nested too deeply: more than 100 levels/);
    expect(() => parseScript(`SELECT ${'ARRAY['.repeat(100)}1${']'.repeat(100)} FROM t;`, 'q.sql')).not.toThrow();
  });
});
