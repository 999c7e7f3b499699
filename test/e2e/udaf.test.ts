/**
 * User-defined aggregate functions (UDAFs) written in JavaScript, against DuckDB's built-in
 * aggregates computing the same thing: a weighted average (with retract and merge) in a group
 * aggregation over random batch splits, over an updating input (retractions), and in a TUMBLE window
 * TVF aggregation and a session window; restarts from the checkpoint. Seeds are printed and replay
 * from UDAF_SEED.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
