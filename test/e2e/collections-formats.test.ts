/**
 * ARRAY, MAP and MULTISET columns at the edges (issue 11 item 6): the JSON format reads JSON arrays
 * and objects into them (a value of the wrong shape is a rejected record naming the column) and
 * writes them back; CSV refuses such a column when the table is opened; the console prints them;
 * the binder's mistakes are positioned errors saying what was expected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'weir-coll-fmt-'));

function sinkLines(dir: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('part-')).sort()) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

describe('JSON format', () => {
  it('reads arrays, objects, nested arrays and multisets; writes them back; rejects a value of the wrong shape', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'in'));
    fs.writeFileSync(path.join(dir, 'in', 'a.json'), [
      { id: 1, tags: ['a', 'ü', null], m: { x: 1, y: null }, nested: [[1, 2], [], null], ms: { a: 2 } },
      { id: 2, tags: [], m: {}, nested: null, ms: ['q', 'q', 'r'] },
      { id: 3, tags: null, m: null },
      { id: 4, tags: 'oops', m: null },
      { id: 5, tags: ['z'], m: { n: 'not a number' } },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, nested ARRAY<ARRAY<BIGINT>>, ms MULTISET<STRING>)
          WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = 'json');
        CREATE TABLE o (id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, nested ARRAY<ARRAY<BIGINT>>, ms MULTISET<STRING>, n12 BIGINT)
          WITH ('connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json');
        INSERT INTO o SELECT id, tags, m, nested, ms, nested[1][2] FROM t;`);
      await q!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    expect(sinkLines(path.join(dir, 'out')).sort((a, b) => (a.id as number) - (b.id as number))).toEqual([
      { id: 1, tags: ['a', 'ü', null], m: { x: 1, y: null }, nested: [[1, 2], [], null], ms: { a: 2 }, n12: 2 },
      { id: 2, tags: [], m: {}, nested: null, ms: { q: 2, r: 1 }, n12: null },
      { id: 3, tags: null, m: null, nested: null, ms: null, n12: null },
    ]);
    const rejected = fs.readdirSync(path.join(dir, 'out', '_rejected')).flatMap((f) =>
      fs.readFileSync(path.join(dir, 'out', '_rejected', f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { reason: string }).reason));
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatch(/column 'tags': cannot read "oops" as ARRAY<VARCHAR> \(expected a JSON array\)/);
    expect(rejected[1]).toMatch(/column 'm\[n\]'/);
  });

  it('writes a MAP with non-text keys as an object of its keys\' JSON text', async () => {
    const dir = tmp();
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (id INT) WITH ('connector' = 'memory');
        CREATE TABLE o (m MAP<INT, ARRAY<DOUBLE>>, d ARRAY<DECIMAL(5, 2)>) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
        INSERT INTO o SELECT MAP[id, ARRAY[1.5, 2e0]], ARRAY[CAST(1.25 AS DECIMAL(5, 2)), NULL] FROM t;`);
      engine.input('t').push([{ id: 7 }]);
      await q!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    expect(sinkLines(dir)).toEqual([{ m: { 7: [1.5, 2] }, d: [1.25, null] }]);
  });
});

describe('CSV and the console', () => {
  it('format csv refuses an ARRAY column when the table is opened, at the format option', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const dir = tmp();
    try {
      await engine.execute(`CREATE TABLE c (id INT, tags ARRAY<STRING>) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv');
        INSERT INTO c SELECT * FROM c;`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WeirError);
      expect((e as WeirError).message).toBe("format 'csv' cannot hold column 'tags' of type ARRAY<VARCHAR>: ARRAY, MAP and MULTISET columns need format 'json'");
      expect((e as WeirError).span?.line).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it('a bare SELECT prints arrays and maps as Flink does', async () => {
    let printed = '';
    const engine = new Engine({ clock: new ManualClock(0), stdout: { write: (s: string) => { printed += s; return true; } } as never });
    try {
      const [q] = await engine.execute(`CREATE TABLE t (id INT, w STRING) WITH ('connector' = 'memory');
        SELECT ARRAY[id, NULL] AS a, MAP[w, id] AS m, ARRAY[ARRAY[w]] AS n FROM t;`);
      engine.input('t').push([{ id: 1, w: 'ü' }]);
      await q!.processAllAvailable();
    } finally {
      await engine.stop();
    }
    expect(printed).toContain('+I[a=[1, null], m={ü=1}, n=[[ü]]]');
  });
});

describe('binder errors', () => {
  const DDL = "CREATE TABLE t (id INT, tags ARRAY<STRING>, m MAP<STRING, INT>) WITH ('connector' = 'memory');\n";
  async function error(sql: string): Promise<string> {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      await engine.explain(DDL + sql);
    } catch (e) {
      if (e instanceof WeirError) return `${e.span?.line}:${e.span?.column}: ${e.message}`;
      throw e;
    } finally {
      await engine.stop();
    }
    throw new Error(`no error for ${sql}`);
  }

  it.each([
    ['SELECT x FROM t CROSS JOIN UNNEST(id) AS u (x);', '2:35: UNNEST takes an ARRAY, MAP or MULTISET, got INT'],
    ['SELECT x FROM t RIGHT JOIN UNNEST(tags) AS u (x) ON TRUE;', '2:15: RIGHT JOIN UNNEST(…) is not supported: use CROSS JOIN or LEFT JOIN UNNEST(…) ON TRUE'],
    ['SELECT x FROM t CROSS JOIN UNNEST(tags, tags) AS u (x);', '2:53: UNNEST of 2 collections makes 2 columns but 1 column name is given'],
    ['SELECT x FROM t CROSS JOIN UNNEST(tags, id) AS u (x, y);', '2:41: UNNEST takes an ARRAY, MAP or MULTISET, got INT'],
    ['SELECT x FROM t CROSS JOIN UNNEST(tags) AS u (x, y);', "2:47: UNNEST of ARRAY<VARCHAR> makes 1 column but 2 column names are given"],
    ['SELECT x FROM t LEFT JOIN UNNEST(tags) AS u (x) ON x = \'a\';', '2:52: JOIN UNNEST(…) takes ON TRUE only (as Flink): put other conditions in WHERE'],
    ['SELECT x FROM UNNEST(ARRAY[1]) AS u (x);', '2:15: UNNEST(…) on its own in FROM is not supported yet: join it to the table whose column it unnests, as FROM t CROSS JOIN UNNEST(t.tags) AS u (tag)'],
    ["SELECT tags['a'] FROM t;", "2:8: '[...]' of an ARRAY takes an integer index, got VARCHAR"],
    ['SELECT m[1] FROM t;', "2:8: '[...]' of a MAP<VARCHAR, INT> takes a key of type VARCHAR, got INT"],
    ['SELECT id[1] FROM t;', "2:8: '[...]' applies to an ARRAY or a MAP, not to INT"],
    ['SELECT ARRAY[] FROM t;', '2:8: ARRAY[...] needs at least one element: ARRAY[x, …] (an empty array is CAST(NULL AS ARRAY<T>) or a column)'],
    ["SELECT MAP['a'] FROM t;", '2:8: MAP[...] takes keys and values in pairs, MAP[k1, v1, k2, v2, …], got 1 value'],
    ["SELECT ARRAY[1, 'a'] FROM t;", '2:8: ARRAY[...] elements have no common type: INT, VARCHAR'],
    ['SELECT MAX(tags) FROM t;', '2:8: MAX cannot order values of ARRAY<VARCHAR>'],
    ['SELECT CAST(tags AS INT) FROM t;', '2:8: cannot cast ARRAY<VARCHAR> to INT'],
    ['SELECT CARDINALITY(id) FROM t;', '2:8: CARDINALITY expects an ARRAY, MAP or MULTISET, got INT'],
    ["SELECT GREATEST(tags, ARRAY['z']) FROM t;", '2:8: GREATEST cannot order values of ARRAY<VARCHAR>'],
    ['SELECT tags FROM t ORDER BY tags LIMIT 3;', '2:29: cannot ORDER BY a value of type ARRAY<VARCHAR>'],
  ])('%s', async (sql, want) => {
    expect(await error(sql)).toBe(want);
  });
});

describe('casts between collection types', () => {
  it('CAST and INSERT widen elements, keys and values; text casts; a failing element cast names the value', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (a ARRAY<INT>, m MAP<STRING, INT>) WITH ('connector' = 'memory');
        CREATE TABLE o (a ARRAY<BIGINT>, m MAP<STRING, DOUBLE>, s ARRAY<STRING>, n ARRAY<INT>, ms MULTISET<BIGINT>) WITH ('connector' = 'memory');
        INSERT INTO o SELECT a, m, CAST(a AS ARRAY<STRING>), CAST(CAST(a AS ARRAY<STRING>) AS ARRAY<INT>), CAST(NULL AS MULTISET<BIGINT>) FROM t;`);
      engine.input('t').push([{ a: [1, null, 3], m: { x: 2 } }, { a: null, m: null }, { a: [], m: {} }]);
      await q!.processAllAvailable();
      const rows = engine.output('o').rows();
      expect(rows).toEqual([
        { a: [1, null, 3], m: new Map([['x', 2]]), s: ['1', null, '3'], n: [1, null, 3], ms: null },
        { a: null, m: null, s: null, n: null, ms: null },
        { a: [], m: new Map(), s: [], n: [], ms: null },
      ]);
    } finally {
      await engine.stop();
    }
    const e2 = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await e2.execute(`CREATE TABLE t (a ARRAY<STRING>) WITH ('connector' = 'memory');
        CREATE TABLE o (n ARRAY<INT>) WITH ('connector' = 'memory');
        INSERT INTO o SELECT CAST(a AS ARRAY<INT>) FROM t;`);
      e2.input('t').push([{ a: ['1', 'x'] }]);
      await expect(q!.processAllAvailable()).rejects.toThrow(/cannot cast 'x' to INT/);
    } finally {
      await e2.stop();
    }
  });
});

describe('aggregates over collection values', () => {
  it('FIRST_VALUE / LAST_VALUE take back a retracted array by value', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (id INT, tags ARRAY<STRING>) WITH ('connector' = 'memory');
        CREATE TABLE o (fv ARRAY<STRING>, lv ARRAY<STRING>, c BIGINT) WITH ('connector' = 'memory');
        INSERT INTO o SELECT FIRST_VALUE(lt), LAST_VALUE(lt), COUNT(*) FROM (SELECT id, LAST_VALUE(tags) AS lt FROM t GROUP BY id);`);
      engine.input('t').push([{ id: 1, tags: ['a'] }, { id: 2, tags: ['x', 'y'] }]);
      await q!.processAllAvailable();
      engine.input('t').push([{ id: 1, tags: ['b'] }]);
      await q!.processAllAvailable();
      expect(engine.output('o').rows()).toEqual([{ fv: ['x', 'y'], lv: ['b'], c: 2 }]);
    } finally {
      await engine.stop();
    }
  });

  it('COUNT(DISTINCT arr) is refused "not supported yet"', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      await expect(engine.explain(`CREATE TABLE t (tags ARRAY<STRING>) WITH ('connector' = 'memory');
        SELECT COUNT(DISTINCT tags) FROM t;`)).rejects.toThrow('COUNT(DISTINCT …) of ARRAY<VARCHAR> values is not supported yet');
    } finally {
      await engine.stop();
    }
  });
});

describe('conditionals and comparisons over collections', () => {
  it('CASE, COALESCE, IF, NULLIF, =, <>, IN and IS DISTINCT FROM take arrays and maps by value', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (id INT, tags ARRAY<STRING>, m MAP<STRING, INT>) WITH ('connector' = 'memory');
        CREATE TABLE o (id INT, c ARRAY<STRING>, co ARRAY<STRING>, i MAP<STRING, INT>, n ARRAY<STRING>, eq BOOLEAN, ne BOOLEAN,
          isin BOOLEAN, dis BOOLEAN, meq BOOLEAN) WITH ('connector' = 'memory');
        INSERT INTO o SELECT id,
          CASE WHEN id = 1 THEN tags ELSE ARRAY['other'] END,
          COALESCE(tags, ARRAY['none']),
          IF(id = 2, m, MAP['k', 0]),
          NULLIF(tags, ARRAY['a', 'b']),
          tags = ARRAY['a', 'b'], tags <> ARRAY['a', 'b'],
          tags IN (ARRAY['x'], ARRAY['a', 'b']),
          tags IS DISTINCT FROM CAST(NULL AS ARRAY<STRING>),
          m = MAP['y', 2, 'x', 1]
        FROM t;`);
      engine.input('t').push([
        { id: 1, tags: ['a', 'b'], m: { x: 1, y: 2 } },
        { id: 2, tags: null, m: { x: 1 } },
        { id: 3, tags: ['a', null], m: null },
      ]);
      await q!.processAllAvailable();
      expect(engine.output('o').rows()).toEqual([
        { id: 1, c: ['a', 'b'], co: ['a', 'b'], i: new Map([['k', 0]]), n: null, eq: true, ne: false, isin: true, dis: true, meq: true },
        { id: 2, c: ['other'], co: ['none'], i: new Map([['x', 1]]), n: null, eq: null, ne: null, isin: null, dis: false, meq: false },
        { id: 3, c: ['other'], co: ['a', null], i: new Map([['k', 0]]), n: ['a', null], eq: false, ne: true, isin: false, dis: true, meq: null },
      ]);
    } finally {
      await engine.stop();
    }
  });
});
