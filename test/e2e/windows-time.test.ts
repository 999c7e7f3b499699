/**
 * Time domains: processing-time windows that follow a ManualClock (PROCTIME() as a computed column
 * and in a view, window TVF and group window), and chained event-time window aggregations, where
 * each stateful operator judges its input against its own input watermark.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { addData, advanceClock, checkAnswer, checkProgress, execute, sortRows, testStream, type Row } from '../support/stream-test.js';
import { rng } from '../support/window-oracle.js';

const PROC = `
  SET 'trigger' = '1 second';
  CREATE TABLE clicks (item STRING, ts TIMESTAMP(3), pt AS PROCTIME(), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE w (ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
`;

describe('processing-time windows', () => {
  it('close when the clock passes their end, with rows stamped by the batch time, never late', async () => {
    await testStream(`${PROC}
      INSERT INTO w SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(pt), INTERVAL '10' SECOND))
        GROUP BY window_start, window_end;`, [
      addData('clicks', [{ item: 'a', ts: 500_000 }, { item: 'b', ts: 500_000 }]), // clock 0: window [0, 10 s)
      advanceClock(4000),
      // event time far behind the watermark (499 s): irrelevant to a processing-time window
      addData('clicks', [{ item: 'c', ts: 1000 }]),
      checkAnswer('w', []),
      advanceClock(5999),
      checkAnswer('w', []), // clock 9.999 s: still open
      checkProgress((p) => {
        expect(p.stateOperators[0]!.numOpenWindows).toBe(1);
        expect(p.stateOperators[0]!.oldestOpenWindowEnd).toBe('1970-01-01T00:00:10.000Z');
        expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(0);
      }),
      advanceClock(1),
      checkAnswer('w', [{ ws: 0, we: 10_000, n: 3 }]),
      advanceClock(2000),
      addData('clicks', [{ item: 'd', ts: 0 }]), // clock 12 s: window [10 s, 20 s)
      advanceClock(8000),
      checkAnswer('w', [{ ws: 0, we: 10_000, n: 3 }, { ws: 10_000, we: 20_000, n: 1 }]),
      checkProgress((_, all) => {
        expect(all.reduce((a, p) => a + p.stateOperators[0]!.numRowsDroppedByWatermark, 0)).toBe(0);
        expect(all.at(-1)!.stateOperators[0]!.numOpenWindows).toBe(0);
      }),
    ]);
  });

  it('work as a group window over PROCTIME() in a view, and flush when the input ends', async () => {
    const env = await testStream(`${PROC}
      CREATE VIEW v AS SELECT item, PROCTIME() AS p FROM clicks;
      CREATE TABLE g (item STRING, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO g SELECT item, TUMBLE_START(p, INTERVAL '5' SECOND), TUMBLE_END(p, INTERVAL '5' SECOND), COUNT(*)
        FROM v GROUP BY item, TUMBLE(p, INTERVAL '5' SECOND);`, [
      addData('clicks', [{ item: 'a', ts: 0 }, { item: 'a', ts: 0 }, { item: 'b', ts: 0 }]),
      advanceClock(3000),
      addData('clicks', [{ item: 'a', ts: 0 }]),
      advanceClock(2000),
      checkAnswer('g', [{ item: 'a', ws: 0, we: 5000, n: 3 }, { item: 'b', ws: 0, we: 5000, n: 1 }]),
      addData('clicks', [{ item: 'c', ts: 0 }]),
      execute(async ({ engine, queries }) => {
        engine.input('clicks').end();
        // the last batch: every input ended, so the watermark is +∞ and every window closes
        await queries[0]!.processAllAvailable();
        expect(await queries[0]!.awaitTermination(5000)).toBe(true);
      }),
      checkAnswer('g', [{ item: 'a', ws: 0, we: 5000, n: 3 }, { item: 'b', ws: 0, we: 5000, n: 1 }, { item: 'c', ws: 5000, we: 10_000, n: 1 }]),
    ]);
    expect(env.queries[0]!.explain()).toContain('mode=append');
  });
});

const EVENTS = `
  CREATE TABLE bids (item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE per_minute (ws TIMESTAMP(3), we TIMESTAMP(3), total BIGINT) WITH ('connector' = 'memory');
`;
const TVF_CHAIN = `
  CREATE VIEW ten AS SELECT item, window_start AS s10, window_time AS rt, COUNT(*) AS c
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY item, window_start, window_end, window_time;
  INSERT INTO per_minute SELECT window_start, window_end, SUM(c)
    FROM TABLE(TUMBLE(TABLE ten, DESCRIPTOR(rt), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;
`;
const GROUP_CHAIN = `
  CREATE VIEW ten AS SELECT item, TUMBLE_ROWTIME(ts, INTERVAL '10' SECOND) AS rt, COUNT(*) AS c
    FROM bids GROUP BY item, TUMBLE(ts, INTERVAL '10' SECOND);
  INSERT INTO per_minute SELECT TUMBLE_START(rt, INTERVAL '1' MINUTE), TUMBLE_END(rt, INTERVAL '1' MINUTE), SUM(c)
    FROM ten GROUP BY TUMBLE(rt, INTERVAL '1' MINUTE);
`;

/** 600 rows over 0–240 s in 20 batches, out of order within the 5-second delay. */
function chainBatches(): { item: string; ts: number }[][] {
  const r = rng(11);
  const rows = Array.from({ length: 600 }, (_, i) => ({ item: `k${i % 4}`, ts: Math.floor(i * 400 + r() * 3000) }));
  rows.sort((a, b) => a.ts - b.ts);
  return Array.from({ length: 20 }, (_, b) => rows.slice(b * 30, b * 30 + 30));
}

