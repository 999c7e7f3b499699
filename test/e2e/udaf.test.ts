/**
 * User-defined aggregate functions (UDAFs) written in JavaScript, against DuckDB's built-in
 * aggregates computing the same thing: a weighted average (with retract and merge) in a group
 * aggregation over random batch splits, over an updating input (retractions), and in a TUMBLE window
 * TVF aggregation and a session window; restarts from the checkpoint. Seeds are printed and replay
 * from UDAF_SEED.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryError } from '../support/query-error.js';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { tempDir } from '../support/cli.js';
import { expectSameRows, Oracle, seeded, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';
import { addData, checkAnswer, execute, stopAndRestart, testStream } from '../support/stream-test.js';

const FN = path.join(__dirname, 'fixtures', 'functions');
const SEED = Number(process.env.UDAF_SEED ?? Math.floor(Math.random() * 2 ** 31));

const INPUT: readonly OracleColumn[] = [
  { name: 'k', type: 'STRING' },
  { name: 'g', type: 'INT' },
  { name: 'v', type: 'INT' },
  { name: 'w', type: 'INT' },
  { name: 'ts', type: 'TIMESTAMP(3)' },
];

/** Rows with small integer values (sums stay exact), some NULLs, times rising with jitter. */
function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  const maybe = <T>(p: number, v: () => T): T | null => (r() < p ? null : v());
  return Array.from({ length: count }, (_, i) => ({
    k: maybe(0.1, () => ['a', 'b', 'c', 'd'][Math.floor(r() * 4)]!),
    g: Math.floor(r() * 3),
    v: maybe(0.1, () => Math.floor(r() * 21) - 10),
    w: maybe(0.1, () => 1 + Math.floor(r() * 5)),
    ts: i * 1000 + Math.floor(r() * 3000),
  }));
}

/** `rows` cut at random places into batches. */
function randomBatches(rows: readonly Row[], r: () => number): Row[][] {
  const out: Row[][] = [];
  for (let i = 0; i < rows.length;) {
    const n = 1 + Math.floor(r() * 40);
    out.push(rows.slice(i, i + n));
    i += n;
  }
  return out;
}

// DuckDB's equivalent of wavg(v, w): the rows where both are not NULL
const DUCK_WAVG = `SUM(v * w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL)::DOUBLE
  / NULLIF(SUM(w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL), 0)`;

const DDL = (out: string) => `
  CREATE FUNCTION wavg AS '${FN}/wavg.mjs';
  CREATE TABLE t (${weirColumns(INPUT)}, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE out (${out}) WITH ('connector' = 'memory');`;

let oracle: Oracle;
const rows = generate(600, SEED);

beforeAll(async () => {
  console.log(`udaf.test.ts seed ${SEED} (replay with UDAF_SEED=${SEED})`);
  oracle = await Oracle.create();
  await oracle.createTable('t', INPUT, rows);
});
afterAll(() => oracle.close());

async function runSplit(sql: string, batches: readonly Row[][]): Promise<Row[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [q] = await engine.execute(sql);
    for (const b of batches) {
      engine.input('t').push(b);
      await q!.processAllAvailable();
    }
    return engine.output('out').rows();
  } finally {
    await engine.stop();
  }
}

