/** Binding joins: scopes, qualified and ambiguous names, USING, pushdown into join sides, and errors. */
import { describe, expect, it } from 'vitest';
import { catalogOf, errorOf, logical, optimized, run, streaming } from './helpers.js';

const DDL = `CREATE TABLE t (a INT, b BIGINT, s VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE u (a INT, c VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE w (a INT, d DOUBLE) WITH ('connector' = 'memory');`;
const cat = () => catalogOf(DDL);

describe('join scopes', () => {
  it('puts the right input\'s columns after the left\'s', () => {
    expect(logical('SELECT t.a, u.a, c, s FROM t JOIN u ON t.a = u.a', cat()).split('\n').slice(0, 2)).toEqual([
      'Project(a#0, a0=a#4, c#5, s#2)',
      '  Join(inner, on=eq(a#0, a#4))',
    ]);
  });

  it('resolves aliases and nests three-way joins', () => {
    const text = logical('SELECT x.b, y.c, z.d FROM t AS x LEFT JOIN u AS y ON x.a = y.a RIGHT JOIN w AS z ON z.a = y.a', cat());
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Project(b#1, c#5, d#8)',
      '  Join(right, on=eq(a#7, a#4))',
      '    Join(left, on=eq(a#0, a#4))',
    ]);
  });

  it('makes the padded side nullable', () => {
    const { plans } = run('SELECT t.b, w.d FROM t LEFT JOIN w ON t.a = w.a', cat());
    const top = plans[0]!;
    const join = top.kind === 'project' ? top.input : top;
    expect(join.kind).toBe('join');
    expect(join.schema.columns.map((c) => c.nullable)).toEqual([true, true, true, true, true, true]);
  });

  it('USING merges the key: first in *, once; each copy stays reachable by its table', () => {
    expect(logical('SELECT * FROM t JOIN w USING (a)', cat()).split('\n')[0]).toBe('Project(a#6, b#1, s#2, ts#3, d#5)');
    expect(logical('SELECT a, t.a, w.a FROM t FULL JOIN w USING (a)', cat()).split('\n').slice(0, 2)).toEqual([
      'Project(a#6, a0=a#0, a1=a#4)',
      '  Project(a#0, b#1, s#2, ts#3, a#4, d#5, a=coalesce(a#0, a#4))',
    ]);
  });

  it('comma joins are inner joins: the WHERE equality becomes the join condition, one-side conjuncts go below', () => {
    expect(optimized("SELECT t.s, u.c FROM t, u WHERE t.a = u.a AND u.c = 'x' AND t.b > 2", cat()).split('\n')).toEqual([
      'Project(s#2, c#5)',
      '  Join(inner, on=eq(a#0, a#4))',
      '    Filter(gt(b#1, 2))',
      "      WatermarkAssigner(t, rowtime=ts#3, watermark=subtract(ts#3, INTERVAL '5000' MILLISECOND))",
      '        Scan(t, columns=[a, b, s, ts])',
      "    Filter(eq(c#1, 'x'))",
      "      WatermarkAssigner(u, rowtime=ts#2, watermark=subtract(ts#2, INTERVAL '5000' MILLISECOND))",
      '        Scan(u, columns=[a, c, ts])',
    ]);
  });

  it('prunes each side to the columns the query and the condition read', () => {
    expect(optimized('SELECT w.d FROM w JOIN w AS v ON w.a = v.a', cat()).split('\n')).toEqual([
      'Project(d#1)',
      '  Join(inner, on=eq(a#0, a#2))',
      '    Scan(w, columns=[a, d])',
      '    Scan(w, columns=[a])',
    ]);
  });

  it('keeps WHERE conjuncts over the padded side above an outer join, and ON conjuncts over the preserved side in the condition', () => {
    const text = optimized("SELECT t.s, u.c FROM t LEFT JOIN u ON t.a = u.a AND t.b > 1 AND u.c = 'on' WHERE u.c IS NULL AND t.s = 'x'", cat());
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Project(s#2, c#5)',
      '  Filter(is_null(c#5))',
      '    Join(left, on=and(eq(a#0, a#4), gt(b#1, 1)))',
    ]);
    expect(text).toContain("Filter(eq(c#1, 'on'))");
    expect(text).toContain("Filter(eq(s#2, 'x'))");
  });

  it('plans equi keys, residual, and the time bounds of an interval join', () => {
    const p = streaming("SELECT t.s, u.c FROM t JOIN u ON t.a = u.a AND t.b > 1 + u.a AND u.ts BETWEEN t.ts AND t.ts + INTERVAL '1' MINUTE", cat());
    const join = p.root.kind === 'project' ? p.root.input : p.root;
    expect(join.kind).toBe('join');
    if (join.kind !== 'join') return;
    expect(join.strategy).toBe('interval');
    expect(join.leftKeys.map((k) => (k.kind === 'column' ? k.name : '?'))).toEqual(['a']);
    expect(join.leftBound?.expiry).toHaveLength(1);
    expect(join.rightBound?.lateness).toEqual([{ column: 2, chained: false }]);
    expect(join.appendOnly).toBe(true);
    expect(p.mode).toBe('append');
  });

  it('a regular outer join runs in update mode, refuses append', () => {
    expect(streaming('SELECT t.s, w.d FROM t LEFT JOIN w ON t.a = w.a', cat()).mode).toBe('update');
    expect(errorOf(() => streaming('SELECT t.s, w.d FROM t FULL JOIN w ON t.a = w.a', cat(), 'append'))).toMatch(/^PLAN - append output mode not supported for an outer join/);
    expect(streaming('SELECT t.s, w.d FROM t JOIN w ON t.a = w.a', cat()).mode).toBe('append');
  });
});

describe('join errors', () => {
  const err = (sql: string) => errorOf(() => run(sql, cat()));
  it.each([
    ['SELECT a FROM t JOIN u ON t.a = u.a', "BIND 1:8 column 'a' is ambiguous: it is in t, u"],
    ['SELECT ts FROM t, u', "BIND 1:8 column 'ts' is ambiguous: it is in t, u"],
    ['SELECT * FROM t JOIN t ON t.a = t.a', "BIND 1:15 table name 't' is used twice in FROM: give one of them another alias (… AS other)"],
    ['SELECT * FROM t JOIN u ON t.s', 'TYPE 1:27 the JOIN condition must be a BOOLEAN expression, got VARCHAR'],
    ['SELECT * FROM t JOIN u ON t.a = u.zz', "BIND 1:35 column 'zz' not found in 'u'; available columns: a, c, ts"],
    ['SELECT * FROM t JOIN u ON COUNT(*) > 1', 'BIND 1:27 aggregate function COUNT is not allowed in a JOIN condition'],
    ['SELECT * FROM t JOIN w USING (s)', "BIND 1:31 column 's' of USING is not in the right input of the join"],
    ['SELECT * FROM t JOIN w USING (a, a)', "BIND 1:34 column 'a' appears twice in USING"],
  ])('%s', (sql, expected) => expect(err(sql)).toBe(expected));
});
