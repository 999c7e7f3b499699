/**
 * Cascading window aggregations over window bounds (Flink's "GROUP BY window_start, window_end" over
 * a window aggregation's output, Nexmark q5's MaxBids) and the window join of the two: the second
 * aggregation is a window aggregation again (it emits a window once, when the watermark closes it),
 * so the join on equal bounds is a window join and the whole query stays append-only. Rows arrive out
 * of order within the delay, in many small batches, in both output modes; the final result equals
 * DuckDB's over the same rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, testStream, type Row } from '../support/stream-test.js';
import { expectSameRows, Oracle } from '../support/oracle.js';
import { rng } from '../support/window-oracle.js';

const DDL = `
  CREATE TABLE bids (auction BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '3' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE hot (auction BIGINT, num BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE top_counts (ws TIMESTAMP(3), we TIMESTAMP(3), maxn BIGINT) WITH ('connector' = 'memory');
  CREATE VIEW counts AS SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end;
  CREATE VIEW maxes AS SELECT MAX(num) AS maxn, starttime, endtime FROM counts GROUP BY starttime, endtime;`;

const Q5 = `${DDL}
  INSERT INTO hot SELECT c.auction, c.num FROM counts AS c JOIN maxes AS m
    ON c.starttime = m.starttime AND c.endtime = m.endtime AND c.num >= m.maxn;`;

const MAXES = `${DDL}
  INSERT INTO top_counts SELECT starttime, endtime, maxn FROM maxes;`;

const DUCK_COUNTS = `WITH w AS (
    SELECT auction, unnest(generate_series(time_bucket(INTERVAL 2 SECOND, ts) - INTERVAL 8 SECOND, time_bucket(INTERVAL 2 SECOND, ts), INTERVAL 2 SECOND)) AS ws FROM bids),
  counts AS (SELECT auction, count(*) AS num, ws, ws + INTERVAL 10 SECOND AS we FROM w GROUP BY auction, ws),
  maxes AS (SELECT max(num) AS maxn, ws, we FROM counts GROUP BY ws, we)`;

/** 1 500 bids over 0-100 s on 12 auctions, each up to 2.5 s out of order (inside the 3 s delay), in 50 batches. */
function batches(): { auction: number; ts: number }[][] {
  const r = rng(5);
  const rows = Array.from({ length: 1500 }, (_, i) => ({ auction: Math.floor(r() * r() * 12), ts: Math.floor(i * 66 + r() * 2500) }));
  rows.sort((a, b) => a.ts - b.ts + (r() < 0.3 ? 2000 : 0)); // a little disorder
  const sorted: { auction: number; ts: number }[] = [];
  // keep every row within 2.5 s of the running maximum so that none is late
  let max = -Infinity;
  for (const row of rows) { if (row.ts > max - 2500) { sorted.push(row); max = Math.max(max, row.ts); } }
  return Array.from({ length: 50 }, (_, b) => sorted.slice(b * 30, b * 30 + 30)).filter((b) => b.length > 0);
}

async function run(sql: string, mode: string, sink: string): Promise<{ rows: Row[]; explain: string; changes: number; dropped: number }> {
  const input = batches();
  const env = await testStream(`SET 'output-mode' = '${mode}';${sql}`, [
    execute(async ({ engine, queries }) => {
      for (const b of input) {
        engine.input('bids').push(b);
        await queries[0]!.processAllAvailable();
      }
      engine.input('bids').end();
      expect(await queries[0]!.awaitTermination(10_000)).toBe(true);
    }),
  ]);
  const q = env.queries[0]!;
  const dropped = q.recentProgress.reduce((a, p) => a + p.stateOperators.reduce((x, s) => x + s.numRowsDroppedByWatermark, 0), 0);
  return { rows: env.engine.output(sink).rows(), explain: q.explain(), changes: env.engine.output(sink).changes().length, dropped };
}

describe('a window aggregation over the window bounds of another', () => {
  let oracle: Oracle;
  beforeAll(async () => {
    oracle = await Oracle.create();
    await oracle.createTable('bids', [{ name: 'auction', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP(3)' }], batches().flat());
  });
  afterAll(() => oracle.close());

  it('is planned as a window aggregation with windows given by columns, in append mode', async () => {
    const { explain } = await run(MAXES, 'append', 'top_counts');
    expect(explain).toMatch(/WindowAggregate\(HOP\(slide=INTERVAL '2' SECOND, size=INTERVAL '10' SECOND\), windows=\[window_start#\d+, window_end#\d+\], keys=\[starttime=windowStart, endtime=windowEnd\], aggs=\[maxn=max\(num#\d+\)\], mode=append\)/);
  });

  it.each(['append', 'update'])('gives each window its maximum once (%s mode)', async (mode) => {
    const { rows, changes, dropped } = await run(MAXES, mode, 'top_counts');
    const expected = await oracle.query(`${DUCK_COUNTS} SELECT ws, we, maxn FROM maxes`);
    expect(expected.length).toBeGreaterThan(40);
    expectSameRows(rows, expected);
    expect(dropped).toBe(0);
    if (mode === 'append') expect(changes).toBe(expected.length); // each window emitted exactly once
  });

  it.each(['append', 'update'])('joins with the counts on equal bounds as a window join, as Nexmark q5 (%s mode)', async (mode) => {
    const { rows, explain, changes, dropped } = await run(Q5, mode, 'hot');
    // update mode asked for: the windows emit as they change, so the join takes retractions (a regular join)
    if (mode === 'append') expect(explain).toMatch(/WindowJoin\(inner, keys=\[starttime#\d+ = starttime#\d+, endtime#\d+ = endtime#\d+\], residual=ge\(num#\d+, maxn#\d+\)/);
    else expect(explain).toMatch(/ Join\(inner, .*retracting\)/);
    const expected = await oracle.query(`${DUCK_COUNTS} SELECT c.auction, c.num FROM counts c JOIN maxes m ON c.ws = m.ws AND c.we = m.we AND c.num >= m.maxn`);
    expect(expected.length).toBeGreaterThan(40);
    expectSameRows(rows, expected);
    if (mode === 'append') expect(changes).toBe(expected.length); // append-only: no retraction, no row twice
    expect(dropped).toBe(0);
  });
});