describe('UDAFs in a group aggregation', () => {
  it('wavg(v, w) with FILTER equals DuckDB over random batch splits', async () => {
    const expected = await oracle.query(`SELECT k, ${DUCK_WAVG} AS wa,
      SUM(v * w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL AND g = 1)::DOUBLE
        / NULLIF(SUM(w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL AND g = 1), 0) AS wf, COUNT(*) AS c FROM t GROUP BY k`);
    const r = seeded(SEED + 1);
    for (let split = 0; split < 3; split++) {
      const got = await runSplit(`${DDL('k STRING, wa DOUBLE, wf DOUBLE, c BIGINT')}
        INSERT INTO out SELECT k, wavg(v, w) AS wa, wavg(v, w) FILTER (WHERE g = 1) AS wf, COUNT(*) AS c FROM t GROUP BY k;`, randomBatches(rows, r));
      expectSameRows(got, expected, `split ${split}`);
    }
  });

  it('retracts over an updating input (an aggregation of an aggregation)', async () => {
    const expected = await oracle.query(`SELECT g, SUM(s * n)::DOUBLE / NULLIF(SUM(n), 0) AS wa FROM
      (SELECT k, g, SUM(v) AS s, COUNT(*) AS n FROM t GROUP BY k, g) WHERE s IS NOT NULL GROUP BY g`);
    const got = await runSplit(`${DDL('g INT, wa DOUBLE')}
      INSERT INTO out SELECT g, wavg(s, n) AS wa FROM (SELECT k, g, SUM(v) AS s, COUNT(*) AS n FROM t GROUP BY k, g) GROUP BY g;`,
    randomBatches(rows, seeded(SEED + 2)));
    expectSameRows(got, expected);
  });

  it('refuses a UDAF without retract over an updating input, at the call', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const sql = `${DDL('g INT, t STRING')}
      CREATE FUNCTION top_word AS '${FN}/top-word.mjs';
      INSERT INTO out SELECT g, top_word(k) FROM (SELECT k, g, COUNT(*) AS n FROM t GROUP BY k, g) GROUP BY g;`;
    const [q] = await engine.execute(sql);
    engine.input('t').push(rows.slice(0, 3));
    const err = await q!.processAllAvailable().catch((e: unknown) => e);
    await engine.stop();
    expect((err as Error).message).toMatch(/function top_word has no retract method, which it needs here: its input is an updating stream/);
    const line = sql.split('\n').findIndex((l) => l.includes('top_word(k)'));
    expect((err as WeirError).span).toMatchObject({ line: line + 1, column: sql.split('\n')[line]!.indexOf('top_word(k)') + 1 });
  });

  it('keeps an accumulator changed in place, and a UDAF without retract over an append-only input', async () => {
    const expected = await oracle.query(`SELECT g, arg_min(k, rowid) FILTER (WHERE length(k) = 1) AS t FROM t GROUP BY g`);
    const got = await runSplit(`${DDL('g INT, t STRING')}
      CREATE FUNCTION top_word AS '${FN}/top-word.mjs';
      INSERT INTO out SELECT g, top_word(k) AS t FROM t GROUP BY g;`, randomBatches(rows, seeded(SEED + 3)));
    expectSameRows(got, expected);
  });
});

describe('UDAFs in window aggregations', () => {
  it('a TUMBLE window TVF aggregation equals DuckDB', async () => {
    const expected = await oracle.query(`SELECT k, time_bucket(INTERVAL 10 SECOND, ts) AS ws, ${DUCK_WAVG} AS wa FROM t
      GROUP BY ALL`);
    const got = await runSplit(`${DDL('k STRING, ws TIMESTAMP(3), wa DOUBLE')}
      INSERT INTO out SELECT k, window_start, wavg(v, w) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
      GROUP BY k, window_start, window_end;`, randomBatches(rows, seeded(SEED + 4)));
    // the windows that closed: those ending at or before the last watermark
    const closed = expected.filter((e) => (e.ws as number) + 10_000 <= -5000 + Math.max(...rows.map((x) => x.ts as number)));
    expectSameRows(got, closed);
  });

  it('a group window GROUP BY TUMBLE(ts, …) and a HOP window TVF equal DuckDB', async () => {
    const last = Math.max(...rows.map((x) => x.ts as number)) - 5000;
    const tumble = (await oracle.query(`SELECT k, time_bucket(INTERVAL 10 SECOND, ts) AS ws, ${DUCK_WAVG} AS wa FROM t GROUP BY ALL`))
      .filter((e) => (e.ws as number) + 10_000 <= last);
    const grouped = await runSplit(`${DDL('k STRING, ws TIMESTAMP(3), wa DOUBLE')}
      INSERT INTO out SELECT k, TUMBLE_START(ts, INTERVAL '10' SECOND), wavg(v, w) FROM t GROUP BY k, TUMBLE(ts, INTERVAL '10' SECOND);`,
    randomBatches(rows, seeded(SEED + 6)));
    expectSameRows(grouped, tumble);
    // HOP 10 s every 5 s: each row in the two windows starting at its 5 s bucket and the one before
    const hop = (await oracle.query(`SELECT k, ws, ${DUCK_WAVG} AS wa FROM (
        SELECT *, time_bucket(INTERVAL 5 SECOND, ts) AS ws FROM t UNION ALL SELECT *, time_bucket(INTERVAL 5 SECOND, ts) - INTERVAL 5 SECOND FROM t)
      GROUP BY ALL`)).filter((e) => (e.ws as number) + 10_000 <= last);
    const hopped = await runSplit(`${DDL('k STRING, ws TIMESTAMP(3), wa DOUBLE')}
      INSERT INTO out SELECT k, window_start, wavg(v, w) FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
      GROUP BY k, window_start, window_end;`, randomBatches(rows, seeded(SEED + 7)));
    expectSameRows(hopped, hop);
  });
});

