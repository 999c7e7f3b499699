import { describe, expect, it } from 'vitest';
import { bin, col, noSpans, num, query } from './helpers.js';

const q = (sql: string) => noSpans(query(sql)) as Record<string, unknown>;
const table = (name: string, alias?: string) => ({
  kind: 'table', name: [{ value: name, quoted: false }], alias: alias ? { value: alias, quoted: false } : undefined, forSystemTime: undefined,
});

describe('SELECT', () => {
  it('reads items, aliases with and without AS, stars and qualified stars', () => {
    expect(q('SELECT DISTINCT *, t.*, a.b.*, x AS y, z w, 0.908 * price as price FROM t')).toMatchObject({
      kind: 'select',
      distinct: true,
      items: [
        { kind: 'star', qualifier: undefined },
        { kind: 'star', qualifier: [{ value: 't' }] },
        { kind: 'star', qualifier: [{ value: 'a' }, { value: 'b' }] },
        { kind: 'expr', expr: col('x'), alias: { value: 'y' } },
        { kind: 'expr', expr: col('z'), alias: { value: 'w' } },
        { kind: 'expr', expr: bin('*', num('0.908'), col('price')), alias: { value: 'price' } },
      ],
    });
  });

  it('reads WHERE, GROUP BY and HAVING', () => {
    expect(q('SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a, c HAVING count(*) > 2')).toMatchObject({
      where: bin('>', col('b'), num('1')),
      groupBy: [col('a'), col('c')],
      having: { kind: 'binary', op: '>' },
    });
  });

  it('reads a SELECT without FROM', () => {
    expect(q('SELECT 1')).toMatchObject({ kind: 'select', from: undefined, items: [{ expr: num('1') }] });
  });

  it('reads ORDER BY, LIMIT and OFFSET', () => {
    expect(q('SELECT a FROM t ORDER BY a DESC, b ASC NULLS FIRST, c LIMIT 10 OFFSET 5')).toMatchObject({
      orderBy: [
        { expr: col('a'), descending: true, nullsFirst: undefined },
        { expr: col('b'), descending: false, nullsFirst: true },
        { expr: col('c'), descending: false, nullsFirst: undefined },
      ],
      limit: num('10'),
      offset: num('5'),
    });
  });

  it('attaches WITH to the query', () => {
    expect(q('WITH a AS (SELECT 1), b (x) AS (SELECT 2) SELECT * FROM a')).toMatchObject({
      kind: 'select',
      with: [{ name: { value: 'a' }, columns: [], query: { kind: 'select' } }, { name: { value: 'b' }, columns: [{ value: 'x' }] }],
    });
  });
});

describe('set operations', () => {
  it('folds UNION/EXCEPT left to right with their own ALL, and binds INTERSECT tighter', () => {
    expect(q('SELECT 1 UNION ALL SELECT 2 UNION SELECT 3')).toMatchObject({
      kind: 'setOperation', op: 'UNION', all: false,
      left: { kind: 'setOperation', op: 'UNION', all: true },
      right: { kind: 'select' },
    });
    expect(q('SELECT 1 EXCEPT SELECT 2 INTERSECT ALL SELECT 3')).toMatchObject({
      kind: 'setOperation', op: 'EXCEPT', all: false,
      left: { kind: 'select' },
      right: { kind: 'setOperation', op: 'INTERSECT', all: true },
    });
  });

  it('puts ORDER BY and LIMIT on the whole set operation', () => {
    expect(q('(SELECT a FROM t) UNION (SELECT a FROM u) ORDER BY a LIMIT 3')).toMatchObject({
      kind: 'setOperation', orderBy: [{ expr: col('a') }], limit: num('3'), left: { orderBy: [] },
    });
  });
});

