/**
 * OVER aggregates on a rowtime order, as Flink's streaming OVER: rows come out once the watermark
 * passes them, in time order, each with its frame's aggregates. Checked against DuckDB's window
 * functions over the same rows (same frames) however the input is split into batches (seeded,
 * printed; replay with WEIR_SEED), across a restart, with state bounded by the frame, and the
 * refusals Flink makes (FOLLOWING, a non-time order, DESC) at their position.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { WeirError } from '../../src/common/errors.js';
import { expectSameRows, oracleQuery, seeded, type OracleColumn, type Row } from '../support/oracle.js';
import { propertySeed } from '../support/property.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, advanceClock, checkAnswer, checkProgress, execute, stopAndRestart, testStream } from '../support/stream-test.js';
import { runCli, tempDir as cliTempDir, writeSql } from '../support/cli.js';

afterEach(removeTempDirs);

const COLUMNS: OracleColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'v', type: 'INT' }, { name: 'tm', type: 'TIMESTAMP(3)' }];

const DDL = `
  CREATE TABLE t (k STRING, v INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '10' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE o (k STRING, v INT, tm TIMESTAMP(3), c BIGINT, s BIGINT, mn INT, mx INT, rs BIGINT, ru BIGINT, lv INT) WITH ('connector' = 'memory');`;

/** Several windows: calls sharing one window, ROWS n, ROWS UNBOUNDED, RANGE interval, RANGE UNBOUNDED (the default). */
const SELECT = (dialect: 'weir' | 'duckdb'): string => {
  const w = (frame: string): string => `OVER (PARTITION BY k ORDER BY tm ${frame})`;
  const range = dialect === 'weir' ? "RANGE BETWEEN INTERVAL '3' SECOND PRECEDING AND CURRENT ROW" : "RANGE BETWEEN INTERVAL 3 SECOND PRECEDING AND CURRENT ROW";
  return `SELECT k, v, tm,
    COUNT(*) ${w('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')} AS c, SUM(v) ${w('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')} AS s,
    MIN(v) ${w('ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW')} AS mn, MAX(v) ${w(range)} AS mx,
    SUM(v) ${w(range)} AS rs, SUM(v) ${dialect === 'weir' ? 'OVER (PARTITION BY k ORDER BY tm)' : w('RANGE UNBOUNDED PRECEDING')} AS ru,
    ${dialect === 'weir' ? 'LAST_VALUE(v)' : 'LAST_VALUE(v IGNORE NULLS)'} ${w('ROWS BETWEEN 2 PRECEDING AND CURRENT ROW')} AS lv FROM t`;
};

/** Rows of 3 keys; distinct times (ROWS frames order ties by arrival, which DuckDB does not know), several in 3 s; disorder under the watermark's 10 s. */
function generate(rand: () => number, n: number): Row[] {
  const times = new Set<number>();
  const rows: Row[] = [];
  let base = 1_000_000;
  for (let i = 0; i < n; i++) {
    base += Math.floor(rand() * 1500);
    let tm = base - Math.floor(rand() * 5000);
    while (times.has(tm)) tm++;
    times.add(tm);
    rows.push({ k: ['a', 'b', 'c'][Math.floor(rand() * 3)]!, v: rand() < 0.1 ? null : Math.floor(rand() * 100) - 20, tm });
  }
  return rows;
}

function split(rand: () => number, rows: readonly Row[]): Row[][] {
  const out: Row[][] = [];
  for (let i = 0; i < rows.length;) {
    const n = 1 + Math.floor(rand() * 12);
    out.push(rows.slice(i, i + n));
    i += n;
  }
  return out;
}

