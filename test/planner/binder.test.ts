import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import type { Project } from '../../src/planner/logical/plan.js';
import { catalogOf, logical, nexmark, plan } from './helpers.js';

const DDL = `
CREATE TABLE t (
  a INT, b BIGINT, s VARCHAR, ts TIMESTAMP(3),
  r ROW<x INT, \`Name\` VARCHAR, nested ROW<y DOUBLE>>,
  \`MixedCase\` INT,
  c AS a + 1,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'memory');
CREATE TABLE u (a INT, d DOUBLE) WITH ('connector' = 'memory');
`;
const cat = () => catalogOf(DDL);
const names = (sql: string) => plan(sql, cat()).schema.columns.map((c) => c.name);
const types = (sql: string) => plan(sql, cat()).schema.columns.map((c) => c.type);
const topExprs = (sql: string) => (plan(sql, cat()) as Project).exprs;

describe('binder: names', () => {
  it('expands a table into scan, computed-column projection and watermark assigner', () => {
    expect(logical('SELECT * FROM t', cat())).toBe([
      'Project(a#0, b#1, s#2, ts#3, r#4, MixedCase#5, c#6)',
      "  WatermarkAssigner(t, rowtime=ts#3, watermark=subtract(ts#3, INTERVAL '5000' MILLISECOND))",
      '    Project(a#0, b#1, s#2, ts#3, r#4, MixedCase#5, c=add(a#0, 1))',
      '      Scan(t, columns=[a, b, s, ts, r, MixedCase])',
    ].join('\n'));
  });

  it('resolves unquoted names case-insensitively and quoted ones exactly first', () => {
    expect(names('SELECT A, T.B, mixedcase, `MixedCase`, `mixedcase` FROM t')).toEqual(['A', 'B', 'mixedcase', 'MixedCase0', 'mixedcase1']);
    expect(topExprs('SELECT `mixedcase` FROM t')[0]).toMatchObject({ kind: 'column', index: 5 });
  });

  it('resolves struct fields, table-qualified paths and nested fields', () => {
    const [x, n, y, q] = topExprs('SELECT r.x, t.r.`Name`, r.nested.y, t.r.x FROM t');
    expect(x).toMatchObject({ kind: 'field', name: 'x', fieldIndex: 0, operand: { kind: 'column', index: 4 } });
    expect(n).toMatchObject({ kind: 'field', name: 'Name', fieldIndex: 1 });
    expect(y).toMatchObject({ kind: 'field', name: 'y', type: T.DOUBLE, operand: { kind: 'field', name: "nested" } });
    expect(q).toMatchObject({ kind: 'field', name: 'x' });
    expect(names('SELECT r.x, t.r.`Name`, r.nested.y FROM t')).toEqual(['x', 'Name', 'y']);
  });

  it('names columns by alias, then by column or field, then EXPR$<position>', () => {
    expect(names('SELECT a AS first, a + 1, r.x, upper(s), b FROM t')).toEqual(['first', 'EXPR$1', 'x', 'EXPR$3', 'b']);
  });

  it('uses a table alias as qualifier and t.* for its columns', () => {
    expect(names('SELECT x.a, x.* FROM u AS x')).toEqual(['a', 'a0', 'd']);
  });

  it('binds views in a fresh scope each time, and subqueries with column aliases', () => {
    const c = nexmark();
    expect(plan('SELECT * FROM bid', c).schema.columns.map((x) => x.name)).toEqual(['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
    expect(plan('SELECT p, q FROM (SELECT a, d FROM u) AS s (p, q)', cat()).schema.columns.map((x) => x.name)).toEqual(['p', 'q']);
  });

  it('inlines WITH queries', () => {
    expect(logical('WITH w AS (SELECT a FROM u WHERE d > 1) SELECT a FROM w', cat())).toBe([
      'Project(a#0)',
      '  Project(a#0)',
      '    Filter(gt(d#1, CAST(1 AS DOUBLE)))',
      '      Scan(u, columns=[a, d])',
    ].join('\n'));
  });
});

describe('binder: expressions', () => {
  it('types numeric literals from their text', () => {
    expect(types('SELECT 1, 2147483648, 1.50, 0.908, 1e3, -5 FROM u')).toEqual([
      T.INT, T.BIGINT, T.decimal(3, 2), T.decimal(3, 3), T.DOUBLE, T.INT,
    ]);
    // a DECIMAL literal is its unscaled integer (1.50 in DECIMAL(3, 2) is 150), exact; BIGINT beyond 2^53 a bigint
    expect(topExprs('SELECT -5, 1.50, 9007199254740993 FROM u').map((e) => (e.kind === 'literal' ? e.value : undefined))).toEqual([-5, 150, 9007199254740993n]);
    expect(() => topExprs('SELECT 123456789012345678901 FROM u')).toThrow(/numeric literal 123456789012345678901 is out of range/);
  });

  it('reads TIMESTAMP and DATE literals as UTC epoch values and intervals as milliseconds', () => {
    const [ts, d, i1, i2] = topExprs(`SELECT TIMESTAMP '2020-01-02 03:04:05.678', DATE '1970-01-11', INTERVAL '90' MINUTE, INTERVAL '1:30' MINUTE TO SECOND FROM u`);
    expect(ts).toMatchObject({ kind: 'literal', value: Date.UTC(2020, 0, 2, 3, 4, 5, 678) });
    expect(d).toMatchObject({ kind: 'literal', value: 10, type: T.DATE });
    expect(i1).toMatchObject({ value: 5_400_000, type: T.INTERVAL });
    expect(i2).toMatchObject({ value: 90_000 });
  });

  it('maps operators to registry calls with implicit casts', () => {
    expect(logical(`SELECT a + b, a BETWEEN 1 AND 3, a NOT BETWEEN 1 AND 3, a IN (1, 2), s LIKE 'x%', s NOT LIKE 'y', s || 'z',
      -a, a IS NULL, a IS NOT NULL, NOT (a > 1), CASE a WHEN 1 THEN 'one' ELSE 'other' END, EXTRACT(HOUR FROM ts),
      CAST(a AS VARCHAR), MOD(a, 2) FROM t`, cat()).split('\n')[0]).toBe(
      'Project(EXPR$0=add(CAST(a#0 AS BIGINT), b#1), EXPR$1=and(ge(a#0, 1), le(a#0, 3)), EXPR$2=or(lt(a#0, 1), gt(a#0, 3)), ' +
      "EXPR$3=in(a#0, 1, 2), EXPR$4=like(s#2, 'x%'), EXPR$5=not(like(s#2, 'y')), EXPR$6=concat(s#2, 'z'), EXPR$7=negate(a#0), " +
      'EXPR$8=is_null(a#0), EXPR$9=is_not_null(a#0), EXPR$10=not(gt(a#0, 1)), ' +
      "EXPR$11=CASE WHEN eq(a#0, 1) THEN 'one' ELSE 'other' END, EXPR$12=extract('HOUR', ts#3), EXPR$13=CAST(a#0 AS VARCHAR), EXPR$14=mod(a#0, 2))");
  });

  it('calls user-defined functions registered by CREATE FUNCTION, untyped until the engine imports the module', () => {
    const c = catalogOf(`${DDL} CREATE FUNCTION count_char AS 'udfs/count-char.js';`);
    expect(c.getFunction('COUNT_CHAR')).toMatchObject({ name: 'count_char', path: 'udfs/count-char.js', returns: undefined });
    expect(topExprs.call(null, 'SELECT a FROM t')).toBeDefined();
    const p = plan('SELECT count_char(s, \'a\') FROM t', c) as Project;
    // the result type is unknown until run: the call binds as untyped, as a NULL literal does
    expect(p.exprs[0]).toMatchObject({ kind: 'udf', name: 'count_char', type: T.NULL });
  });
});

describe('binder: aggregates', () => {
  it('binds GROUP BY into an aggregate and a projection over keys and aggregates', () => {
    expect(logical('SELECT a + 1 AS k, count(*) AS n, sum(b) FILTER (WHERE b > 0), count(DISTINCT s) FROM t GROUP BY a + 1 HAVING count(*) > 2', cat())).toBe([
      'Project(k=$f0#0, n#1, EXPR$2#2, EXPR$3#3)',
      '  Filter(gt(n#1, CAST(2 AS BIGINT)))',
      '    Aggregate(keys=[$f0=add(a#0, 1)], aggs=[n=count(*), EXPR$2=sum(b#1) FILTER (WHERE gt(b#1, CAST(0 AS BIGINT))), EXPR$3=count(DISTINCT s#2)])',
      "      WatermarkAssigner(t, rowtime=ts#3, watermark=subtract(ts#3, INTERVAL '5000' MILLISECOND))",
      '        Project(a#0, b#1, s#2, ts#3, r#4, MixedCase#5, c=add(a#0, 1))',
      '          Scan(t, columns=[a, b, s, ts, r, MixedCase])',
    ].join('\n'));
  });

  it('makes one global group for aggregates without GROUP BY, and DISTINCT an aggregate on every column', () => {
    expect(logical('SELECT max(d) FROM u', cat()).split('\n').slice(0, 2)).toEqual(['Project(EXPR$0#0)', '  Aggregate(keys=[], aggs=[EXPR$0=max(d#1)])']);
    expect(logical('SELECT DISTINCT a FROM u', cat()).split('\n').slice(0, 2)).toEqual(['Aggregate(keys=[a#0], aggs=[])', '  Project(a#0)']);
  });

  it('rewrites a group window into a window TVF with the bounds as keys', () => {
    expect(logical(`SELECT a, TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, TUMBLE_END(ts, INTERVAL '10' SECOND), TUMBLE_ROWTIME(ts, INTERVAL '10' SECOND), count(*)
      FROM t GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), a`, cat()).split('\n').slice(0, 3)).toEqual([
      "Project(a#2, ws=window_start#0, EXPR$2=window_end#1, EXPR$3=subtract(window_end#1, INTERVAL '1' MILLISECOND), EXPR$4#3)",
      '  Aggregate(keys=[window_start#7, window_end#8, a#0], aggs=[EXPR$4=count(*)], window=[window_start, window_end])',
      "    WindowTvf(TUMBLE(size=INTERVAL '10' SECOND), time=ts#3)",
    ]);
    expect(logical(`SELECT SESSION_END(ts, INTERVAL '1' MINUTE), a FROM t GROUP BY a, SESSION(ts, INTERVAL '1' MINUTE)`, cat()).split('\n')[2])
      .toBe("    WindowTvf(SESSION(gap=INTERVAL '1' MINUTE, partitionBy=[a#0]), time=ts#3)");
    expect(logical(`SELECT HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) FROM t GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND)`, cat()).split('\n')[2])
      .toBe("    WindowTvf(HOP(slide=INTERVAL '5' SECOND, size=INTERVAL '10' SECOND), time=ts#3)");
  });

  it('marks a GROUP BY over window_start and window_end of a window TVF as a window aggregate', () => {
    const sql = (tvf: string) => `SELECT window_start, window_end, count(*) FROM TABLE(${tvf}) GROUP BY window_start, window_end`;
    expect(logical(sql(`TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)`), cat()).split('\n').slice(1, 3)).toEqual([
      '  Aggregate(keys=[window_start#7, window_end#8], aggs=[EXPR$2=count(*)], window=[window_start, window_end])',
      "    WindowTvf(TUMBLE(size=INTERVAL '10' SECOND), time=ts#3)",
    ]);
    expect(logical(sql(`CUMULATE(TABLE t, DESCRIPTOR(ts), STEP => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR)`), cat()).split('\n')[2])
      .toBe("    WindowTvf(CUMULATE(step=INTERVAL '1' MINUTE, size=INTERVAL '1' HOUR), time=ts#3)");
    expect(logical(sql(`SESSION(TABLE t PARTITION BY a, DESCRIPTOR(ts), INTERVAL '30' SECOND)`), cat()).split('\n')[2])
      .toBe("    WindowTvf(SESSION(gap=INTERVAL '30' SECOND, partitionBy=[a#0]), time=ts#3)");
    expect(logical(`SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' SECOND))`, cat()).split('\n')[1])
      .toBe("  WindowTvf(TUMBLE(size=INTERVAL '10' SECOND, offset=INTERVAL '1' SECOND), time=ts#3)");
  });
});

describe('binder: UNION ALL and INSERT', () => {
  it('casts UNION ALL inputs to common types', () => {
    expect(logical('SELECT a, d FROM u UNION ALL SELECT b, a FROM t', cat())).toContain('Project(a=CAST(a#0 AS BIGINT), d#1)');
    expect(plan('SELECT a, d FROM u UNION ALL SELECT b, a FROM t UNION ALL SELECT a, d FROM u', cat()).schema.columns.map((c) => c.type))
      .toEqual([T.BIGINT, T.DOUBLE]);
  });

  it('casts an INSERT query to the sink columns, by position or by name', () => {
    const c = catalogOf(`${DDL} CREATE TABLE sink (x BIGINT, y DOUBLE, z VARCHAR) WITH ('connector' = 'blackhole');`);
    expect(logical('INSERT INTO sink SELECT a, a, s FROM t', c).split('\n')[0])
      .toBe('Project(x=CAST(a#0 AS BIGINT), y=CAST(a0#1 AS DOUBLE), z=s#2)');
    expect(logical('INSERT INTO sink (z, x) SELECT s, b FROM t', c).split('\n')[0]).toBe('Project(x=b#1, y=NULL, z=s#0)');
    const p = plan('INSERT INTO sink (z, x) SELECT s, b FROM t', c);
    expect(p.schema.columns.map((col) => [col.name, col.type])).toEqual([['x', T.BIGINT], ['y', T.DOUBLE], ['z', T.VARCHAR]]);
  });

  it('stores any number into any numeric column with a store-assignment cast naming the column', () => {
    const c = catalogOf(`${DDL} CREATE TABLE sink (x BIGINT, y SMALLINT, z DECIMAL(5, 2)) WITH ('connector' = 'blackhole');`);
    // AVG of integers is a DOUBLE (as the batch oracle); the benchmark writes it into BIGINT columns
    expect(logical('INSERT INTO sink SELECT AVG(a), a, d FROM u GROUP BY a, d', c).split('\n')[0])
      .toBe('Project(x=STORE(EXPR$0#0 AS BIGINT), y=STORE(a#1 AS SMALLINT), z=STORE(d#2 AS DECIMAL(5, 2)))');
    const p = plan('INSERT INTO sink SELECT d, a, a FROM u', c) as Project;
    expect(p.schema.columns.map((col) => col.type)).toEqual([T.BIGINT, T.SMALLINT, T.decimal(5, 2)]);
    expect(p.exprs[0]).toMatchObject({ kind: 'cast', type: T.BIGINT, try: false, assign: { table: 'sink', column: 'x' } });
    // an INT fits DECIMAL(5, 2) only up to 999.99: a store, not the planner's widened implicit DECIMAL
    expect(p.exprs[2]).toMatchObject({ kind: 'cast', type: T.decimal(5, 2), assign: { table: 'sink', column: 'z' } });
    // a widening that changes no value stays a plain CAST
    expect(logical('INSERT INTO sink (x) SELECT a FROM u', c).split('\n')[0]).toBe('Project(x=CAST(a#0 AS BIGINT), y=NULL, z=NULL)');
    // an explicit CAST keeps its own (truncating) semantics: no store assignment
    const explicit = logical('INSERT INTO sink (x) SELECT CAST(d AS BIGINT) FROM u', c);
    expect(explicit).toContain('CAST(d#1 AS BIGINT)');
    expect(explicit).not.toContain('STORE');
  });
});