describe('chained window aggregations', () => {
  it.each([['window TVFs', TVF_CHAIN], ['group windows', GROUP_CHAIN]])('%s: a 1-minute window over 10-second windows', async (_, sql) => {
    for (const mode of ['append', 'update']) {
      const batches = chainBatches();
      const expected = new Map<number, number>();
      for (const row of batches.flat()) expected.set(Math.floor(row.ts / 60_000) * 60_000, (expected.get(Math.floor(row.ts / 60_000) * 60_000) ?? 0) + 1);
      const seen: number[] = [];
      const env = await testStream(`SET 'output-mode' = '${mode}';${EVENTS}${sql}`, [
        execute(async ({ engine, queries }) => {
          let max = -Infinity;
          for (const b of batches) {
            engine.input('bids').push(b);
            await queries[0]!.processAllAvailable();
            for (const x of b) max = Math.max(max, x.ts);
            if (mode !== 'append') continue;
            // append: a minute is emitted once the watermark (max - 5 s) has passed its end, not before
            const out = engine.output('per_minute').rows() as Row[];
            for (const row of out) expect(row.we as number).toBeLessThanOrEqual(max - 5000);
            seen.push(out.length);
          }
          engine.input('bids').end();
          expect(await queries[0]!.awaitTermination(5000)).toBe(true);
        }),
      ]);
      const actual = env.engine.output('per_minute').rows() as Row[];
      expect(sortRows(actual)).toEqual(sortRows([...expected].map(([ws, total]) => ({ ws, we: ws + 60_000, total }))));
      if (mode === 'append') {
        expect(seen.at(-1)).toBe(3); // minutes 0–2 closed by the watermark before the input ended
        const changes = env.engine.output('per_minute').changes();
        expect(changes.length).toBe(expected.size); // each minute exactly once
      }
      const dropped = env.queries[0]!.recentProgress.reduce((a, p) => a + p.stateOperators.reduce((x, s) => x + s.numRowsDroppedByWatermark, 0), 0);
      expect(dropped).toBe(0);
    }
  });

  it('refuses complete mode, where the downstream aggregation would count upstream results again', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await expect(engine.execute(`SET 'output-mode' = 'complete';${EVENTS}${TVF_CHAIN}`))
      .rejects.toThrow(/complete output mode is not supported for an aggregation fed by another aggregation/);
    await engine.stop();
  });
});

describe('session partitions', () => {
  const DDL2 = `
    CREATE TABLE s (price INT, extra STRING, item STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
    CREATE TABLE o (item STRING, ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');`;

  it('sessionizes per PARTITION BY key, also when unused columns are pruned before it', async () => {
    await testStream(`${DDL2}
      INSERT INTO o SELECT item, window_start, COUNT(*) FROM TABLE(SESSION(TABLE s PARTITION BY item, DESCRIPTOR(ts), INTERVAL '2' SECOND))
        GROUP BY item, window_start, window_end;`, [
      addData('s', [{ item: 'a', ts: 0 }, { item: 'b', ts: 1000 }, { item: 'a', ts: 2000 }, { item: 'a', ts: 9000 }]),
      execute(async ({ engine, queries }) => {
        engine.input('s').end();
        expect(await queries[0]!.awaitTermination(5000)).toBe(true);
      }),
      // rows exactly the gap apart (0 and 2 s) touch: one session
      checkAnswer('o', [{ item: 'a', ws: 0, n: 2 }, { item: 'b', ws: 1000, n: 1 }, { item: 'a', ws: 9000, n: 1 }]),
    ]);
  });

  it('refuses a GROUP BY without the PARTITION BY keys', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await expect(engine.execute(`${DDL2}
      INSERT INTO o SELECT 'x', window_start, COUNT(*) FROM TABLE(SESSION(TABLE s PARTITION BY item, DESCRIPTOR(ts), INTERVAL '2' SECOND))
        GROUP BY window_start, window_end;`)).rejects.toThrow(/SESSION window whose PARTITION BY keys are not all in GROUP BY/);
    await engine.stop();
  });
});