describe('FROM', () => {
  it('reads comma joins as CROSS joins, left to right', () => {
    expect(q('SELECT * FROM a, b B, c AS C').from).toEqual({
      kind: 'join', joinType: 'CROSS', on: undefined, using: [],
      left: { kind: 'join', joinType: 'CROSS', on: undefined, using: [], left: table('a'), right: table('b', 'B') },
      right: table('c', 'C'),
    });
  });

  it('reads every join type with ON or USING', () => {
    const from = q(`SELECT * FROM a JOIN b ON a.x = b.x INNER JOIN c USING (x, y) LEFT JOIN d ON TRUE
      LEFT OUTER JOIN e ON TRUE RIGHT OUTER JOIN f ON TRUE FULL JOIN g ON TRUE CROSS JOIN h`).from as Record<string, unknown>;
    const kinds: string[] = [];
    let cur = from;
    while (cur.kind === 'join') {
      kinds.unshift(cur.joinType as string);
      cur = cur.left as Record<string, unknown>;
    }
    expect(kinds).toEqual(['INNER', 'INNER', 'LEFT', 'LEFT', 'RIGHT', 'FULL', 'CROSS']);
    expect(JSON.stringify(from)).toContain('"using":[{"value":"x","quoted":false},{"value":"y","quoted":false}]');
  });

  it('reads subqueries with aliases and column aliases', () => {
    expect(q('SELECT * FROM (SELECT 1) AS s (a)').from).toMatchObject({
      kind: 'subquery', query: { kind: 'select' }, alias: { value: 's' }, columnAliases: [{ value: 'a' }],
    });
    expect(q('SELECT * FROM (SELECT 1)').from).toMatchObject({ kind: 'subquery', alias: undefined, columnAliases: [] });
  });

  it('reads FOR SYSTEM_TIME AS OF with an alias', () => {
    expect(q('SELECT * FROM b JOIN side_input FOR SYSTEM_TIME AS OF b.p_time AS S ON b.k = S.key').from).toMatchObject({
      right: { kind: 'table', forSystemTime: col('b', 'p_time'), alias: { value: 'S' } },
    });
  });

  it('reads window table functions with positional and named arguments', () => {
    expect(q("SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) AS w").from).toEqual({
      kind: 'tableFunction',
      name: { value: 'TUMBLE', quoted: false },
      alias: { value: 'w', quoted: false },
      args: [
        { kind: 'tableArg', name: undefined, table: [{ value: 'bid', quoted: false }], query: undefined, partitionBy: [] },
        { kind: 'descriptorArg', name: undefined, columns: [{ value: 'dateTime', quoted: true }] },
        { kind: 'exprArg', name: undefined, expr: { kind: 'interval', value: '10', unit: 'SECOND', toUnit: undefined } },
      ],
    });
    expect(q("SELECT * FROM TABLE(HOP(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '2' SECOND, SIZE => INTERVAL '10' SECOND, OFFSET => INTERVAL '1' SECOND))").from).toMatchObject({
      args: [
        { kind: 'tableArg', name: { value: 'DATA' } },
        { kind: 'descriptorArg', name: { value: 'TIMECOL' } },
        { kind: 'exprArg', name: { value: 'SLIDE' } },
        { kind: 'exprArg', name: { value: 'SIZE' } },
        { kind: 'exprArg', name: { value: 'OFFSET' } },
      ],
    });
  });

  it('reads SESSION with PARTITION BY and a subquery as the table argument', () => {
    expect(q("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY (bidder, auction), DESCRIPTOR(ts), INTERVAL '5' MINUTES))").from).toMatchObject({
      name: { value: 'SESSION' },
      args: [{ kind: 'tableArg', partitionBy: [col('bidder'), col('auction')] }, { kind: 'descriptorArg' }, { kind: 'exprArg', expr: { unit: 'MINUTE' } }],
    });
    expect(q("SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '5' SECOND))").from).toMatchObject({
      args: [{ kind: 'tableArg', partitionBy: [col('bidder')] }, { kind: 'descriptorArg' }, { kind: 'exprArg' }],
    });
    expect(q("SELECT * FROM TABLE(TUMBLE((SELECT * FROM t), DESCRIPTOR(ts), INTERVAL '1' HOUR))").from).toMatchObject({
      args: [{ kind: 'tableArg', table: undefined, query: { kind: 'select' } }, {}, {}],
    });
  });

  it('reads group windows as calls', () => {
    expect(q("SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) FROM t GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)")).toMatchObject({
      groupBy: [{ kind: 'call', name: { value: 'TUMBLE' }, args: [col('ts'), { kind: 'interval' }] }],
    });
  });
});

describe('query spans', () => {
  it('covers the select and each item', () => {
    const sel = query('SELECT  a AS b\nFROM t');
    if (sel.kind !== 'select') throw new Error('expected a select');
    expect(sel.span).toEqual({ line: 1, column: 1, offset: 0, length: 21 });
    expect(sel.items[0]!.span).toEqual({ line: 1, column: 9, offset: 8, length: 6 });
    expect(sel.from!.span).toEqual({ line: 2, column: 6, offset: 20, length: 1 });
  });
});
