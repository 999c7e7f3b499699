/**
 * The bench's `over` query (bench/run.js: per bid, its auction's bids in the 10 s before it) over
 * the Nexmark generator, in micro-batches: equal to DuckDB's window functions over the same bids,
 * append-only, and its state flat as the stream runs: a RANGE frame's rows go when the watermark
 * leaves them behind, in every auction (also those that get no more bids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEXMARK_DUCKDB } from '../../bench/nexmark-duckdb.js';
import { benchScript } from '../../bench/run.js';
import { Engine, ManualClock } from '../../src/index.js';
import { loadGeneratorRows, nexmarkDdl, nexmarkSettings } from '../support/nexmark.js';
import { expectSameRows, Oracle } from '../support/oracle.js';

const EVENTS = 30_000;
const RATE = 1000;
let oracle: Oracle;

beforeAll(async () => {
  oracle = await Oracle.create();
  await loadGeneratorRows(oracle, ['bid'], { events: EVENTS, rate: RATE, baseTime: Date.parse('2026-01-01T00:00:00Z') });
});
afterAll(() => oracle?.close());

describe('the bench\'s OVER query over Nexmark', () => {
  it('equals DuckDB, append-only, with state bounded by the watermark', async () => {
    const { insert } = benchScript('over');
    const sink = "CREATE TABLE over_out (auction BIGINT, price BIGINT, dateTime TIMESTAMP(3), bids BIGINT, max_price BIGINT, avg_price DOUBLE) WITH ('connector' = 'memory');";
    const ddl = nexmarkDdl({ 'base-time': '2026-01-01T00:00:00Z', 'source.max-events-per-batch': '1000' });
    const engine = new Engine({ clock: new ManualClock(0), settings: nexmarkSettings(EVENTS, RATE), memory: { changelog: 'all' } });
    const [q] = await engine.execute(`${ddl}\n${sink}\n${insert}`);
    expect(await q!.awaitTermination(60_000)).toBe(true);
    expectSameRows(engine.output('over_out').rows(), await oracle.query(NEXMARK_DUCKDB.over.sql), 'over');
    expect(engine.output('over_out').changes().every((c) => c.kind === 'insert')).toBe(true);
    const state = q!.recentProgress.map((p) => p.stateOperators[0]!.numRowsTotal);
    expect(state.length).toBeGreaterThan(20);
    // 1 000 events a batch at 1 000 events/s: about 14 s of bids (10 s of frame, 4 s of watermark delay) are held, whatever the stream's length
    const late = state.slice(Math.floor(state.length / 2), -1);
    const early = state.slice(5, Math.floor(state.length / 2));
    expect(Math.max(...late), `state over time: ${state.join(', ')}`).toBeLessThanOrEqual(1.2 * Math.max(...early));
    expect(Math.max(...late)).toBeLessThan(20 * RATE);
    await engine.stop();
  });
});
