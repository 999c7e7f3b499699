/**
 * Embedding Weir in a long-running service: input released once consumed, write() waiting for room,
 * results pushed through stream() / readable() / foreachBatch, the current result as Arrow, and
 * custom connectors through engine.registerConnector.
 */
import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Change, type ForeachBatchContext } from '../../src/index.js';

const BIDS = `CREATE TABLE bids (item STRING, price BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'memory');`;

describe('bounded embedding', () => {
  it('releases pushed rows once the query committed them, and write() waits for room instead of growing', async () => {
    const engine = new Engine({ clock: new ManualClock(0), memory: { maxUnconsumedRows: 100 } });
    const [q] = await engine.execute(`${BIDS}
      CREATE TABLE totals (item STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO totals SELECT item, COUNT(*) FROM bids GROUP BY item;`);
    const rows = (k: number) => Array.from({ length: 50 }, (_, i) => ({ item: `i${i % 5}`, price: k, ts: k * 1000 }));
    let maxHeld = 0;
    for (let k = 0; k < 40; k++) {
      await engine.input('bids').write(rows(k)); // would block forever if the query never made room
      maxHeld = Math.max(maxHeld, engine.memoryTables!.unconsumedRows('bids'));
      if (k % 3 === 0) await q!.processAllAvailable();
    }
    await q!.processAllAvailable();
    // the bound held (a write waits at 100 rows; each push is 50), and what was consumed is gone
    expect(maxHeld).toBeLessThanOrEqual(150);
    expect(engine.memoryTables!.pushed('bids').length).toBeLessThanOrEqual(2);
    expect(engine.memoryTables!.pushCount('bids')).toBe(40);
    expect(engine.output('totals').rows().map((r) => r['n'])).toEqual([400, 400, 400, 400, 400]);
    await engine.stop();
  });

  it('stream() yields every change once with its batch id and releases it; readable() is the same as a Node stream', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`${BIDS}
      CREATE TABLE totals (item STRING, n BIGINT, PRIMARY KEY (item) NOT ENFORCED) WITH ('connector' = 'memory');
      INSERT INTO totals SELECT item, COUNT(*) FROM bids GROUP BY item;`);
    const out = engine.output('totals');
    const seen: Change[] = [];
    const reader = (async () => { for await (const c of out.stream()) seen.push(c); })();
    engine.input('bids').push([{ item: 'a', price: 1, ts: 0 }, { item: 'b', price: 1, ts: 0 }]);
    await q!.processAllAvailable();
    engine.input('bids').push([{ item: 'a', price: 2, ts: 0 }]);
    await q!.processAllAvailable();
    await new Promise((r) => setImmediate(r));
    expect(seen.map((c) => `${c.batchId} ${c.kind} ${String(c.row['item'])} ${String(c.row['n'])}`)).toEqual([
      '0 insert a 1', '0 insert b 1', '1 update_before a 1', '1 update_after a 2',
    ]);
    expect(out.changes()).toEqual([]); // taken, so released
    expect(() => out.stream()).toThrow(/already has a stream\(\) reader/);
    expect(out.rows().sort((x, y) => String(x['item']).localeCompare(String(y['item'])))).toEqual([{ item: 'a', n: 2 }, { item: 'b', n: 1 }]); // update mode: the table by key
    await engine.stop();
    await reader; // the stream ends when the query writing the table stops
    // a Node Readable of the same, in object mode
    const e2 = new Engine({ clock: new ManualClock(0) });
    const [q2] = await e2.execute(`${BIDS}
      CREATE TABLE copy (item STRING, price BIGINT) WITH ('connector' = 'memory');
      INSERT INTO copy SELECT item, price FROM bids;`);
    const readable = e2.output('copy').readable();
    e2.input('bids').push([{ item: 'x', price: 7, ts: 0 }, { item: 'y', price: 9007199254740993n, ts: 0 }]);
    await q2!.processAllAvailable();
    await e2.stop();
    const got: Change[] = [];
    for await (const c of readable) got.push(c as Change);
    expect(got.map((c) => c.row)).toEqual([{ item: 'x', price: 7 }, { item: 'y', price: 9007199254740993n }]);
    expect(e2.output('copy').rows()).toEqual([]); // append mode keeps only rows not yet consumed
  });

  it('toArrow() gives the current result as an Arrow Table, DECIMAL as Decimal128', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE pay (who STRING, amount DECIMAL(10, 2)) WITH ('connector' = 'memory');
      CREATE TABLE sums (who STRING, total DECIMAL(38, 2), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO sums SELECT who, SUM(amount), COUNT(*) FROM pay GROUP BY who;`);
    engine.input('pay').push([{ who: 'a', amount: '0.10' }, { who: 'a', amount: '0.20' }, { who: 'b', amount: '-1.05' }]);
    await q!.processAllAvailable();
    const t = engine.output('sums').toArrow();
    expect(t.numRows).toBe(2);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Decimal[38e+2]', 'Int64']);
    const total = t.getChild('total')!;
    // Decimal128 values as arrow-js shows them: the unscaled integer's 32-bit words
    const unscaled = (i: number): bigint => {
      const w = total.get(i) as Uint32Array;
      return BigInt.asIntN(128, BigInt(w[0]!) | (BigInt(w[1]!) << 32n) | (BigInt(w[2]!) << 64n) | (BigInt(w[3]!) << 96n));
    };
    const whos = t.getChild('who')!.toArray() as string[];
    expect(Object.fromEntries(whos.map((w, i) => [w, unscaled(i)]))).toEqual({ a: 30n, b: -105n });
    await engine.stop();
  });
});

describe('foreach-batch sink', () => {
  const SQL = `${BIDS}
    CREATE TABLE alerts (item STRING, n BIGINT) WITH ('connector' = 'foreach-batch');
    INSERT INTO alerts SELECT item, COUNT(*) FROM bids GROUP BY item;`;

  it('hands each batch to the function as an Arrow Table with row kinds; the batch commits after its promise', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const calls: { batchId: number; rows: unknown[]; kinds: readonly string[] }[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    engine.foreachBatch('alerts', async ({ batchId, table, kinds }: ForeachBatchContext) => {
      expect(table).toBeInstanceOf(arrow.Table);
      calls.push({ batchId, rows: table.toArray().map((r) => ({ ...r.toJSON() })), kinds });
      if (batchId === 1) await gate;
    });
    const [q] = await engine.execute(SQL);
    engine.input('bids').push([{ item: 'a', price: 1, ts: 0 }]);
    await q!.processAllAvailable();
    engine.input('bids').push([{ item: 'a', price: 1, ts: 0 }]);
    const done = q!.processAllAvailable();
    await new Promise((r) => setTimeout(r, 20));
    expect(q!.lastProgress!.batchId).toBe(0); // batch 1 waits for the function
    release();
    await done;
    expect(q!.lastProgress!.batchId).toBe(1);
    expect(calls.map((c) => [c.batchId, c.kinds, c.rows])).toEqual([
      [0, ['insert'], [{ item: 'a', n: 1n }]],
      [1, ['update_before', 'update_after'], [{ item: 'a', n: 1n }, { item: 'a', n: 2n }]],
    ]);
    await engine.stop();
  });

  it('fails the query when the function throws, naming the table and the batch; refuses a table without a function', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.foreachBatch('alerts', () => { throw new Error('pager down'); });
    const [q] = await engine.execute(SQL);
    engine.input('bids').push([{ item: 'a', price: 1, ts: 0 }]);
    await expect(q!.processAllAvailable()).rejects.toThrow(/the foreachBatch function of 'alerts' failed on batch 0: pager down/);
    await engine.stop();
    await expect(new Engine().execute(SQL)).rejects.toThrow(/'connector' = 'foreach-batch' but no function: call engine.foreachBatch\('alerts'/);
  });
});

describe('registerConnector', () => {
  it('runs a query over an application connector: offsets, reads between them, a sink of its own', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const written: unknown[] = [];
    const log = [10, 20, 30, 40];
    engine.registerConnector('counter', {
      options: ['start'],
      createSource: (table) => ({
        schema: table.schema,
        description: 'counter',
        bounded: true,
        latestOffset: async (start) => (start === undefined ? 2 : Math.min(Number(start) + 2, log.length)),
        read: async (start, end) => {
          const xs = log.slice(Number(start ?? 0), Number(end));
          return { batches: [arrow.tableFromArrays({ x: BigInt64Array.from(xs.map(BigInt)) }).batches[0]!], rejected: [] };
        },
        isExhausted: (offset) => Number(offset ?? 0) >= log.length,
        close: async () => {},
      }),
      createSink: () => ({
        description: 'collect',
        open: async () => {},
        write: async (b) => { for (const r of b.data) written.push(...r.toArray().map((x) => x.toJSON())); },
        close: async () => {},
      }),
    });
    const [q] = await engine.execute(`
      CREATE TABLE src (x BIGINT) WITH ('connector' = 'counter', 'start' = '0');
      CREATE TABLE dst (y BIGINT) WITH ('connector' = 'counter');
      INSERT INTO dst SELECT x + 1 FROM src;`);
    await q!.awaitTermination(5000);
    expect(written).toEqual([{ y: 11n }, { y: 21n }, { y: 31n }, { y: 41n }]);
    expect(() => engine.registerConnector('counter', { createSink: () => { throw new Error(); } })).toThrow(/exists already/);
    // another engine does not know it
    await expect(new Engine().execute(`CREATE TABLE t (x INT) WITH ('connector' = 'counter');
      CREATE TABLE o (x INT) WITH ('connector' = 'blackhole'); INSERT INTO o SELECT x FROM t;`)).rejects.toThrow(/counter/);
  });
});
