/**
 * A table the plan scans more than once is read once per batch: every scan of it gets the same rows
 * (each with the columns it needs), the generator runs once, and progress counts the rows once. An
 * identical sub-plan runs once, its output read by each of its parents.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NexmarkSource } from '../../src/connectors/nexmark/source.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { sortRows } from '../support/stream-test.js';

afterEach(() => vi.restoreAllMocks());

describe('a table scanned twice', () => {
  it('is read once per batch from the Nexmark generator, with the columns both scans need', async () => {
    const read = vi.spyOn(NexmarkSource.prototype, 'read');
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE gen (event_type INT, person ROW<id BIGINT, name VARCHAR, dateTime TIMESTAMP(3)>,
        auction ROW<id BIGINT, seller BIGINT, category BIGINT, dateTime TIMESTAMP(3)>,
        bid ROW<auction BIGINT, price BIGINT, dateTime TIMESTAMP(3)>)
        WITH ('connector' = 'nexmark', 'events.num' = '2000', 'first-event.rate' = '1000', 'next-event.rate' = '1000');
      CREATE TABLE out (id BIGINT, name VARCHAR, category BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT p.id, p.name, a.category
        FROM (SELECT person.id, person.name FROM gen WHERE event_type = 0) p
        JOIN (SELECT auction.seller, auction.category FROM gen WHERE event_type = 1) a ON p.id = a.seller;`);
    expect(await q!.awaitTermination(30_000)).toBe(true);
    const rows = engine.output('out').rows();
    await engine.stop();
    expect(rows.length).toBeGreaterThan(0);
    // every person of the join has the generator's name format: the person fields were generated
    for (const r of rows) expect(r.name).toMatch(/^\w+ \w+$/);
    const batches = q!.recentProgress.filter((p) => p.numInputRows > 0);
    // one read per batch that had data, not one per scan
    expect(read).toHaveBeenCalledTimes(batches.length);
    expect(batches.reduce((a, p) => a + p.numInputRows, 0)).toBe(2000);
    // each scan still reports what it received
    for (const p of batches) expect(p.sources.map((s) => s.numInputRows)).toEqual([p.numInputRows, p.numInputRows]);
  });

  it('gives a self-join of a memory table every pair once', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE t (k INT, v STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (a STRING, b STRING) WITH ('connector' = 'memory');
      INSERT INTO out SELECT x.v, y.v FROM t x JOIN t y ON x.k = y.k;`);
    engine.input('t').push([{ k: 1, v: 'a' }, { k: 1, v: 'b' }]);
    await q!.processAllAvailable();
    engine.input('t').push([{ k: 1, v: 'c' }, { k: 2, v: 'd' }]);
    await q!.processAllAvailable();
    expect(q!.lastProgress!.numInputRows).toBe(2);
    const rows = engine.output('out').rows();
    await engine.stop();
    const vs = ['a', 'b', 'c'];
    expect(sortRows(rows)).toEqual(sortRows([...vs.flatMap((a) => vs.map((b) => ({ a, b }))), { a: 'd', b: 'd' }]));
  });

  it('runs an identical sub-plan once and gives each of its parents every row', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE t (k INT, v INT) WITH ('connector' = 'memory');
      CREATE TABLE out (k INT, n BIGINT) WITH ('connector' = 'memory');
      CREATE VIEW c AS SELECT k, COUNT(*) AS n FROM t GROUP BY k;
      INSERT INTO out SELECT k, n FROM c UNION ALL SELECT k, n FROM c;`);
    engine.input('t').push([{ k: 1, v: 1 }, { k: 1, v: 2 }, { k: 2, v: 3 }]);
    await q!.processAllAvailable();
    engine.input('t').push([{ k: 2, v: 4 }]);
    await q!.processAllAvailable();
    expect(q!.lastProgress!.stateOperators).toHaveLength(1);
    expect(q!.lastProgress!.stateOperators[0]!.numRowsTotal).toBe(2);
    const rows = engine.output('out').rows();
    await engine.stop();
    expect(sortRows(rows)).toEqual(sortRows([{ k: 1, n: 2 }, { k: 1, n: 2 }, { k: 2, n: 2 }, { k: 2, n: 2 }]));
  });
});
