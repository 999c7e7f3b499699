/**
 * Late rows: counted exactly per batch, kept in the table `SET 'late-rows.table'` names (memory and
 * filesystem), with the watermark at the time and the operator that refused them; and window state
 * that stays bounded over a long stream as windows close.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { addData, checkAnswer, checkProgress, execute, testStream } from '../support/stream-test.js';

const BIDS = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE w (item STRING, ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
`;
const TUMBLE = `INSERT INTO w SELECT item, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY item, window_start, window_end;`;
const SESSION = `INSERT INTO w SELECT item, window_start, COUNT(*) FROM TABLE(SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '2' SECOND))
  GROUP BY item, window_start, window_end;`;

describe('late rows', () => {
  it('go to a memory late-rows table with the watermark and the operator, and are counted per batch', async () => {
    await testStream(`${BIDS}
      CREATE TABLE late (item STRING, ts TIMESTAMP(3), watermark TIMESTAMP(3), operator STRING, batch_id BIGINT)
        WITH ('connector' = 'memory');
      SET 'late-rows.table' = 'late';
      ${TUMBLE}`, [
      addData('bids', [{ item: 'a', price: 1, ts: 1000 }, { item: 'a', price: 2, ts: 21_000 }]), // watermark → 20 s; batch 1 closes [0, 10)
      addData('bids', [{ item: 'b', price: 3, ts: 5000 }, { item: 'c', price: 4, ts: 9999 }, { item: 'd', price: 5, ts: 20_000 }]),
      checkProgress((p) => {
        expect(p.numInputRows).toBe(3);
        expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(2); // [0,10) closed; [20,30) open
      }),
      checkAnswer('late', [
        { item: 'b', ts: 5000, watermark: 20_000, operator: 'windowAggregate[0]', batch_id: 2 },
        { item: 'c', ts: 9999, watermark: 20_000, operator: 'windowAggregate[0]', batch_id: 2 },
      ]),
      addData('bids', [{ item: 'e', price: 6, ts: 32_000 }]), // watermark → 31 s: [20, 30) closes
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(0)),
      checkAnswer('w', [{ item: 'a', ws: 0, n: 1 }, { item: 'a', ws: 20_000, n: 1 }, { item: 'd', ws: 20_000, n: 1 }]),
    ]);
  });

  it('from a session window: late when ts + gap is at or below the watermark', async () => {
    await testStream(`${BIDS}
      CREATE TABLE late (ts TIMESTAMP(3), operator STRING, watermark TIMESTAMP(3)) WITH ('connector' = 'memory');
      SET 'late-rows.table' = 'late';
      ${SESSION}`, [
      addData('bids', [{ item: 'a', price: 1, ts: 10_000 }]), // watermark → 9 s
      addData('bids', [{ item: 'a', price: 1, ts: 7000 }, { item: 'a', price: 1, ts: 7001 }]), // 7 s + 2 s ≤ 9 s: late
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)),
      checkAnswer('late', [{ ts: 7000, operator: 'sessionAggregate[0]', watermark: 9000 }]),
    ]);
  });

  it('go to a filesystem table, written once per batch that had late rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weir-late-'));
    await testStream(`${BIDS}
      CREATE TABLE late (item STRING, ts TIMESTAMP(3), watermark TIMESTAMP(3), operator STRING)
        WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
      SET 'late-rows.table' = 'late';
      ${TUMBLE}`, [
      addData('bids', [{ item: 'a', price: 1, ts: 30_000 }]),
      addData('bids', [{ item: 'x', price: 1, ts: 1000 }, { item: 'y', price: 1, ts: 35_000 }]),
      addData('bids', [{ item: 'z', price: 1, ts: 2000 }]),
    ]);
    expect(readdirSync(path.join(dir, '_manifest')).sort()).toEqual(['00000001', '00000002']);
    const lines = readdirSync(dir).filter((f) => f.startsWith('part-')).sort()
      .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { item: 'x', ts: '1970-01-01T00:00:01.000Z', watermark: '1970-01-01T00:00:29.000Z', operator: 'windowAggregate[0]' },
      { item: 'z', ts: '1970-01-01T00:00:02.000Z', watermark: '1970-01-01T00:00:34.000Z', operator: 'windowAggregate[0]' },
    ]);
  });

  it('refuses a late-rows table with a column the late rows do not have, before the query starts', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    // the late rows carry the columns the window reads (here item and ts: price is pruned away)
    await expect(engine.execute(`${BIDS}
      CREATE TABLE late (item STRING, price INT) WITH ('connector' = 'memory');
      SET 'late-rows.table' = 'late';
      ${TUMBLE}`)).rejects.toThrow("late-rows table 'late': column 'price' is not a column of the late rows; they have item, ts, watermark, operator, batch_id");
    await expect(engine.execute(`SET 'late-rows.table' = 'nope'; ${TUMBLE}`)).rejects.toThrow(/'late-rows.table' names 'nope', which is not a table/);
    await engine.stop();
  });
});

describe('window state over a long stream', () => {
  it('stays bounded as windows close, and progress shows the open windows', async () => {
    const batches = 60;
    await testStream(`${BIDS}${TUMBLE}`, [
      execute(async (env) => {
        for (let b = 0; b < batches; b++) {
          // 50 rows a batch over 5 s of event time, 5 items: each batch touches at most two windows
          const rows = Array.from({ length: 50 }, (_, i) => ({ item: `k${i % 5}`, price: i, ts: b * 5000 + i * 100 }));
          env.engine.input('bids').push(rows);
          await env.queries[0]!.processAllAvailable();
          const p = env.queries[0]!.lastProgress!;
          const op = p.stateOperators[0]!;
          // 5 items × at most 2 open 10-second windows
          expect(op.numRowsTotal).toBeLessThanOrEqual(10);
          expect(op.numOpenWindows).toBeLessThanOrEqual(2);
          const wm = Date.parse(p.eventTime.watermark ?? '1970-01-01T00:00:00Z');
          if (op.oldestOpenWindowEnd) expect(Date.parse(op.oldestOpenWindowEnd)).toBeGreaterThan(wm);
        }
      }),
      checkProgress((p, all) => {
        expect(all.length).toBeGreaterThanOrEqual(batches);
        // every batch reads rows from one 5-second slice: min, max and average event time
        const last = all.filter((x) => x.numInputRows > 0).at(-1)!;
        const base = (batches - 1) * 5000;
        expect(last.eventTime.min).toBe(new Date(base).toISOString());
        expect(last.eventTime.max).toBe(new Date(base + 4900).toISOString());
        expect(last.eventTime.avg).toBe(new Date(base + 2450).toISOString());
        expect(p.stateOperators[0]!.numOpenWindows).toBe(1);
        expect(p.stateOperators[0]!.oldestOpenWindowEnd).toBe(new Date(Math.ceil((base + 4900 + 1) / 10_000) * 10_000).toISOString());
      }),
    ]);
  });
});

/**
 * Complete mode keeps every window and emits the whole result each batch, so a row behind the
 * watermark still counts in its window: the result equals the same query over all rows as one batch
 * (as Spark's complete mode). Append and update modes keep dropping such rows.
 */
