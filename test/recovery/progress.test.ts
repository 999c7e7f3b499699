/**
 * Progress reports the cost of checkpointing (durationMs.checkpoint: offsets, state versions and the
 * commit) and, per stateful operator, the bytes its state takes on disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import { addData, checkProgress, execute, testStream } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';

afterEach(removeTempDirs);

const SQL = `
  CREATE TABLE bids (item STRING, price INT) WITH ('connector' = 'memory');
  CREATE TABLE totals (item STRING, n BIGINT, total BIGINT) WITH ('connector' = 'memory');
  INSERT INTO totals SELECT item, COUNT(*), SUM(price) FROM bids GROUP BY item;`;

const rows = (from: number, to: number): { item: string; price: number }[] =>
  Array.from({ length: to - from }, (_, i) => ({ item: `item-${from + i}`, price: i }));

describe('checkpoint figures in progress', () => {
  for (const backend of ['filesystem', 'lmdb'] as const) {
    it(`reports checkpoint time and state size on disk (${backend})`, async () => {
      let first: QueryProgress | undefined;
      await testStream(SQL, [
        addData('bids', rows(0, 100)),
        checkProgress((p) => {
          first = p;
          expect(p.durationMs.checkpoint).toBeGreaterThan(0);
          expect(p.durationMs.checkpoint).toBeLessThanOrEqual(p.durationMs.triggerExecution);
          expect(p.stateOperators[0]!.stateSizeOnDiskBytes).toBeGreaterThan(0);
        }),
        addData('bids', rows(100, 2000)),
        checkProgress((p) => {
          // twenty times the keys: the state on disk grew
          expect(p.stateOperators[0]!.numRowsTotal).toBe(2000);
          expect(p.stateOperators[0]!.stateSizeOnDiskBytes).toBeGreaterThan(first!.stateOperators[0]!.stateSizeOnDiskBytes!);
        }),
      ], { checkpointDir: tempDir(`progress-${backend}-`), settings: { 'state.backend': backend } });
    });
  }

  it('reports no checkpoint time and no size on disk without a checkpoint', async () => {
    await testStream(SQL, [
      addData('bids', rows(0, 10)),
      checkProgress((p) => {
        expect(p.durationMs.checkpoint).toBe(0);
        expect(p.stateOperators[0]!.stateSizeOnDiskBytes).toBeUndefined();
        expect(p.stateOperators[0]!.numRowsTotal).toBe(10);
      }),
      execute((env) => expect(env.checkpointDir).toBeUndefined()),
    ]);
  });
});