/**
 * Session windows by a reference implementation: per key, a row within `gap` ms of the previous one
 * (exactly `gap` included: windows that touch merge, as Flink's TimeWindow.intersects and the
 * window oracle's `ts - lag(ts) <= gap`) shares its session.
 */
function sessions(input: readonly Row[], gap: number, lastWatermark: number): Row[] {
  const byKey = new Map<unknown, Row[]>();
  for (const r of input) byKey.set(r.k, [...(byKey.get(r.k) ?? []), r]);
  const out: Row[] = [];
  for (const [k, rs] of byKey) {
    rs.sort((a, b) => (a.ts as number) - (b.ts as number));
    let cur: Row[] = [];
    const flush = () => {
      const end = (cur[cur.length - 1]!.ts as number) + gap;
      if (end > lastWatermark) return; // still open
      const both = cur.filter((r) => r.v !== null && r.w !== null);
      const sw = both.reduce((s, r) => s + (r.w as number), 0);
      out.push({ k, ws: cur[0]!.ts, we: end, wa: both.length === 0 || sw === 0 ? null : both.reduce((s, r) => s + (r.v as number) * (r.w as number), 0) / sw });
    };
    for (const r of rs) {
      if (cur.length > 0 && (r.ts as number) > (cur[cur.length - 1]!.ts as number) + gap) {
        flush();
        cur = [];
      }
      cur.push(r);
    }
    flush();
  }
  return out;
}

describe('UDAFs in session windows (merge)', () => {
  it('a SESSION window TVF aggregation equals the reference sessions over random batch splits', async () => {
    const lastWatermark = Math.max(...rows.map((x) => x.ts as number)) - 5000;
    const expected = sessions(rows, 3000, lastWatermark);
    const got = await runSplit(`${DDL('k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), wa DOUBLE')}
      INSERT INTO out SELECT k, window_start, window_end, wavg(v, w) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '3' SECOND))
      GROUP BY k, window_start, window_end;`, randomBatches(rows, seeded(SEED + 5)));
    expectSameRows(got, expected);
  });

  it('refuses a session merge of a UDAF without merge, saying so', async () => {
    const noMerge = { kind: 'aggregate' as const, returns: 'BIGINT', create: () => 0, accumulate: (a: unknown) => (a as number) + 1, result: (a: unknown) => a };
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerAggregateFunction('cnt', noMerge);
    const [q] = await engine.execute(`CREATE TABLE t (${weirColumns(INPUT)}, WATERMARK FOR ts AS ts - INTERVAL '30' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT k, cnt(v) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;`);
    engine.input('t').push([{ k: 'a', v: 1, w: 1, ts: 0 }, { k: 'a', v: 1, w: 1, ts: 20_000 }]);
    await q!.processAllAvailable();
    engine.input('t').push([{ k: 'a', v: 1, w: 1, ts: 9_000 }]);
    const err = await q!.processAllAvailable().catch((e: unknown) => e);
    await engine.stop();
    expect((err as Error).message).toMatch(/function cnt has no merge method, which merging session windows needs/);
  });
});

describe('UDAF state across restarts', () => {
  it('a group aggregation restarted from its checkpoint equals DuckDB', async () => {
    const expected = await oracle.query(`SELECT k, ${DUCK_WAVG} AS wa FROM t GROUP BY k`);
    const half = Math.floor(rows.length / 2);
    await testStream(`${DDL('k STRING, wa DOUBLE')} INSERT INTO out SELECT k, wavg(v, w) AS wa FROM t GROUP BY k;`, [
      addData('t', rows.slice(0, half / 2)),
      addData('t', rows.slice(half / 2, half)),
      stopAndRestart(),
      addData('t', rows.slice(half, half + 100)),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', rows.slice(half + 100)),
      execute((env) => expectSameRows(env.engine.output('out').rows(), expected)),
    ], { checkpointDir: tempDir('weir-udaf-'), settings: { 'output-mode': 'update' } });
  });
});

