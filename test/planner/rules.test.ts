/** The optimizer rules, compared as EXPLAIN text before and after. */
import { describe, expect, it } from 'vitest';
import { explainLogical } from '../../src/planner/explain.js';
import { constantFolding } from '../../src/planner/rules/constant-folding.js';
import { filterPushdown } from '../../src/planner/rules/filter-pushdown.js';
import { projectionPruning } from '../../src/planner/rules/projection-pruning.js';
import { RULES } from '../../src/planner/rules/index.js';
import { foldExpr } from '../../src/planner/rules/fold.js';
import { T } from '../../src/common/types.js';
import type { BoundExpr } from '../../src/planner/expr.js';
import { catalogOf, nexmark, optimized, plan } from './helpers.js';

const DDL = `CREATE TABLE t (a INT, b BIGINT, s VARCHAR, ts TIMESTAMP(3), r ROW<x INT, y VARCHAR>, c AS a * 2, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE u (a INT, b BIGINT, s VARCHAR) WITH ('connector' = 'memory');`;
const cat = () => catalogOf(DDL);
const after = (rule: { apply: (p: ReturnType<typeof plan>) => ReturnType<typeof plan> }, sql: string) => explainLogical(rule.apply(plan(sql, cat())));

const lit = (value: number | boolean | null, type = T.INT): BoundExpr => ({ kind: 'literal', value, type });
const col = (index: number, type = T.BOOLEAN): BoundExpr => ({ kind: 'column', index, name: `c${index}`, type });
const call = (fn: string, type: typeof T.INT, ...args: BoundExpr[]): BoundExpr => ({ kind: 'call', fn: fn as never, args, type });

describe('constant folding', () => {
  it('folds arithmetic, comparisons, casts of literals and interval arithmetic', () => {
    expect(after(constantFolding, "SELECT 1 + 2 * 3, 1 < 2, CAST(5 AS BIGINT), b + 1, TIMESTAMP '2020-01-01 00:00:00' - INTERVAL '1' MINUTE - INTERVAL '30' SECOND, INTERVAL '1' SECOND * 3 FROM u"))
      .toBe("Project(EXPR$0=7, EXPR$1=true, EXPR$2=5, EXPR$3=add(b#1, 1), EXPR$4=TIMESTAMP '2019-12-31 23:58:30.000', EXPR$5=INTERVAL '3000' MILLISECOND)\n  Scan(u, columns=[a, b, s])");
  });

  it('leaves to run time what it cannot compute exactly: overflow, division, DECIMAL arithmetic', () => {
    expect(after(constantFolding, 'SELECT 2147483647 + 1, 1 / 0, 0.1 + 0.2 FROM u').split('\n')[0])
      .toBe('Project(EXPR$0=add(2147483647, 1), EXPR$1=divide(1, 0), EXPR$2=add(0.1, 0.2))');
  });

  it('follows three-valued logic', () => {
    expect(foldExpr(call('and', T.BOOLEAN, lit(null, T.BOOLEAN), lit(false, T.BOOLEAN)))).toMatchObject({ value: false });
    expect(foldExpr(call('and', T.BOOLEAN, lit(null, T.BOOLEAN), lit(true, T.BOOLEAN)))).toMatchObject({ value: null });
    expect(foldExpr(call('or', T.BOOLEAN, lit(null, T.BOOLEAN), lit(true, T.BOOLEAN)))).toMatchObject({ value: true });
    expect(foldExpr(call('not', T.BOOLEAN, lit(null, T.BOOLEAN)))).toMatchObject({ value: null });
    expect(foldExpr(call('eq', T.BOOLEAN, lit(null), lit(1)))).toMatchObject({ value: null });
    expect(foldExpr(call('in', T.BOOLEAN, lit(3), lit(1), lit(null)))).toMatchObject({ value: null });
    expect(foldExpr(call('in', T.BOOLEAN, lit(1), lit(1), lit(null)))).toMatchObject({ value: true });
    expect(foldExpr(call('is_distinct_from', T.BOOLEAN, lit(null), lit(null)))).toMatchObject({ value: false });
  });

  it('simplifies x AND TRUE, x OR FALSE, NOT NOT x, and drops WHERE TRUE', () => {
    expect(foldExpr(call('and', T.BOOLEAN, col(0), lit(true, T.BOOLEAN)))).toEqual(col(0));
    expect(foldExpr(call('or', T.BOOLEAN, lit(false, T.BOOLEAN), col(0)))).toEqual(col(0));
    expect(foldExpr(call('and', T.BOOLEAN, col(0), lit(false, T.BOOLEAN)))).toMatchObject({ kind: 'literal', value: false });
    expect(foldExpr(call('not', T.BOOLEAN, call('not', T.BOOLEAN, col(0))))).toEqual(col(0));
    expect(after(constantFolding, 'SELECT a FROM u WHERE 1 = 1 AND a > 1')).toBe('Project(a#0)\n  Filter(gt(a#0, 1))\n    Scan(u, columns=[a, b, s])');
    expect(after(constantFolding, 'SELECT a FROM u WHERE 1 < 2')).toBe('Project(a#0)\n  Scan(u, columns=[a, b, s])');
  });

  it('folds CASE branches with constant conditions', () => {
    expect(after(constantFolding, "SELECT CASE WHEN 1 = 2 THEN 'x' WHEN a = 1 THEN 'y' ELSE 'z' END, CASE WHEN TRUE THEN a END FROM u").split('\n')[0])
      .toBe("Project(EXPR$0=CASE WHEN eq(a#0, 1) THEN 'y' ELSE 'z' END, EXPR$1=a#0)");
  });
});

