/**
 * Stop-and-restart in the stream DSL: a query stopped after some batches and started again in a new
 * engine on the same checkpoint continues where it stopped: no input row lost, none counted twice,
 * the same watermark, and the batch ids go on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { addData, checkAnswer, checkProgress, execute, stopAndRestart, testStream, type StreamEnv } from '../support/stream-test.js';
import { tempDir, removeTempDirs } from '../support/recovery.js';

afterEach(removeTempDirs);

const BIDS = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');`;

const KEYED = `${BIDS}
  CREATE TABLE totals (item STRING, n BIGINT, total BIGINT, top INT) WITH ('connector' = 'memory');
  INSERT INTO totals SELECT item, COUNT(*), SUM(price), MAX(price) FROM bids GROUP BY item;`;

const WINDOWED = `${BIDS}
  CREATE TABLE w (item STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
    WITH ('connector' = 'memory');
  INSERT INTO w SELECT item, window_start, window_end, COUNT(*), SUM(price)
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY item, window_start, window_end;`;

/** The progress of the first query (the latest batch), read when the action runs. */
const lastProgress = (env: StreamEnv): QueryProgress => env.queries[0]!.lastProgress!;

describe('stop and restart from the checkpoint (stream DSL)', () => {
  it('keeps a keyed aggregation in update mode: state survives, nothing counted twice', async () => {
    let before: QueryProgress | undefined;
    await testStream(KEYED, [
      addData('bids', [{ item: 'lamp', price: 12, ts: 1000 }, { item: 'desk', price: 5, ts: 1500 }]),
      addData('bids', [{ item: 'lamp', price: 30, ts: 2000 }]),
      checkAnswer('totals', [{ item: 'lamp', n: 2, total: 42, top: 30 }, { item: 'desk', n: 1, total: 5, top: 5 }]),
      execute((env) => { before = lastProgress(env); }),
      stopAndRestart(),
      // nothing new: the restart runs no batch (it would re-count the input)
      execute((env) => expect(env.queries[0]!.lastProgress).toBeUndefined()),
      addData('bids', [{ item: 'lamp', price: 1, ts: 3000 }, { item: 'chair', price: 7, ts: 3000 }]),
      checkAnswer('totals', [
        { item: 'lamp', n: 3, total: 43, top: 30 }, { item: 'desk', n: 1, total: 5, top: 5 }, { item: 'chair', n: 1, total: 7, top: 7 },
      ]),
      checkProgress((p) => {
        expect(p.batchId).toBe(before!.batchId + 1);
        expect(p.id).toBe(before!.id); // the checkpoint keeps the query's id; the run id is new
        expect(p.runId).not.toBe(before!.runId);
        expect(p.numInputRows).toBe(2);
        expect(p.stateOperators[0]!.numRowsTotal).toBe(3);
      }),
      execute((env) => {
        // the changelog: every batch delivered once, each key's last row is its total
        const batches = env.engine.output('totals').changes().map((c) => c.batchId);
        expect([...new Set(batches)]).toEqual([0, 1, 2]);
      }),
    ], { checkpointDir: tempDir('dsl-keyed-') });
  });

  it('keeps a keyed aggregation in complete mode across two restarts', async () => {
    await testStream(KEYED, [
      addData('bids', [{ item: 'a', price: 1, ts: 0 }, { item: 'b', price: 2, ts: 0 }]),
      stopAndRestart(),
      addData('bids', [{ item: 'a', price: 10, ts: 0 }]),
      stopAndRestart(),
      checkAnswer('totals', [{ item: 'a', n: 2, total: 11, top: 10 }, { item: 'b', n: 1, total: 2, top: 2 }]),
      addData('bids', [{ item: 'c', price: 3, ts: 0 }]),
      checkAnswer('totals', [{ item: 'a', n: 2, total: 11, top: 10 }, { item: 'b', n: 1, total: 2, top: 2 }, { item: 'c', n: 1, total: 3, top: 3 }]),
      checkProgress((p) => {
        expect(p.batchId).toBe(2);
        expect(p.sink.numOutputRows).toBe(3); // complete mode: the whole table, from the restored state
      }),
    ], { checkpointDir: tempDir('dsl-complete-'), settings: { 'output-mode': 'complete' } });
  });

  it('re-runs a batch that reached the sink but never committed, without counting it twice', async () => {
    await testStream(KEYED, [
      addData('bids', [{ item: 'a', price: 1, ts: 0 }]),
      addData('bids', [{ item: 'a', price: 2, ts: 0 }]),
      stopAndRestart({ dropLastCommit: true }),
      checkProgress((p) => {
        // batch 1 ran again from its recorded offsets, over the state of batch 0
        expect(p.batchId).toBe(1);
        expect(p.numInputRows).toBe(1);
      }),
      checkAnswer('totals', [{ item: 'a', n: 2, total: 3, top: 2 }]),
      addData('bids', [{ item: 'a', price: 4, ts: 0 }]),
      checkAnswer('totals', [{ item: 'a', n: 3, total: 7, top: 4 }]),
    ], { checkpointDir: tempDir('dsl-rerun-') });
  });

  it('emits every window once in append mode, with the same watermark after the restart', async () => {
    let watermark: string | null | undefined;
    await testStream(WINDOWED, [
      addData('bids', [{ item: 'a', price: 1, ts: 1000 }, { item: 'b', price: 2, ts: 9000 }]),
      addData('bids', [{ item: 'a', price: 4, ts: 12_000 }]), // watermark 11 s: [0, 10) closes
      checkAnswer('w', [{ item: 'a', window_start: 0, window_end: 10_000, n: 1, total: 1 }, { item: 'b', window_start: 0, window_end: 10_000, n: 1, total: 2 }]),
      addData('bids', [{ item: 'a', price: 8, ts: 15_000 }]), // [10, 20) still open, in state
      execute((env) => {
        watermark = lastProgress(env).eventTime.watermark;
        expect(watermark).toBe(new Date(11_000).toISOString());
      }),
      stopAndRestart(),
      // a row older than the watermark is still late after the restart
      addData('bids', [{ item: 'late', price: 100, ts: 5000 }, { item: 'a', price: 16, ts: 19_000 }]),
      checkProgress((p) => {
        expect(p.eventTime.watermark).toBe(new Date(14_000).toISOString());
        expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1);
      }),
      addData('bids', [{ item: 'b', price: 32, ts: 25_000 }]), // watermark 24 s after this batch: [10, 20) closes
      checkAnswer('w', [
        { item: 'a', window_start: 0, window_end: 10_000, n: 1, total: 1 },
        { item: 'b', window_start: 0, window_end: 10_000, n: 1, total: 2 },
        // the window's rows from before and after the restart, counted once each
        { item: 'a', window_start: 10_000, window_end: 20_000, n: 3, total: 28 },
      ]),
    ], { checkpointDir: tempDir('dsl-window-') });
    expect(watermark).toBeDefined();
  });

  it('restores the watermark after a restart even before new rows arrive', async () => {
    await testStream(WINDOWED, [
      addData('bids', [{ item: 'a', price: 1, ts: 1000 }, { item: 'a', price: 2, ts: 30_000 }]),
      // the batch that advances the watermark to 29 s closes [0, 10)
      checkAnswer('w', [{ item: 'a', window_start: 0, window_end: 10_000, n: 1, total: 1 }]),
      stopAndRestart({ dropLastCommit: true }),
      checkAnswer('w', [{ item: 'a', window_start: 0, window_end: 10_000, n: 1, total: 1 }]),
      addData('bids', [{ item: 'a', price: 4, ts: 2000 }, { item: 'a', price: 8, ts: 31_000 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)),
      checkAnswer('w', [{ item: 'a', window_start: 0, window_end: 10_000, n: 1, total: 1 }]),
    ], { checkpointDir: tempDir('dsl-window-rerun-') });
  });

  it.each(['filesystem', 'lmdb'])('keeps the values of COUNT(DISTINCT) across restarts (%s)', async (backend) => {
    const sql = `${BIDS}
      CREATE TABLE d (item STRING, prices BIGINT) WITH ('connector' = 'memory');
      INSERT INTO d SELECT item, COUNT(DISTINCT price) FROM bids GROUP BY item;`;
    await testStream(sql, [
      addData('bids', [{ item: 'a', price: 1, ts: 0 }, { item: 'a', price: 2, ts: 0 }, { item: 'a', price: 1, ts: 0 }]),
      stopAndRestart(),
      // 1 and 2 were seen before the restart: only 3 is new
      addData('bids', [{ item: 'a', price: 2, ts: 0 }, { item: 'a', price: 3, ts: 0 }]),
      stopAndRestart({ dropLastCommit: true }),
      checkAnswer('d', [{ item: 'a', prices: 3 }]),
      addData('bids', [{ item: 'a', price: 3, ts: 0 }, { item: 'a', price: 4, ts: 0 }]),
      checkAnswer('d', [{ item: 'a', prices: 4 }]),
    ], { checkpointDir: tempDir(`dsl-distinct-${backend}-`), settings: { 'state.backend': backend } });
  });

  // the values are a set of doubles held as bytes (number-set.ts) until a value is no number: past
  // the set's growth, NaN, 0 and -0, and a BIGINT past 2^53 that moves one state to a Map
  it.each(['filesystem', 'lmdb'])('keeps COUNT(DISTINCT) of numbers across restarts, through growth, NaN, -0 and a Map (%s)', async (backend) => {
    const sql = `
      CREATE TABLE xs (g STRING, x DOUBLE, b BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');
      CREATE TABLE d (g STRING, nx BIGINT, nb BIGINT) WITH ('connector' = 'memory');
      INSERT INTO d SELECT g, COUNT(DISTINCT x), COUNT(DISTINCT b) FROM xs GROUP BY g;`;
    const rows = (from: number, to: number): Record<string, unknown>[] =>
      Array.from({ length: to - from }, (_, i) => ({ g: 'a', x: (from + i) / 4, b: from + i, ts: 0 }));
    await testStream(sql, [
      addData('xs', rows(0, 40)),
      stopAndRestart(),
      addData('xs', [...rows(20, 70), { g: 'a', x: NaN, b: 9_223_372_036_854_775_807n, ts: 0 }, { g: 'a', x: -0, b: 0, ts: 0 }]),
      stopAndRestart({ dropLastCommit: true }),
      checkAnswer('d', [{ g: 'a', nx: 71, nb: 71 }]),
      addData('xs', [...rows(60, 100), { g: 'a', x: NaN, b: 9_223_372_036_854_775_807n, ts: 0 }]),
      checkAnswer('d', [{ g: 'a', nx: 101, nb: 101 }]),
      stopAndRestart(),
      addData('xs', [...rows(0, 101), { g: 'a', x: 0, b: -1, ts: 0 }]),
      checkAnswer('d', [{ g: 'a', nx: 102, nb: 103 }]),
    ], { checkpointDir: tempDir(`dsl-distinct-set-${backend}-`), settings: { 'state.backend': backend } });
  });
});
