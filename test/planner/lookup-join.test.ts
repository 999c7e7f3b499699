/**
 * Lookup joins (`JOIN t FOR SYSTEM_TIME AS OF probe.pt AS s ON ...`): what the binder refuses, each
 * at its position, and how the rules and the streaming planner treat the LookupJoin node.
 */
import { describe, expect, it } from 'vitest';
import { catalogOf, errorOf, explainAll, optimized, run, streaming } from './helpers.js';

const DDL = `CREATE TABLE t (a INT, b BIGINT, s VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE dim (k BIGINT, name VARCHAR, w INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/dim.csv', 'format' = 'csv');
CREATE TABLE dimc (k BIGINT, k2 AS k + 1) WITH ('connector' = 'memory');
CREATE VIEW p AS SELECT *, PROCTIME() AS pt FROM t;
CREATE VIEW dv AS SELECT * FROM dim;`;

const err = (sql: string): string => errorOf(() => run(sql, catalogOf(DDL)));
const ok = (sql: string): string => explainAll(sql, catalogOf(DDL));
const JOIN = 'SELECT * FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d';

describe('lookup join: what the binder refuses', () => {
  it('RIGHT, FULL and CROSS joins', () => {
    expect(err('SELECT * FROM p RIGHT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k')).toBe(
      'UNSUPPORTED 1:15 a lookup join (FOR SYSTEM_TIME AS OF) can be an INNER or a LEFT join, not RIGHT: the rows of the lookup table are looked up, never emitted on their own');
    expect(err('SELECT * FROM p FULL JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k')).toMatch(/^UNSUPPORTED 1:15 .* not FULL:/);
    expect(err('SELECT * FROM p CROSS JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d')).toMatch(/^UNSUPPORTED 1:15 .* not CROSS:/);
  });

  it('an event-time attribute: an event-time temporal join, which needs a versioned table (test/e2e/temporal-join.test.ts)', () => {
    expect(err('SELECT * FROM t JOIN dim FOR SYSTEM_TIME AS OF t.ts AS d ON t.b = d.k')).toMatch(
      /^BIND 1:22 an event-time temporal join needs a versioned table: 'dim' has no primary key/);
  });

  it('an AS OF that is not a processing-time attribute of the probe side', () => {
    expect(err('SELECT * FROM p JOIN dim FOR SYSTEM_TIME AS OF p.a AS d ON p.b = d.k')).toBe(
      "BIND 1:48 FOR SYSTEM_TIME AS OF needs a processing-time attribute of the left input of the join, such as a column 'PROCTIME() AS p_time' of a subquery or view: 'a' is not a time attribute");
    expect(err('SELECT * FROM p JOIN dim FOR SYSTEM_TIME AS OF PROCTIME() AS d ON p.b = d.k')).toMatch(/^BIND 1:48 FOR SYSTEM_TIME AS OF needs .*: write its column \(B\.p_time\)$/);
    // the AS OF sees the left input only, not the lookup table
    expect(err('SELECT * FROM p JOIN dim FOR SYSTEM_TIME AS OF d.k AS d ON p.b = d.k')).toMatch(/^BIND 1:48 /);
  });

  it('an ON condition without a lookup key', () => {
    const need = "a lookup join needs an equality between an expression of the left input and a column of the lookup table 'dim' in its ON condition";
    expect(err(`${JOIN} ON p.b > d.k`)).toBe(`BIND 1:61 ${need} (such as ON mod(B.auction, 10000) = S.key): that column is the lookup key`);
    expect(err(`${JOIN} ON d.k = 5 AND p.a = 1`)).toMatch(new RegExp(`^BIND 1:61 ${need.replace(/[()]/g, '\\$&')}`));
    expect(err(`${JOIN} ON p.b + d.k = 3`)).toMatch(/^BIND 1:61 a lookup join needs an equality/);
  });

  it('USING, and a lookup side that is a view or has computed columns', () => {
    expect(err(`${JOIN} USING (k)`)).toBe('UNSUPPORTED 1:65 USING is not supported for a lookup join yet: write ON probe_column = lookup_table.column');
    expect(err('SELECT * FROM p JOIN dv FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k')).toBe(
      "UNSUPPORTED 1:22 FOR SYSTEM_TIME AS OF needs a table (a lookup table, CREATE TABLE … WITH a bounded connector); 'dv' is a view");
    expect(err('SELECT * FROM p JOIN dimc FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k')).toBe(
      "UNSUPPORTED 1:22 a lookup table with computed columns is not supported yet: 'dimc' has 1");
    expect(err('SELECT * FROM p JOIN nope FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k')).toMatch(/^BIND 1:22 table 'nope' not found/);
  });

  it('FOR SYSTEM_TIME AS OF outside the right side of a join', () => {
    expect(err('SELECT * FROM dim FOR SYSTEM_TIME AS OF dim.k')).toMatch(/^BIND 1:41 FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN/);
    expect(err('SELECT * FROM dim FOR SYSTEM_TIME AS OF dim.k AS d JOIN p ON p.b = d.k')).toMatch(/^BIND 1:41 FOR SYSTEM_TIME AS OF belongs to the right side/);
  });
});