describe('late rows in complete mode', () => {
  const HOP = `INSERT INTO w SELECT item, window_start, COUNT(*) FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
    GROUP BY item, window_start, window_end;`;
  // batch 1 moves the watermark to 39 s; every row of batches 2 and 3 is behind it
  const BATCHES: readonly (readonly Record<string, unknown>[])[] = [
    [{ item: 'a', price: 1, ts: 1000 }, { item: 'b', price: 2, ts: 12_000 }, { item: 'a', price: 3, ts: 40_000 }],
    [{ item: 'a', price: 4, ts: 2000 }, { item: 'b', price: 5, ts: 13_000 }, { item: 'c', price: 6, ts: 3000 }],
    [{ item: 'a', price: 7, ts: 9999 }, { item: 'b', price: 8, ts: 30_500 }],
  ];

  /** The query over every row in one batch: nothing is behind the watermark of the first batch. */
  async function batchAnswer(insert: string): Promise<Record<string, unknown>[]> {
    const env = await testStream(`${BIDS}${insert}`, [addData('bids', BATCHES.flat())], { settings: { 'output-mode': 'complete' } });
    return env.engine.output('w').rows();
  }

  it.each([['TUMBLE', TUMBLE], ['HOP', HOP], ['SESSION', SESSION]])('%s: late rows are counted, as the batch answer', async (_name, insert) => {
    const expected = await batchAnswer(insert);
    await testStream(`${BIDS}${insert}`, [
      addData('bids', BATCHES[0]!),
      addData('bids', BATCHES[1]!),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(0)),
      addData('bids', BATCHES[2]!),
      checkProgress((p, all) => {
        expect(Date.parse(p.eventTime.watermark!)).toBe(39_000);
        expect(all.reduce((n, x) => n + (x.stateOperators[0]?.numRowsDroppedByWatermark ?? 0), 0)).toBe(0);
      }),
      checkAnswer('w', expected),
    ], { settings: { 'output-mode': 'complete' } });
  });

  it('TUMBLE: the complete result holds the late rows in their windows', async () => {
    await testStream(`${BIDS}${TUMBLE}`, [
      addData('bids', BATCHES[0]!),
      addData('bids', BATCHES[1]!),
      addData('bids', BATCHES[2]!),
      checkAnswer('w', [
        { item: 'a', ws: 0, n: 3 }, { item: 'c', ws: 0, n: 1 }, { item: 'b', ws: 10_000, n: 2 },
        { item: 'b', ws: 30_000, n: 1 }, { item: 'a', ws: 40_000, n: 1 },
      ]),
    ], { settings: { 'output-mode': 'complete' } });
  });

  it.each(['append', 'update'])('%s mode still drops them and counts them', async (mode) => {
    await testStream(`${BIDS}${TUMBLE}`, [
      addData('bids', BATCHES[0]!),
      addData('bids', BATCHES[1]!),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(3)),
      addData('bids', BATCHES[2]!),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)), // 9999 is late, 30 500 is not
    ], { settings: { 'output-mode': mode } });
  });
});
