/**
 * A PRIMARY KEY on the sink table is the upsert key, as in Flink: in update mode the sink keeps one
 * row per key (the last), whatever keys the query itself has; without one the query's keys decide
 * (none for a plain projection: every row is kept).
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { sortRows } from '../support/stream-test.js';

async function run(sinkDdl: string): Promise<Record<string, unknown>[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  const [q] = await engine.execute(`
    SET 'output-mode' = 'update';
    CREATE TABLE bids (item STRING, price INT) WITH ('connector' = 'memory');
    ${sinkDdl}
    INSERT INTO latest SELECT item, price FROM bids;`);
  engine.input('bids').push([{ item: 'lamp', price: 12 }, { item: 'desk', price: 5 }]);
  await q!.processAllAvailable();
  engine.input('bids').push([{ item: 'lamp', price: 30 }]);
  await q!.processAllAvailable();
  const rows = engine.output('latest').rows();
  await engine.stop();
  return sortRows(rows);
}

describe('the sink table\'s PRIMARY KEY', () => {
  it('is the upsert key in update mode: the last row of each key stays', async () => {
    expect(await run(`CREATE TABLE latest (item STRING, price INT, PRIMARY KEY (item) NOT ENFORCED) WITH ('connector' = 'memory');`))
      .toEqual(sortRows([{ item: 'lamp', price: 30 }, { item: 'desk', price: 5 }]));
  });

  it('without one, the rows of a query without keys are all kept', async () => {
    expect(await run(`CREATE TABLE latest (item STRING, price INT) WITH ('connector' = 'memory');`))
      .toEqual(sortRows([{ item: 'lamp', price: 12 }, { item: 'lamp', price: 30 }, { item: 'desk', price: 5 }]));
  });

  it('names the key of an aggregation\'s result too (here the same as its grouping key)', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE bids (item STRING, price INT) WITH ('connector' = 'memory');
      CREATE TABLE top (max_price INT, item STRING, PRIMARY KEY (item) NOT ENFORCED) WITH ('connector' = 'memory');
      INSERT INTO top SELECT MAX(price), item FROM bids GROUP BY item;`);
    engine.input('bids').push([{ item: 'lamp', price: 12 }]);
    await q!.processAllAvailable();
    engine.input('bids').push([{ item: 'lamp', price: 30 }, { item: 'desk', price: 1 }]);
    await q!.processAllAvailable();
    expect(sortRows(engine.output('top').rows())).toEqual(sortRows([{ max_price: 30, item: 'lamp' }, { max_price: 1, item: 'desk' }]));
    await engine.stop();
  });
});