describe('filter pushdown', () => {
  it('pushes a filter below a projection, substituting the projected expressions', () => {
    expect(after(filterPushdown, 'SELECT * FROM (SELECT a + 1 AS k, s FROM u) WHERE k > 5 AND s = \'x\'')).toBe([
      'Project(k#0, s#1)',
      '  Project(k=add(a#0, 1), s#2)',
      "    Filter(and(gt(add(a#0, 1), 5), eq(s#2, 'x')))",
      '      Scan(u, columns=[a, b, s])',
    ].join('\n'));
  });

  it('keeps filters above the watermark assigner, so the watermark sees every row', () => {
    expect(after(filterPushdown, 'SELECT a FROM (SELECT a, c FROM t) WHERE c > 2').split('\n').slice(1, 4)).toEqual([
      '  Project(a#0, c#5)',
      '    Filter(gt(c#5, 2))',
      "      WatermarkAssigner(t, rowtime=ts#3, watermark=subtract(ts#3, INTERVAL '5000' MILLISECOND))",
    ]);
  });

  it('pushes into every input of a union, and below an aggregate when only keys are read', () => {
    expect(after(filterPushdown, 'SELECT * FROM (SELECT a FROM u UNION ALL SELECT a FROM u) WHERE a = 1')).toBe([
      'Project(a#0)',
      '  Union(2 inputs)',
      '    Project(a#0)',
      '      Filter(eq(a#0, 1))',
      '        Scan(u, columns=[a, b, s])',
      '    Project(a#0)',
      '      Filter(eq(a#0, 1))',
      '        Scan(u, columns=[a, b, s])',
    ].join('\n'));
    expect(after(filterPushdown, 'SELECT a, count(*) FROM u GROUP BY a HAVING a > 1 AND count(*) > 2')).toBe([
      'Project(a#0, EXPR$1#1)',
      '  Filter(gt(EXPR$1#1, CAST(2 AS BIGINT)))',
      '    Aggregate(keys=[a#0], aggs=[EXPR$1=count(*)])',
      '      Filter(gt(a#0, 1))',
      '        Scan(u, columns=[a, b, s])',
    ].join('\n'));
  });

  it('does not push a filter below a global aggregate, whose one group exists over no rows', () => {
    const sql = 'SELECT * FROM (SELECT count(*) AS n FROM u) WHERE 1 = 2';
    expect(after(filterPushdown, sql)).toContain('Filter(eq(1, 2))\n      Aggregate(keys=[], aggs=[n=count(*)])');
  });

  it('pushes below a window TVF only predicates that do not read the window columns', () => {
    const sql = "SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE a > 1 AND window_start > TIMESTAMP '2020-01-01 00:00:00'";
    expect(after(filterPushdown, sql).split('\n').slice(1, 4)).toEqual([
      "  Filter(gt(window_start#6, TIMESTAMP '2020-01-01 00:00:00.000'))",
      "    WindowTvf(TUMBLE(size=INTERVAL '1' SECOND), time=ts#3)",
      '      Filter(gt(a#0, 1))',
    ]);
  });
});