describe('OVER aggregates equal DuckDB\'s window functions', () => {
  it('whatever the batches (seeded)', async () => {
    const seed = propertySeed();
    for (let run = 0; run < 4; run++) {
      const rand = seeded(seed + run);
      const rows = generate(rand, 60);
      const engine = new Engine({ clock: new ManualClock(0) });
      const [q] = await engine.execute(`${DDL} INSERT INTO o ${SELECT('weir')};`);
      for (const batch of split(rand, rows)) {
        engine.input('t').push(batch);
        await q!.processAllAvailable();
      }
      engine.input('t').end();
      await q!.awaitTermination(10_000);
      const dropped = q!.recentProgress.flatMap((p) => p.stateOperators.map((s) => s.numRowsDroppedByWatermark)).reduce((a, b) => a + b, 0);
      expect(dropped, 'the disorder stays under the watermark delay').toBe(0);
      const expected = await oracleQuery('t', COLUMNS, rows, SELECT('duckdb'));
      expectSameRows(engine.output('o').rows(), expected, `seed ${seed + run}`);
      expect(engine.output('o').changes().every((c) => c.kind === 'insert'), 'append-only').toBe(true);
      await engine.stop();
    }
  });

  it.each(['filesystem', 'lmdb'])('across restarts (one re-running an uncommitted batch), with state bounded by the frames (%s)', async (backend) => {
    const rand = seeded(propertySeed());
    const rows = generate(rand, 80);
    const checkpointDir = tempDir('weir-over-');
    const last = rows.reduce((m, r) => Math.max(m, r.tm as number), 0);
    const released = (all: readonly Row[]): Row[] => all.filter((r) => (r.tm as number) <= last - 10_000);
    const expected = released(await oracleQuery('t', COLUMNS, rows, SELECT('duckdb')));
    await testStream(`${DDL} INSERT INTO o ${SELECT('weir')};`, [
      addData('t', rows.slice(0, 30)),
      checkProgress((p) => {
        // per partition at most 2 rows (ROWS 2), the rows within 3 s (RANGE), one accumulator (UNBOUNDED), plus rows waiting for the watermark
        for (const op of p.stateOperators) expect(op.numRowsTotal).toBeLessThanOrEqual(3 * 8 + 30);
      }),
      stopAndRestart(),
      addData('t', rows.slice(30, 55)),
      stopAndRestart({ dropLastCommit: true }),
      addData('t', rows.slice(55)),
      execute((env) => expectSameRows(env.engine.output('o').rows(), expected, 'after two restarts')),
      checkProgress((p) => {
        const unbounded = p.stateOperators.find((s) => s.numRowsTotal <= 3 + 10);
        expect(unbounded, 'an UNBOUNDED frame keeps an accumulator per key (and rows waiting)').toBeDefined();
      }),
    ], { checkpointDir, settings: { 'state.backend': backend } });
  });
});

describe('late rows', () => {
  it('drops and counts a row at or below the watermark, as the window operators do', async () => {
    const sql = `${DDL} INSERT INTO o (k, v, tm, c) SELECT k, v, tm, COUNT(*) OVER (PARTITION BY k ORDER BY tm ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM t;`;
    await testStream(sql, [
      addData('t', [{ k: 'a', v: 1, tm: 10_000 }, { k: 'a', v: 2, tm: 30_000 }]), // watermark 20 s: the first row comes out
      addData('t', [{ k: 'a', v: 3, tm: 15_000 }]), // late
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)),
      addData('t', [{ k: 'a', v: 4, tm: 50_000 }]), // watermark 40 s: 30 s comes out, counting only 10 s before it
      checkAnswer('o', [{ k: 'a', v: 1, tm: 10_000, c: 1 }, { k: 'a', v: 2, tm: 30_000, c: 2 }].map((r) => ({ ...r, s: null, mn: null, mx: null, rs: null, ru: null, lv: null }))),
    ]);
  });
});

describe('EXPLAIN and refusals', () => {
  const explainError = async (sql: string): Promise<WeirError> => {
    const e = await new Engine().explain(`${DDL} ${sql}`).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(WeirError);
    return e as WeirError;
  };
  const O = 'INSERT INTO o (k, v, tm, c) SELECT k, v, tm, COUNT(*) ';

  it('says which form runs', async () => {
    const text = await new Engine().explain(`${DDL} INSERT INTO o (k, v, tm, c) SELECT k, v, tm, COUNT(*) OVER (PARTITION BY k ORDER BY tm ROWS BETWEEN 5 PRECEDING AND CURRENT ROW) FROM t;`);
    expect(text).toContain('OverAggregate(partition=[k#0], order=tm#2, ROWS 5 PRECEDING, aggs=[count(*)], emit=watermark, input=append-only) [operator 0]');
    expect(text).toContain('output mode: append');
  });

  it('refuses FOLLOWING "not supported yet" at the bound', async () => {
    const sql = `${O}OVER (PARTITION BY k ORDER BY tm ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) FROM t;`;
    const e = await explainError(sql);
    expect(e.message).toMatch(/FOLLOWING.*not supported yet/);
    expect(e.span?.column).toBe(`${DDL} ${sql}`.split('\n').at(-1)!.indexOf('2 FOLLOWING') + 1);
  });

  it('weir run reports a refusal as FILE:LINE:COLUMN, exit 1', async () => {
    const script = `${DDL}\nINSERT INTO o (k, v, tm, c)\nSELECT k, v, tm, COUNT(*) OVER (PARTITION BY k ORDER BY v)\nFROM t;\n`;
    const file = writeSql(cliTempDir('weir-over-cli-'), script, 'over.sql');
    const r = await runCli(['run', file]);
    expect(r.code).toBe(1);
    const line = script.split('\n').findIndex((l) => l.startsWith('SELECT k, v, tm, COUNT')) + 1;
    const column = script.split('\n')[line - 1]!.indexOf('v)') + 1;
    expect(r.stderr.trim()).toBe(`${file}:${line}:${column}: OVER windows' ordering in stream mode must be defined on a time attribute, got 'v' of type INT`);
  });

  it('refuses an order on a column that is no time attribute, and DESC, as Flink', async () => {
    expect((await explainError(`${O}OVER (PARTITION BY k ORDER BY v) FROM t;`)).message).toMatch(/must be defined on a time attribute/);
    const notRowtime = await explainError(`${O}OVER (PARTITION BY k ORDER BY ts) FROM (SELECT k, v, tm, CAST(tm AS TIMESTAMP(3)) AS ts FROM t);`.replace('CAST(tm AS TIMESTAMP(3))', 'tm + INTERVAL \'1\' SECOND'));
    expect(notRowtime.message).toMatch(/time attribute: 'ts' is not one/);
    expect((await explainError(`${O}OVER (PARTITION BY k ORDER BY tm DESC) FROM t;`)).message).toMatch(/ascending/);
  });
});

