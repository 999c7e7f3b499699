/**
 * Window TVFs and group windows against the batch oracle: out-of-order rows in many small batches,
 * with deliberately late rows, in append, update and complete modes. The final result must equal
 * DuckDB's answer over the rows the watermark did not drop (in complete mode: over every row, the
 * batch answer), and each batch's numRowsDroppedByWatermark must be exactly the rows the watermark
 * rule refuses (none in complete mode).
 */
import { describe, expect, it } from 'vitest';
import { sortRows, testStream, type Action, type Row } from '../support/stream-test.js';
import { expectedDropped, makeBatches, oracleWindows, replay, type OracleWindow } from '../support/window-oracle.js';

const DELAY = 2000;
const DDL = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE out (item STRING, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, total BIGINT, top INT) WITH ('connector' = 'memory');
`;
const AGGS = 'COUNT(*), SUM(price), MAX(price)';

interface Case {
  readonly name: string;
  readonly window: OracleWindow;
  readonly query: string;
}

const tvf = (call: string): string =>
  `INSERT INTO out SELECT item, window_start, window_end, ${AGGS} FROM TABLE(${call}) GROUP BY item, window_start, window_end;`;

// a session gap of an odd number of ms over even timestamps and an even delay: no row ever lands
// exactly on the end of a session the watermark has closed (see window-oracle.ts)
const CASES: readonly Case[] = [
  { name: 'TUMBLE with offset', window: { kind: 'tumble', size: 10_000, offset: 3000 },
    query: tvf("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '3' SECOND)") },
  { name: 'HOP', window: { kind: 'hop', slide: 2000, size: 6000 },
    query: tvf("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '6' SECOND)") },
  { name: 'CUMULATE', window: { kind: 'cumulate', step: 2000, size: 8000 },
    query: tvf("CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '8' SECOND)") },
  { name: 'SESSION with PARTITION BY', window: { kind: 'session', gap: 1001 },
    query: tvf("SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '1001' MILLISECOND)") },
  { name: 'GROUP BY TUMBLE', window: { kind: 'tumble', size: 5000 },
    query: `INSERT INTO out SELECT item, TUMBLE_START(ts, INTERVAL '5' SECOND), TUMBLE_END(ts, INTERVAL '5' SECOND), ${AGGS}
      FROM bids GROUP BY TUMBLE(ts, INTERVAL '5' SECOND), item;` },
  { name: 'GROUP BY HOP', window: { kind: 'hop', slide: 1000, size: 4000 },
    query: `INSERT INTO out SELECT item, HOP_START(ts, INTERVAL '1' SECOND, INTERVAL '4' SECOND), HOP_END(ts, INTERVAL '1' SECOND, INTERVAL '4' SECOND), ${AGGS}
      FROM bids GROUP BY item, HOP(ts, INTERVAL '1' SECOND, INTERVAL '4' SECOND);` },
  { name: 'GROUP BY SESSION', window: { kind: 'session', gap: 701 },
    query: `INSERT INTO out SELECT item, SESSION_START(ts, INTERVAL '701' MILLISECOND), SESSION_END(ts, INTERVAL '701' MILLISECOND), ${AGGS}
      FROM bids GROUP BY item, SESSION(ts, INTERVAL '701' MILLISECOND);` },
];

const windowSize = (w: OracleWindow): number => (w.kind === 'session' ? w.gap : w.size);

/** The late-row count of every batch that read rows, in order. */
function droppedPerDataBatch(env: Parameters<Action['run']>[0]): number[] {
  return env.queries[0]!.recentProgress.filter((p) => p.numInputRows > 0)
    .map((p) => p.stateOperators.reduce((a, s) => a + s.numRowsDroppedByWatermark, 0));
}

describe.each(['append', 'update', 'complete'] as const)('windows against DuckDB in %s mode', (mode) => {
  it.each(CASES)('$name', async ({ window, query }) => {
    const batches = makeBatches({
      seed: 7 + query.length, n: 360, spanMs: 60_000, disorderMs: DELAY, batchCount: 14, items: 3,
      lateCount: 10, lateByMs: windowSize(window), delay: DELAY,
    });
    // complete mode keeps every window, so no row is late there: its answer is the batch answer
    // (all rows as one batch); append and update drop the rows behind the watermark
    const expected = await oracleWindows(mode === 'complete' ? [batches.flat()] : batches, DELAY, window);
    const env = await testStream(`SET 'output-mode' = '${mode}';${DDL}${query}`, replay('bids', batches));
    const actual = env.engine.output('out').rows() as Row[];
    expect(sortRows(actual)).toEqual(sortRows(expected));
    expect(expected.length).toBeGreaterThan(10);
    const dropped = expectedDropped(batches, DELAY, window);
    expect(dropped.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(droppedPerDataBatch(env)).toEqual(mode === 'complete' ? dropped.map(() => 0) : dropped);
    if (mode === 'append') {
      // each window exactly once
      const keys = actual.map((r) => `${r.item}|${r.ws}|${r.we}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
