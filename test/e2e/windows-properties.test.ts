/**
 * Property tests: for TUMBLE, HOP and SESSION windows, any split of the input into batches and any
 * arrival order within the watermark delay gives the same final windows: those of the whole input
 * as one batch (DuckDB), and no row is dropped as late.
 */
import fc from 'fast-check';
import { fcParams } from '../support/property.js';
import { describe, expect, it } from 'vitest';
import { sortRows, testStream, type Row } from '../support/stream-test.js';
import { oracleWindows, replay, type EventRow, type OracleWindow } from '../support/window-oracle.js';

const DELAY = 2000;
const DDL = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE out (item STRING, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, total BIGINT, top INT) WITH ('connector' = 'memory');
`;
const query = (call: string): string =>
  `INSERT INTO out SELECT item, window_start, window_end, COUNT(*), SUM(price), MAX(price) FROM TABLE(${call}) GROUP BY item, window_start, window_end;`;

const KINDS: readonly { name: string; window: OracleWindow; sql: string }[] = [
  { name: 'TUMBLE', window: { kind: 'tumble', size: 3000 }, sql: query("TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '3' SECOND)") },
  { name: 'HOP', window: { kind: 'hop', slide: 1000, size: 3000 }, sql: query("HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND)") },
  // odd gap, even times and delay: no row lands exactly on a closed session's end (window-oracle.ts)
  { name: 'SESSION', window: { kind: 'session', gap: 701 }, sql: query("SESSION(TABLE bids PARTITION BY item, DESCRIPTOR(ts), INTERVAL '701' MILLISECOND)") },
];

/** Rows with an arrival displacement in [0, DELAY) each, and the cut points of the batches. */
const streams = fc.record({
  rows: fc.array(fc.record({
    item: fc.constantFrom('a', 'b', 'c'),
    price: fc.integer({ min: 1, max: 50 }),
    ts: fc.integer({ min: 0, max: 10_000 }).map((t) => 2 * t),
    shift: fc.double({ min: 0, max: 0.999, noNaN: true }),
  }), { minLength: 1, maxLength: 60 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
});

interface Stream { readonly rows: readonly { item: string; price: number; ts: number; shift: number }[]; readonly cuts: readonly number[] }

function arrange(s: Stream): EventRow[][] {
  // arrival order: by ts + shift·DELAY, so a row never arrives after one more than DELAY newer: never late
  const ordered = [...s.rows].sort((a, b) => a.ts + a.shift * DELAY - (b.ts + b.shift * DELAY));
  const cuts = [...new Set(s.cuts.map((c) => Math.floor(c * ordered.length)))].sort((a, b) => a - b);
  const batches: EventRow[][] = [];
  let from = 0;
  for (const c of [...cuts, ordered.length]) {
    if (c > from) batches.push(ordered.slice(from, c).map(({ item, price, ts }) => ({ item, price, ts })));
    from = Math.max(from, c);
  }
  return batches;
}

describe('any batch split and arrival order within the delay gives the same windows', () => {
  it.each(KINDS)('$name', async ({ window, sql }) => {
    await fc.assert(fc.asyncProperty(streams, async (s) => {
      const batches = arrange(s);
      const expected = await oracleWindows([batches.flat()], DELAY, window);
      const env = await testStream(DDL + sql, replay('bids', batches));
      expect(sortRows(env.engine.output('out').rows() as Row[])).toEqual(sortRows(expected));
      const dropped = env.queries[0]!.recentProgress.reduce((a, p) => a + p.stateOperators[0]!.numRowsDroppedByWatermark, 0);
      expect(dropped).toBe(0);
    }), fcParams({ numRuns: 15 }));
  }, 120_000);
});