describe('ORDER BY a rowtime on an append stream', () => {
  it('emits rows in time order as the watermark passes them, append-only', async () => {
    const sql = `
      CREATE TABLE t (k STRING, v INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '10' SECOND) WITH ('connector' = 'memory');
      CREATE TABLE s (k STRING, tm TIMESTAMP(3)) WITH ('connector' = 'memory');
      INSERT INTO s SELECT k, tm FROM t ORDER BY tm;`;
    expect(await new Engine().explain(sql)).toContain('Sort(order=tm#1 ASC, emit=watermark, input=append-only)');
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(sql);
    engine.input('t').push([{ k: 'a', v: 1, tm: 30_000 }, { k: 'b', v: 1, tm: 10_000 }, { k: 'c', v: 1, tm: 20_000 }]);
    await q!.processAllAvailable();
    engine.input('t').push([{ k: 'd', v: 1, tm: 45_000 }, { k: 'e', v: 1, tm: 25_000 }]);
    await q!.processAllAvailable();
    // watermark 35 s: everything up to it, in time order; 45 s waits
    expect(engine.output('s').rows().map((r) => r.k)).toEqual(['b', 'c', 'e', 'a']);
    await engine.stop();
  });

  it('refuses ORDER BY another column, or DESC, without LIMIT, clearly', async () => {
    const base = `CREATE TABLE t (k STRING, tm TIMESTAMP(3), WATERMARK FOR tm AS tm) WITH ('connector' = 'memory');
      CREATE TABLE s (k STRING, tm TIMESTAMP(3)) WITH ('connector' = 'memory');`;
    for (const order of ['k', 'tm DESC']) {
      const e = await new Engine().explain(`${base} INSERT INTO s SELECT k, tm FROM t ORDER BY ${order};`).then(() => undefined, (x: unknown) => x);
      expect((e as WeirError).message).toMatch(/only supported on a stream for one event-time attribute ascending/);
    }
  });
});

