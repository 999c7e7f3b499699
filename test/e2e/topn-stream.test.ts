/**
 * Top-N and deduplication as streams (the stream DSL over memory tables): what the result table
 * holds after each batch, the changelog the sink sees (update-before/after pairs per rank), ties
 * broken by arrival, retracting inputs that promote the next row, restarts from the checkpoint, and
 * the output modes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../src/connectors/memory/output.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, advanceClock, checkAnswer, checkProgress, execute, stopAndRestart, testStream, type StreamEnv } from '../support/stream-test.js';

afterEach(removeTempDirs);

const BIDS = `CREATE TABLE bids (item STRING, bidder STRING, price INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');`;

const TOP2 = `${BIDS}
  CREATE TABLE top2 (item STRING, bidder STRING, price INT, rn BIGINT) WITH ('connector' = 'memory');
  INSERT INTO top2 SELECT item, bidder, price, rn FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2;`;

/** The changes of one batch, as `kind bidder@rank` (or `kind bidder` without a rank). */
function changesOf(env: StreamEnv, table: string, batchId: number): string[] {
  return env.engine.output(table).changes().filter((c: Change) => c.batchId === batchId)
    .map((c) => `${c.kind} ${String(c.row.bidder)}${c.row.rn !== undefined ? `@${String(c.row.rn)}` : ''}`);
}

