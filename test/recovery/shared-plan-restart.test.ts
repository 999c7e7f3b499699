/**
 * A query whose plan shares a sub-plan (q5's shape: one HOP aggregation read by both sides of a
 * window join, and one read of the table for both scans) stopped and restarted on its checkpoint, on
 * both state backends: the shared operator's windows come back once, and the result equals an
 * uninterrupted run, every window's hottest auction exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addData, execute, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { sortRows } from '../support/stream-test.js';

afterEach(removeTempDirs);

const SQL = `
  CREATE TABLE bids (auction BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE hot (auction BIGINT, num BIGINT, we TIMESTAMP(3)) WITH ('connector' = 'memory');
  CREATE VIEW counts AS SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '4' SECOND)) GROUP BY auction, window_start, window_end;
  INSERT INTO hot SELECT c.auction, c.num, c.endtime FROM counts c
    JOIN (SELECT MAX(num) AS maxn, starttime, endtime FROM counts GROUP BY starttime, endtime) m
    ON c.starttime = m.starttime AND c.endtime = m.endtime AND c.num >= m.maxn;`;

/** 12 batches of bids over 0-24 s on three auctions, auction 1 the busiest in every window. */
const BATCHES: Row[][] = Array.from({ length: 12 }, (_, b) => Array.from({ length: 9 }, (_, i) => ({
  auction: i < 5 ? 1 : i < 7 ? 2 : 3, ts: b * 2000 + i * 200,
})));

function script(restartAt: ReadonlySet<number>, dropCommitAt: ReadonlySet<number>): Action[] {
  const out: Action[] = [];
  BATCHES.forEach((rows, b) => {
    out.push(addData('bids', rows));
    if (restartAt.has(b)) out.push(stopAndRestart({ dropLastCommit: dropCommitAt.has(b) }));
  });
  out.push(execute(async ({ engine, queries }) => {
    engine.input('bids').end();
    expect(await queries[0]!.awaitTermination(10_000)).toBe(true);
  }));
  return out;
}

async function run(backend: string, restartAt: number[], dropCommitAt: number[] = []): Promise<Row[]> {
  const env = await testStream(SQL, script(new Set(restartAt), new Set(dropCommitAt)), {
    checkpointDir: tempDir(`shared-plan-${backend}-`), settings: { 'state.backend': backend },
  });
  const q = env.queries[0]!;
  expect(q.explain()).toMatch(/WindowJoin/);
  // one HOP aggregation, its regroup, the join: three stateful operators, not four
  expect(q.lastProgress!.stateOperators).toHaveLength(3);
  return sortRows(env.engine.output('hot').rows());
}

describe.each(['filesystem', 'lmdb'])('a shared sub-plan across restarts (%s)', (backend) => {
  it('gives the uninterrupted run\'s windows, each once', async () => {
    const expected = await run(backend, []);
    expect(expected.length).toBeGreaterThan(10);
    // every window's hottest auction is auction 1, once per window
    expect(expected.every((r) => r.auction === 1)).toBe(true);
    expect(new Set(expected.map((r) => r.we)).size).toBe(expected.length);
    expect(await run(backend, [2, 5, 9], [5])).toEqual(expected);
  });
});