describe('the WINDOW clause', () => {
  it('names a window that several OVER calls share (one operator)', async () => {
    const sql = `${DDL} INSERT INTO o (k, v, tm, c, s) SELECT k, v, tm, COUNT(v) OVER w, SUM(v) OVER w FROM t
      WINDOW w AS (PARTITION BY k ORDER BY tm ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);`;
    const text = await new Engine().explain(sql);
    expect(text).toContain('OverAggregate(partition=[k#0], order=tm#2, ROWS 1 PRECEDING, aggs=[count(v#1), sum(v#1)], emit=watermark');
    expect(text.match(/OverAggregate\(/g)).toHaveLength(2); // logical and streaming plan: one node each
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(sql);
    engine.input('t').push([{ k: 'a', v: 1, tm: 1000 }, { k: 'a', v: 2, tm: 2000 }, { k: 'a', v: 4, tm: 3000 }]);
    engine.input('t').end();
    await q!.awaitTermination(10_000);
    expect(engine.output('o').rows().map((r) => [r.c, r.s])).toEqual([[1, 1], [2, 3], [2, 6]]);
    await engine.stop();
  });

  it('refuses a window it does not define, at the name', async () => {
    const sql = `${DDL} INSERT INTO o (k, v, tm, c) SELECT k, v, tm, COUNT(v) OVER w2 FROM t WINDOW w AS (PARTITION BY k ORDER BY tm);`;
    const e = await new Engine().explain(sql).then(() => undefined, (x: unknown) => x) as WeirError;
    expect(e.message).toBe("window 'w2' is not defined: the WINDOW clause defines w");
    expect(e.span?.column).toBe(sql.split('\n').at(-1)!.indexOf('w2') + 1);
  });
});

describe('OVER over an updating input (beyond Flink): frames recomputed, retractions emitted', () => {
  const UPDATING_DDL = `
    CREATE TABLE t (k STRING, v INT, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '10' SECOND) WITH ('connector' = 'memory');
    CREATE TABLE o (k STRING, tm TIMESTAMP(3), m INT, s BIGINT, rs BIGINT, cu BIGINT) WITH ('connector' = 'memory');`;
  /** the max per (k, tm) updates as rows come: the OVER input retracts */
  const QUERY = (dialect: 'weir' | 'duckdb'): string => {
    const range = dialect === 'weir' ? "INTERVAL '3' SECOND" : 'INTERVAL 3 SECOND';
    return `SELECT k, tm, m,
      SUM(m) OVER (PARTITION BY k ORDER BY tm ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s,
      SUM(m) OVER (PARTITION BY k ORDER BY tm RANGE BETWEEN ${range} PRECEDING AND CURRENT ROW) AS rs,
      COUNT(m) OVER (PARTITION BY k ORDER BY tm ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cu
      FROM (SELECT k, tm, MAX(v) AS m FROM t GROUP BY k, tm)`;
  };
  /** Few distinct times, so groups get several rows and their max changes. */
  function generateUpdating(rand: () => number, n: number): Row[] {
    return Array.from({ length: n }, () => ({
      k: ['a', 'b'][Math.floor(rand() * 2)]!, v: rand() < 0.1 ? null : Math.floor(rand() * 50), tm: 1_000_000 + 1000 * Math.floor(rand() * 12),
    }));
  }

  it('equals DuckDB whatever the batches, and across a restart (seeded)', async () => {
    const seed = propertySeed();
    for (let run = 0; run < 3; run++) {
      const rand = seeded(seed + 100 + run);
      const rows = generateUpdating(rand, 50);
      const expected = await oracleQuery('t', COLUMNS, rows, QUERY('duckdb'));
      const batches = split(rand, rows);
      const cut = Math.floor(batches.length / 2);
      const env = await testStream(`${UPDATING_DDL} INSERT INTO o ${QUERY('weir')};`, [
        ...batches.slice(0, cut).map((b) => addData('t', b)),
        stopAndRestart(),
        ...batches.slice(cut).map((b) => addData('t', b)),
        execute((e) => expectSameRows(e.engine.output('o').rows(), expected, `seed ${seed + 100 + run}`)),
      ], { checkpointDir: tempDir('weir-over-upd-'), settings: { 'state.backend': run % 2 === 0 ? 'filesystem' : 'lmdb' } });
      const kinds = new Set(env.engine.output('o').changes().map((c) => c.kind));
      expect(kinds.has('delete'), 'rows were retracted as frames changed').toBe(true);
    }
  });

  it('says so in EXPLAIN and runs in update mode', async () => {
    const text = await new Engine().explain(`${UPDATING_DDL} INSERT INTO o ${QUERY('weir')};`);
    expect(text).toContain('output mode: update');
    expect(text).toMatch(/OverAggregate\(partition=\[k#0\], order=tm#1, ROWS 2 PRECEDING, aggs=\[sum\(m#2\)\], emit=recompute, input=retracting\)/);
    const e = await new Engine().explain(`${UPDATING_DDL} SET 'output-mode' = 'append'; INSERT INTO o ${QUERY('weir')};`).then(() => undefined, (x: unknown) => x);
    expect((e as WeirError).message).toMatch(/append output mode not supported (when there are streaming aggregations|for an OVER aggregation)/);
  });
});

describe('OVER on processing time (Flink\'s proctime OVER)', () => {
  it('gives each row its frame in the batch that reads it; RANGE reaches back by the clock', async () => {
    const sql = `
      CREATE TABLE t (k STRING, v INT, pt AS PROCTIME()) WITH ('connector' = 'memory');
      CREATE TABLE o (k STRING, v INT, c BIGINT, s BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, v,
        COUNT(*) OVER (PARTITION BY k ORDER BY pt RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW),
        SUM(v) OVER (PARTITION BY k ORDER BY pt ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t;`;
    expect(await new Engine().explain(sql)).toContain('emit=arrival, input=append-only');
    const env = await testStream(sql, [
      advanceClock(1000),
      addData('t', [{ k: 'a', v: 1 }, { k: 'a', v: 2 }]), // one batch at 1 s: peers for RANGE
      advanceClock(1500),
      addData('t', [{ k: 'a', v: 4 }]), // 2.5 s: the rows from 0.5 s on
      advanceClock(2500),
      addData('t', [{ k: 'a', v: 8 }]), // 5 s: the rows from 3 s on: itself
      checkAnswer('o', [
        { k: 'a', v: 1, c: 2, s: 1 }, { k: 'a', v: 2, c: 2, s: 3 }, { k: 'a', v: 4, c: 3, s: 6 }, { k: 'a', v: 8, c: 1, s: 12 },
      ]),
    ]);
    expect(env.engine.output('o').changes().every((c) => c.kind === 'insert')).toBe(true);
  });
});
