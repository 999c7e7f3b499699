/**
 * foreachBatch under a crash: the checkpoint's last batch reached the function but never committed
 * (its commit file is gone, as after a kill between the two). The restarted query hands that batch
 * to the function again, with the same id and rows, and goes on: a batch id may be seen twice, never
 * skipped, as Spark's foreachBatch.
 */
import { afterEach, expect, it } from 'vitest';
import { Engine, ManualClock, type ForeachBatchContext } from '../../src/index.js';
import { dropLastCommits } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';

afterEach(removeTempDirs);

const SQL = `
  CREATE TABLE bids (item STRING, price BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE alerts (item STRING, n BIGINT, total BIGINT) WITH ('connector' = 'foreach-batch');
  INSERT INTO alerts SELECT item, COUNT(*), SUM(price) FROM bids GROUP BY item;`;

it('hands the uncommitted batch again after a restart, and skips none', async () => {
  const checkpointDir = tempDir('foreach-batch-');
  const seen: { batchId: number; rows: string[] }[] = [];
  const handler = ({ batchId, table, kinds }: ForeachBatchContext): void => {
    seen.push({ batchId, rows: table.toArray().map((r, i) => `${kinds[i]} ${String(r.item)} ${String(r.n)} ${String(r.total)}`) });
  };
  const clock = new ManualClock(0);
  const first = new Engine({ clock, checkpointDir });
  first.foreachBatch('alerts', handler);
  const [q1] = await first.execute(SQL);
  first.input('bids').push([{ item: 'a', price: 1 }]);
  await q1!.processAllAvailable();
  first.input('bids').push([{ item: 'a', price: 2 }, { item: 'b', price: 5 }]);
  await q1!.processAllAvailable();
  await first.stop();
  expect(await dropLastCommits(checkpointDir)).toEqual([1]); // batch 1 reached the function, never committed

  const second = new Engine({ clock, checkpointDir, memoryTables: first.memoryTables });
  second.foreachBatch('alerts', handler);
  const [q2] = await second.execute(SQL);
  await q2!.processAllAvailable();
  second.input('bids').push([{ item: 'b', price: 1 }]);
  await q2!.processAllAvailable();
  await second.stop();

  expect(seen.map((s) => s.batchId)).toEqual([0, 1, 1, 2]);
  expect(seen[2]).toEqual(seen[1]); // the same rows again: the state was restored to batch 0's
  expect(seen[3]!.rows).toEqual(['update_before b 1 5', 'update_after b 2 6']);
});