describe('projection pruning', () => {
  it('narrows the scan to the physical columns used and drops unused projection columns', () => {
    expect(after(projectionPruning, 'SELECT s FROM (SELECT a, s, b FROM u) WHERE a > 1')).toBe([
      'Project(s#1)',
      '  Filter(gt(a#0, 1))',
      '    Scan(u, columns=[a, s])',
    ].join('\n'));
  });

  it('keeps the columns the watermark and computed columns need', () => {
    expect(after(projectionPruning, 'SELECT c FROM t')).toBe([
      'Project(c#1)',
      "  WatermarkAssigner(t, rowtime=ts#0, watermark=subtract(ts#0, INTERVAL '5000' MILLISECOND))",
      '    Project(ts#1, c=multiply(a#0, 2))',
      '      Scan(t, columns=[a, ts])',
    ].join('\n'));
  });

  it('keeps one column for COUNT(*) and drops unused aggregate calls', () => {
    expect(after(projectionPruning, 'SELECT n FROM (SELECT count(*) AS n, max(s) AS m FROM u)')).toBe([
      'Aggregate(keys=[], aggs=[n=count(*)])',
      '  Scan(u, columns=[a])',
    ].join('\n'));
  });

  it('merges adjacent projections and keeps the result schema', () => {
    const p = plan('SELECT k + 1 AS z FROM (SELECT a * 2 AS k, s FROM u)', cat());
    const q = projectionPruning.apply(p);
    expect(explainLogical(q)).toBe('Project(z=add(multiply(a#0, 2), 1))\n  Scan(u, columns=[a])');
    expect(q.schema).toEqual(p.schema);
  });
});

describe('the rule list', () => {
  it('runs folding, pushdown and pruning in order', () => {
    expect(RULES.map((r) => r.name)).toEqual(['constant-folding', 'filter-pushdown', 'constant-folding', 'projection-pruning']);
  });

  it('optimizes Nexmark q2 to a narrow scan with the filters above the watermark', () => {
    expect(optimized('SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0', nexmark())).toBe([
      'Project(auction=bid#1.auction, price=bid#1.price)',
      '  Filter(and(eq(event_type#0, 2), eq(mod(bid#1.auction, 123), 0)))',
      "    WatermarkAssigner(datagen, rowtime=dateTime#2, watermark=subtract(dateTime#2, INTERVAL '4000' MILLISECOND))",
      '      Project(event_type#0, bid#3, dateTime=CASE WHEN eq(event_type#0, 0) THEN person#1.dateTime WHEN eq(event_type#0, 1) THEN auction#2.dateTime ELSE bid#3.dateTime END)',
      '        Scan(datagen, columns=[event_type, person, auction, bid])',
    ].join('\n'));
  });
});

describe('the rules over a Top-N', () => {
  const TOPN = (outer: string, where: string): string =>
    `SELECT ${outer} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY s, a + 1 ORDER BY b DESC) AS rn FROM u) WHERE ${where}`;

  it('pushes below it only conditions on its plain partition columns', () => {
    expect(after(filterPushdown, TOPN('a, s', "rn <= 2 AND s = 'x' AND a > 1 AND rn <> 2"))).toBe([
      'Project(a#0, s#2)',
      '  Project(a#0, b#1, s#2, rn#3)',
      '    Filter(and(gt(a#0, 1), ne(rn#3, CAST(2 AS BIGINT))))',
      '      TopN(partition=[s#2, add(a#0, 1)], order=[b#1 DESC], rows<=2, rank=output)',
      "        Filter(eq(s#2, 'x'))",
      '          Scan(u, columns=[a, b, s])',
    ].join('\n'));
  });

  it('prunes the input columns nobody reads and the row number when nobody reads it', () => {
    expect(after(projectionPruning, TOPN('s', 'rn <= 2'))).toBe([
      'Project(s#2)',
      '  TopN(partition=[s#2, add(a#0, 1)], order=[b#1 DESC], rows<=2, rank=hidden)',
      '    Scan(u, columns=[a, b, s])',
    ].join('\n'));
    // the row number read above: kept, at the position after the input's (pruned) columns
    expect(after(projectionPruning, `SELECT rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY s ORDER BY b DESC) AS rn FROM u) WHERE rn <= 2`)).toBe([
      'Project(rn#2)',
      '  TopN(partition=[s#1], order=[b#0 DESC], rows<=2, rank=output)',
      '    Scan(u, columns=[b, s])',
    ].join('\n'));
  });

  it('folds constants in its keys', () => {
    expect(after(constantFolding, `SELECT a FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY 1 + 1, s ORDER BY b * (2 + 3)) AS rn FROM u) WHERE rn = 1`)
      .split('\n')[2]).toBe('    TopN(partition=[2, s#2], order=[multiply(b#1, 5) ASC], rows<=1, rank=output)');
  });
});