describe('lookup join: plans', () => {
  it('explains keys and residual; the table columns nobody reads are not loaded', () => {
    const text = ok("SELECT p.a, d.name FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b + 1 = d.k AND d.name <> p.s");
    expect(text).toContain("LookupJoin(inner, table=dim, keys=[add(b#1, 1) = k#0], residual=ne(name#4, s#2))");
    // `w` is not read: the lookup row is (k, name)
    const plan = streaming("SELECT p.a, d.name FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k", catalogOf(DDL));
    const lj = plan.root.kind === 'project' ? plan.root.input : plan.root;
    expect(lj.kind === 'lookupJoin' && lj.columns).toEqual([0, 1]);
    expect(lj.kind === 'lookupJoin' && lj.input.schema.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(plan.mode).toBe('append');
    expect(plan.statefulOperators).toEqual([]);
  });

  it('pushes probe-only WHERE conjuncts below the join; a LEFT join keeps its ON conjuncts and WHERE on the table above', () => {
    const inner = optimized(`${JOIN} ON p.b = d.k AND p.a > 1 WHERE d.w = 2 AND p.s = 'x'`, catalogOf(DDL));
    // the WHERE conjunct on the table joins the condition (a residual); both probe-only ones filter the probe
    expect(inner).toMatch(/^LookupJoin\(inner, table=dim, on=and\(eq\(w#7, 2\), eq\(b#1, k#5\)\)\)\n\s+Project\(.*pt=proctime\(\)\)\n\s+Filter\(and\(gt\(a#0, 1\), eq\(s#2, 'x'\)\)\)/);
    const left = optimized(`SELECT * FROM p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k AND p.a > 1 WHERE d.w = 2 AND p.s = 'x'`, catalogOf(DDL));
    expect(left).toMatch(/^Filter\(eq\(w#\d+, 2\)\)\n\s+LookupJoin\(left, table=dim, on=and\(eq\(b#1, k#5\), gt\(a#0, 1\)\)\)\n\s+Project\(.*\)\n\s+Filter\(eq\(s#2, 'x'\)\)/);
  });

  it('a LEFT join makes the table columns nullable; an aggregation over a lookup join runs in update mode', () => {
    const plan = streaming('SELECT * FROM p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k', catalogOf(DDL));
    expect(plan.root.schema.columns.slice(-3).every((c) => c.nullable)).toBe(true);
    const agg = streaming('SELECT d.name, COUNT(*) FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k GROUP BY d.name', catalogOf(DDL));
    expect(agg.mode).toBe('update');
    expect(explainAll('SELECT d.name, COUNT(*) FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k GROUP BY d.name', catalogOf(DDL)))
      .toMatch(/Aggregate\(.*\n\s+LookupJoin\(inner, table=dim, keys=\[b#\d+ = k#0\]\)/);
  });

  it('keeps the probe rowtime a time attribute: a window over a lookup join runs on the watermark', () => {
    const catalog = catalogOf(`${DDL}
      CREATE VIEW enriched AS SELECT p.ts, d.name FROM p JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.b = d.k;`);
    const sql = `SELECT window_start, name, COUNT(*) FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(ts), INTERVAL '10' SECOND))
      GROUP BY window_start, window_end, name`;
    const plan = streaming(sql, catalog);
    expect(plan.mode).toBe('append');
    expect(plan.statefulOperators.map((o) => o.kind)).toEqual(['windowAggregate']);
  });
});