describe('Top-N as a stream', () => {
  it('keeps the top 2 per partition, updating the ranks that move', async () => {
    await testStream(TOP2, [
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 10 }, { item: 'desk', bidder: 'b', price: 5 }]),
      checkAnswer('top2', [{ item: 'lamp', bidder: 'a', price: 10, rn: 1 }, { item: 'desk', bidder: 'b', price: 5, rn: 1 }]),
      // c beats a: a moves to rank 2
      addData('bids', [{ item: 'lamp', bidder: 'c', price: 20 }]),
      checkAnswer('top2', [
        { item: 'lamp', bidder: 'c', price: 20, rn: 1 }, { item: 'lamp', bidder: 'a', price: 10, rn: 2 },
        { item: 'desk', bidder: 'b', price: 5, rn: 1 },
      ]),
      execute((env) => expect(changesOf(env, 'top2', 1)).toEqual(['update_before a@1', 'update_after c@1', 'insert a@2'])),
      // d goes between c and a: a falls out (rank 2 is now d); e is below both: no change at all
      addData('bids', [{ item: 'lamp', bidder: 'd', price: 15 }, { item: 'lamp', bidder: 'e', price: 1 }]),
      checkAnswer('top2', [
        { item: 'lamp', bidder: 'c', price: 20, rn: 1 }, { item: 'lamp', bidder: 'd', price: 15, rn: 2 },
        { item: 'desk', bidder: 'b', price: 5, rn: 1 },
      ]),
      execute((env) => expect(changesOf(env, 'top2', 2)).toEqual(['update_before a@2', 'update_after d@2'])),
      addData('bids', [{ item: 'lamp', bidder: 'f', price: 2 }]),
      checkProgress((p) => {
        expect(p.numInputRows).toBe(1);
        expect(p.stateOperators[0]!.operatorName).toBe('topN');
        // an append-only input: only the top 2 of a partition are kept (lamp: c, d; desk: b)
        expect(p.stateOperators[0]!.numRowsTotal).toBe(3);
      }),
      execute((env) => expect(changesOf(env, 'top2', 3)).toEqual([])),
    ]);
  });

  it('breaks ties by arrival: the earlier row ranks first, within a batch and across batches', async () => {
    await testStream(TOP2, [
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 10 }, { item: 'lamp', bidder: 'b', price: 10 }, { item: 'lamp', bidder: 'c', price: 10 }]),
      checkAnswer('top2', [{ item: 'lamp', bidder: 'a', price: 10, rn: 1 }, { item: 'lamp', bidder: 'b', price: 10, rn: 2 }]),
      addData('bids', [{ item: 'lamp', bidder: 'd', price: 10 }]),
      execute((env) => expect(changesOf(env, 'top2', 1)).toEqual([])),
      addData('bids', [{ item: 'lamp', bidder: 'e', price: 11 }, { item: 'lamp', bidder: 'f', price: 11 }]),
      checkAnswer('top2', [{ item: 'lamp', bidder: 'e', price: 11, rn: 1 }, { item: 'lamp', bidder: 'f', price: 11, rn: 2 }]),
    ]);
  });

  it('takes rn BETWEEN m AND n, rn < n, n >= rn and rn = 1, with the other conditions kept', async () => {
    const sql = `${BIDS}
      CREATE TABLE mid (item STRING, bidder STRING, rn BIGINT) WITH ('connector' = 'memory');
      CREATE TABLE lt (item STRING, bidder STRING) WITH ('connector' = 'memory');
      CREATE TABLE ge (item STRING, bidder STRING) WITH ('connector' = 'memory');
      CREATE TABLE eq (item STRING, bidder STRING) WITH ('connector' = 'memory');
      CREATE VIEW ranked AS SELECT *, ROW_NUMBER() OVER (PARTITION BY item ORDER BY price DESC, bidder) AS rn FROM bids;
      INSERT INTO mid SELECT item, bidder, rn FROM ranked WHERE rn BETWEEN 2 AND 3;
      INSERT INTO lt SELECT item, bidder FROM ranked WHERE rn < 3 AND item <> 'desk' AND bidder <> 'b';
      INSERT INTO ge SELECT item, bidder FROM ranked WHERE 2 >= rn;
      INSERT INTO eq SELECT item, bidder FROM ranked WHERE rn = 1;`;
    const rows = [
      { item: 'lamp', bidder: 'a', price: 4 }, { item: 'lamp', bidder: 'b', price: 3 }, { item: 'lamp', bidder: 'c', price: 2 },
      { item: 'lamp', bidder: 'd', price: 1 }, { item: 'desk', bidder: 'x', price: 9 },
    ];
    await testStream(sql, [
      addData('bids', rows.slice(0, 2)),
      addData('bids', rows.slice(2)),
      checkAnswer('mid', [{ item: 'lamp', bidder: 'b', rn: 2 }, { item: 'lamp', bidder: 'c', rn: 3 }]),
      // `bidder <> 'b'` filters after ranking (b stays rank 2 and is filtered out); `item <> 'desk'` before (a partition key)
      checkAnswer('lt', [{ item: 'lamp', bidder: 'a' }]),
      checkAnswer('ge', [{ item: 'lamp', bidder: 'a' }, { item: 'lamp', bidder: 'b' }, { item: 'desk', bidder: 'x' }]),
      checkAnswer('eq', [{ item: 'lamp', bidder: 'a' }, { item: 'desk', bidder: 'x' }]),
      execute((env) => {
        const lt = env.queries[1]!.explain();
        // the condition on the partition key goes below the Top-N, the other stays above it
        expect(lt).toMatch(/Filter\(ne\(bidder#\d+, 'b'\)\)\n\s+TopN\(/);
        expect(lt).toMatch(/TopN\([^\n]*\n(\s+\S[^\n]*\n)*?\s+Filter\(ne\(item#0, 'desk'\)\)/);
      }),
    ]);
  });

  it('deduplicates keeping the last row per key (ORDER BY ts DESC, rn = 1)', async () => {
    const sql = `${BIDS}
      CREATE TABLE last_bid (item STRING, bidder STRING, price INT, ts TIMESTAMP(3)) WITH ('connector' = 'memory');
      INSERT INTO last_bid SELECT item, bidder, price, ts FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY item, bidder ORDER BY ts DESC) AS rn FROM bids) WHERE rn = 1;`;
    await testStream(sql, [
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 1, ts: 1000 }, { item: 'lamp', bidder: 'a', price: 2, ts: 3000 }, { item: 'lamp', bidder: 'b', price: 9, ts: 1000 }]),
      checkAnswer('last_bid', [{ item: 'lamp', bidder: 'a', price: 2, ts: 3000 }, { item: 'lamp', bidder: 'b', price: 9, ts: 1000 }]),
      // an older row changes nothing; a newer one replaces (update-before the old, update-after the new)
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 5, ts: 2000 }, { item: 'lamp', bidder: 'b', price: 7, ts: 4000 }]),
      checkAnswer('last_bid', [{ item: 'lamp', bidder: 'a', price: 2, ts: 3000 }, { item: 'lamp', bidder: 'b', price: 7, ts: 4000 }]),
      execute((env) => {
        const kinds = env.engine.output('last_bid').changes().filter((c) => c.batchId === 1).map((c) => `${c.kind} ${String(c.row.price)}`);
        expect(kinds).toEqual(['update_before 9', 'update_after 7']);
        expect(env.queries[0]!.explain()).toMatch(/keys: \[item, bidder\]/);
      }),
    ]);
  });

  it('deduplicates keeping the first row per key on processing time, append-only', async () => {
    const sql = `CREATE TABLE clicks (usr STRING, page STRING, pt AS PROCTIME()) WITH ('connector' = 'memory');
      CREATE TABLE first_click (usr STRING, page STRING) WITH ('connector' = 'memory');
      INSERT INTO first_click SELECT usr, page FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY usr ORDER BY pt ASC) AS rn FROM clicks) WHERE rn = 1;`;
    await testStream(sql, [
      addData('clicks', [{ usr: 'u1', page: 'home' }, { usr: 'u1', page: 'cart' }, { usr: 'u2', page: 'faq' }]),
      advanceClock(1000),
      addData('clicks', [{ usr: 'u1', page: 'pay' }, { usr: 'u3', page: 'home' }]),
      checkAnswer('first_click', [{ usr: 'u1', page: 'home' }, { usr: 'u2', page: 'faq' }, { usr: 'u3', page: 'home' }]),
      execute((env) => {
        expect(env.queries[0]!.explain()).toMatch(/output mode: append/);
        expect(env.queries[0]!.explain()).toMatch(/TopN\([^\n]*rows<=1, rank=hidden, input=append-only, mode=append\)/);
        expect(env.engine.output('first_click').changes().map((c) => c.kind)).toEqual(['insert', 'insert', 'insert']);
      }),
    ]);
  });

  it('over a retracting input keeps every row: a falling top row promotes the next', async () => {
    const sql = `CREATE TABLE sales (shop STRING, amount INT) WITH ('connector' = 'memory');
      CREATE TABLE best (shop STRING, total BIGINT, rn BIGINT) WITH ('connector' = 'memory');
      INSERT INTO best SELECT * FROM (
        SELECT shop, total, ROW_NUMBER() OVER (ORDER BY total DESC) AS rn
        FROM (SELECT shop, SUM(amount) AS total FROM sales GROUP BY shop)) WHERE rn <= 2;`;
    await testStream(sql, [
      addData('sales', [{ shop: 'a', amount: 10 }, { shop: 'b', amount: 7 }, { shop: 'c', amount: 3 }]),
      checkAnswer('best', [{ shop: 'a', total: 10, rn: 1 }, { shop: 'b', total: 7, rn: 2 }]),
      // a refund takes a below c: b and c move up
      addData('sales', [{ shop: 'a', amount: -9 }]),
      checkAnswer('best', [{ shop: 'b', total: 7, rn: 1 }, { shop: 'c', total: 3, rn: 2 }]),
      addData('sales', [{ shop: 'c', amount: 5 }, { shop: 'a', amount: 100 }]),
      checkAnswer('best', [{ shop: 'a', total: 101, rn: 1 }, { shop: 'c', total: 8, rn: 2 }]),
      checkProgress((p) => {
        const topN = p.stateOperators.find((o) => o.operatorName === 'topN')!;
        expect(topN.numRowsTotal).toBe(3); // every shop, ranked or not
      }),
      execute((env) => expect(env.queries[0]!.explain()).toMatch(/TopN\(partition=\[\], order=\[total#1 DESC\], rows<=2, rank=output, input=retracting, mode=update\)/)),
    ]);
  });

  it('over a retracting input without the rank: DELETE and INSERT for the rows that leave and enter', async () => {
    const sql = `CREATE TABLE sales (shop STRING, amount INT) WITH ('connector' = 'memory');
      CREATE TABLE best (shop STRING, total BIGINT) WITH ('connector' = 'memory');
      INSERT INTO best SELECT shop, total FROM (
        SELECT shop, total, ROW_NUMBER() OVER (ORDER BY total DESC) AS rn
        FROM (SELECT shop, SUM(amount) AS total FROM sales GROUP BY shop)) WHERE rn <= 2;`;
    await testStream(sql, [
      addData('sales', [{ shop: 'a', amount: 10 }, { shop: 'b', amount: 7 }, { shop: 'c', amount: 3 }]),
      addData('sales', [{ shop: 'b', amount: -6 }]),
      checkAnswer('best', [{ shop: 'a', total: 10 }, { shop: 'c', total: 3 }]),
      execute((env) => {
        const changes = env.engine.output('best').changes().filter((c) => c.batchId === 1).map((c) => `${c.kind} ${String(c.row.shop)}`);
        expect(changes).toEqual(['delete b', 'insert c']);
      }),
    ]);
  });

  // 'spilling': every partition's pack waits in the spill file between batches (state.spill-threshold
  // 1), and the packs restored from the checkpoint are marked to spill again
  it.each([
    ['filesystem', { 'state.backend': 'filesystem' }],
    ['lmdb', { 'state.backend': 'lmdb' }],
    ['spilling', { 'state.backend': 'filesystem', 'state.spill-threshold': '1' }],
  ])('restarts from the checkpoint with its state (and re-runs an uncommitted batch exactly once) (%s)', async (backend, settings) => {
    await testStream(TOP2, [
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 10 }, { item: 'lamp', bidder: 'b', price: 20 }, { item: 'lamp', bidder: 'c', price: 5 }]),
      stopAndRestart(),
      addData('bids', [{ item: 'lamp', bidder: 'd', price: 15 }, { item: 'desk', bidder: 'e', price: 1 }]),
      checkAnswer('top2', [
        { item: 'lamp', bidder: 'b', price: 20, rn: 1 }, { item: 'lamp', bidder: 'd', price: 15, rn: 2 },
        { item: 'desk', bidder: 'e', price: 1, rn: 1 },
      ]),
      stopAndRestart({ dropLastCommit: true }),
      // the re-run batch replaced its own effect: equal prices after the restart still rank after the earlier rows
      addData('bids', [{ item: 'lamp', bidder: 'f', price: 15 }, { item: 'desk', bidder: 'g', price: 1 }]),
      checkAnswer('top2', [
        { item: 'lamp', bidder: 'b', price: 20, rn: 1 }, { item: 'lamp', bidder: 'd', price: 15, rn: 2 },
        { item: 'desk', bidder: 'e', price: 1, rn: 1 }, { item: 'desk', bidder: 'g', price: 1, rn: 2 },
      ]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsTotal).toBe(4)),
    ], { checkpointDir: tempDir(`topn-restart-${backend}-`), settings });
  });

  it.each(['filesystem', 'lmdb'])('restarts a retracting Top-N from the checkpoint, with the rows below the top (%s)', async (backend) => {
    const sql = `CREATE TABLE sales (shop STRING, amount INT) WITH ('connector' = 'memory');
      CREATE TABLE best (shop STRING, total BIGINT, rn BIGINT) WITH ('connector' = 'memory');
      INSERT INTO best SELECT * FROM (
        SELECT shop, total, ROW_NUMBER() OVER (ORDER BY total DESC) AS rn
        FROM (SELECT shop, SUM(amount) AS total FROM sales GROUP BY shop)) WHERE rn <= 1;`;
    await testStream(sql, [
      addData('sales', [{ shop: 'a', amount: 10 }, { shop: 'b', amount: 7 }, { shop: 'c', amount: 3 }]),
      stopAndRestart({ dropLastCommit: true }),
      addData('sales', [{ shop: 'a', amount: -10 }]),
      checkAnswer('best', [{ shop: 'b', total: 7, rn: 1 }]),
      stopAndRestart(),
      addData('sales', [{ shop: 'b', amount: -5 }]),
      checkAnswer('best', [{ shop: 'c', total: 3, rn: 1 }]),
    ], { checkpointDir: tempDir(`topn-retract-restart-${backend}-`), settings: { 'state.backend': backend } });
  });

  it('emits the whole top N every batch in complete mode', async () => {
    await testStream(TOP2, [
      addData('bids', [{ item: 'lamp', bidder: 'a', price: 10 }, { item: 'lamp', bidder: 'b', price: 20 }]),
      addData('bids', [{ item: 'desk', bidder: 'c', price: 3 }]),
      checkAnswer('top2', [
        { item: 'lamp', bidder: 'b', price: 20, rn: 1 }, { item: 'lamp', bidder: 'a', price: 10, rn: 2 },
        { item: 'desk', bidder: 'c', price: 3, rn: 1 },
      ]),
      execute((env) => {
        const out = env.engine.output('top2');
        expect(out.changes().filter((c) => c.batchId === 1)).toHaveLength(3);
        expect(env.queries[0]!.explain()).toMatch(/output mode: complete/);
      }),
    ], { settings: { 'output-mode': 'complete' } });
  });

  it('refuses append mode, with the reason', async () => {
    const engine = new Engine({ clock: new ManualClock(0), settings: { 'output-mode': 'append' } });
    try {
      await expect(engine.execute(TOP2)).rejects.toThrow(/append output mode not supported for a Top-N .*use update or complete/);
    } finally {
      await engine.stop();
    }
  });
});