describe('UDAF errors', () => {
  const BAD = `${FN}/bad-functions.mjs`;
  const sqlWith = (fn: string, select: string) => `
    CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'memory');
    CREATE TABLE out (g INT, n INT) WITH ('connector' = 'memory');
    CREATE FUNCTION ${fn} AS '${BAD}';
    INSERT INTO out ${select};`;

  const runError = (sql: string, input: readonly Row[] = [{ g: 1, v: 1 }, { g: 1, v: 3 }]): Promise<WeirError> =>
    queryError(new Engine({ clock: new ManualClock(0) }), sql, input);

  it('names a missing method, a bad returns type and an unknown kind at the CREATE FUNCTION', async () => {
    const e1 = await runError(sqlWith('no_result', 'SELECT g, no_result(v) FROM t GROUP BY g'));
    expect(e1.message).toBe(`function no_result of module '${BAD}': a function of kind 'aggregate' needs a method 'result'`);
    expect(e1.span).toMatchObject({ line: 4 });
    const e2 = await runError(sqlWith('bad_returns', 'SELECT g, bad_returns(v) FROM t GROUP BY g'));
    expect(e2.message).toMatch(/function bad_returns of module '.*': 'returns': unknown type 'WIBBLE'/);
    const e3 = await runError(sqlWith('bad_kind', 'SELECT g, bad_kind(v) FROM t GROUP BY g'));
    expect(e3.message).toMatch(/function bad_kind of module '.*': unknown kind "window": expected one of 'aggregate', 'table'/);
  });

  it('fails the query when accumulate throws, naming the function and the row\'s arguments, at the call', async () => {
    const sql = sqlWith('throws', 'SELECT g, throws(v) FROM t GROUP BY g');
    const e = await runError(sql);
    expect(e.message).toBe('function throws failed in accumulate on the row with throws(3): too big');
    const line = sql.split('\n').findIndex((l) => l.includes('throws(v)'));
    expect(e.span).toMatchObject({ line: line + 1, column: sql.split('\n')[line]!.indexOf('throws(v)') + 1 });
  });

  it('checks the result against the declared type', async () => {
    const e = await runError(sqlWith('wrong_result', 'SELECT g, wrong_result(v) FROM t GROUP BY g'));
    expect(e.message).toMatch(/^function wrong_result returned "many" .*it declares INT/);
  });

  it('refuses an accumulator that is not plain data when it is saved for the checkpoint', async () => {
    const e = await runError(sqlWith('map_acc', 'SELECT g, map_acc(v) FROM t GROUP BY g'));
    expect(e.message).toBe('function map_acc: the accumulator must be plain data (numbers, strings, booleans, null, arrays, plain objects) '
      + 'to be saved in the checkpoint, but the accumulator is a Map, not a plain object or array');
  });

  it('refuses a UDAF outside a grouped query\'s select list, and DISTINCT, and CREATE AGGREGATE FUNCTION', async () => {
    const e1 = await runError(sqlWith('throws', 'SELECT g, 1 FROM t WHERE throws(v) > 1'));
    expect(e1.message).toBe('aggregate function THROWS is not allowed in WHERE');
    const e2 = await runError(sqlWith('throws', 'SELECT g, throws(DISTINCT v) FROM t GROUP BY g'));
    expect(e2.message).toBe('DISTINCT in a user-defined aggregate (THROWS) is not supported yet');
    const e3 = await runError(`CREATE AGGREGATE FUNCTION f AS '${BAD}';`);
    expect(e3.message).toMatch(/^CREATE AGGREGATE FUNCTION is not supported: write CREATE FUNCTION name AS 'module.js' with a module whose export has kind 'aggregate'/);
    expect(e3.span).toMatchObject({ line: 1, column: 8 });
  });
});

describe('EXPLAIN of UDAFs', () => {
  it('shows the call in the aggregate; a module not imported yet is assumed an aggregate in a query with GROUP BY, and the note says so', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const insert = 'INSERT INTO out SELECT k, wavg(v, w) FILTER (WHERE g > 0) AS wa FROM t GROUP BY k;';
    const text = await engine.explain(`${DDL('k STRING, wa DOUBLE')} ${insert}`);
    expect(text).toMatch(/Aggregate\(keys=\[k#0\], aggs=\[wa=wavg\(v#2, w#3\) FILTER \(WHERE gt\(g#1, 0\)\)\]/);
    expect(text).toContain('and so is its kind: it is assumed to be an aggregate where a query with GROUP BY calls it outside an aggregate\'s argument');
    // once imported (a query ran), EXPLAIN knows the kind and the type, and adds no note
    const [q] = await engine.execute(insert);
    expect(q!.explain()).toMatch(/Aggregate\(keys=\[k#0\], aggs=\[wa=wavg\(v#2, w#3\) FILTER \(WHERE gt\(g#1, 0\)\)\], mode=update\) \[operator 0\]/);
    expect(await engine.explain(`INSERT INTO out SELECT k, wavg(v, w) AS wa FROM t GROUP BY k;`)).not.toContain('Note:');
    await engine.stop();
  });
});
