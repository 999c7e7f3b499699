/**
 * Process functions over several tables (co-partitioned, state and timers per key across them) and
 * over a table with row semantics (no PARTITION BY: per row, no state, no timers).
 *
 * The two-table property test: random orders and payments, each stream pushed in random batches
 * interleaved at random, a restart at a random point (seed printed, replay with PF_TABLES_SEED),
 * against a plain JS model of what the fixture computes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { seeded } from '../support/oracle.js';
import { runSplitWithRestart } from '../support/restart-run.js';
import { addData, checkAnswer, stopAndRestart, testStream } from '../support/stream-test.js';

const FX = path.join(__dirname, 'fixtures', 'process');
const SEED = Number(process.env.PF_TABLES_SEED ?? Math.floor(Math.random() * 2 ** 31));
const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-ptf-tables-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const MATCH_SQL = `
  CREATE FUNCTION settle AS '${FX}/match-payments.mjs';
  CREATE TABLE orders (id BIGINT, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE payments (order_id BIGINT, paid INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE out (id BIGINT, order_id BIGINT, amount INT, paid INT, payments INT, status STRING) WITH ('connector' = 'memory');
  INSERT INTO out SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE payments PARTITION BY order_id));`;

interface Order { id: number; amount: number; ts: number }
interface Payment { order_id: number; paid: number; ts: number }

/** The model: one row per order, its payments summed (each payment is within 5 s of its order). */
function model(orders: readonly Order[], payments: readonly Payment[]): object[] {
  return orders.map((o) => {
    const ps = payments.filter((p) => p.order_id === o.id);
    const paid = ps.reduce((s, p) => s + p.paid, 0);
    return { id: o.id, order_id: o.id, amount: o.amount, paid, payments: ps.length, status: paid === 0 ? 'unpaid' : paid >= o.amount ? 'paid' : 'partial' };
  });
}

function randomInput(r: () => number): { orders: Order[]; payments: Payment[] } {
  const orders: Order[] = [];
  const payments: Payment[] = [];
  let t = 1_000_000;
  for (let id = 1; id <= 30; id++) {
    t += Math.floor(r() * 2000);
    const amount = 10 + Math.floor(r() * 90);
    orders.push({ id, amount, ts: t });
    // 0 to 3 payments within 5 s of the order: all of them arrive before its timer (ts + 10 s) fires
    const n = Math.floor(r() * 4);
    for (let k = 0; k < n; k++) payments.push({ order_id: id, paid: 5 + Math.floor(r() * 40), ts: t + Math.floor(r() * 5000) });
  }
  payments.sort((a, b) => a.ts - b.ts);
  return { orders, payments };
}

/** An engine with the fixtures registered through the API (EXPLAIN needs a function's columns before any query runs). */
async function explainEngine(ddl: string): Promise<Engine> {
  const engine = new Engine({ clock: new ManualClock(0) });
  const settle = (await import(path.join(FX, 'match-payments.mjs'))) as { default: never };
  const rowFns = (await import(path.join(FX, 'row-semantics.mjs'))) as Record<string, never>;
  engine.registerProcessFunction('settle', settle.default);
  for (const name of ['words', 'counts', 'later']) engine.registerProcessFunction(name, rowFns[name]!);
  await engine.execute(ddl.replace(/CREATE FUNCTION[^;]*;/g, ''));
  return engine;
}

const byId = (a: { id: unknown }, b: { id: unknown }): number => Number(a.id) - Number(b.id);

it('matches orders with payments by key across two tables, over random splits and a restart', async () => {
  console.log(`process-tables.test.ts seed ${SEED} (replay with PF_TABLES_SEED=${SEED})`);
  for (let round = 0; round < 2; round++) {
    const r = seeded(SEED + round);
    const { orders, payments } = randomInput(r);
    const checkpointDir = tmp();
    const clock = new ManualClock(0);
    let engine = new Engine({ clock, checkpointDir });
    let [q] = await engine.execute(MATCH_SQL);
    const restartAfter = 1 + Math.floor(r() * 8);
    let i = 0, j = 0, pushes = 0;
    while (i < orders.length || j < payments.length) {
      // a batch from one stream or the other, of 1 to 12 rows
      const n = 1 + Math.floor(r() * 12);
      if (j >= payments.length || (i < orders.length && r() < 0.5)) {
        engine.input('orders').push(orders.slice(i, i + n).map((o) => ({ ...o, ts: new Date(o.ts).toISOString() })));
        i += n;
      } else {
        engine.input('payments').push(payments.slice(j, j + n).map((p) => ({ ...p, ts: new Date(p.ts).toISOString() })));
        j += n;
      }
      await q!.processAllAvailable();
      if (++pushes === restartAfter) {
        await engine.stop();
        engine = new Engine({ clock, checkpointDir, memoryTables: engine.memoryTables });
        [q] = await engine.execute(MATCH_SQL);
        await q!.processAllAvailable();
      }
    }
    engine.input('orders').end();
    engine.input('payments').end();
    await q!.awaitTermination(10_000);
    const got = (engine.output('out').rows() as { id: unknown; order_id: unknown }[]).map((x) => ({ ...x, id: Number(x.id), order_id: Number(x.order_id) }));
    expect(got.sort(byId), `seed ${SEED + round}`).toEqual(model(orders, payments));
    // every key settled: no state left
    const progress = q!.lastProgress;
    expect(progress?.stateOperators[0]?.numRowsTotal, `seed ${SEED + round}`).toBe(0);
    await engine.stop();
  }
}, 60_000);

describe('several tables', () => {
  it('tells the tables apart by argument name, and shares state and timers per key', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const seen: unknown[] = [];
    engine.registerProcessFunction('pair', {
      returns: 'n INT, src STRING',
      process(row, ctx) {
        const c = ctx as { table: string; key: unknown; state: { value(n: string): unknown; update(n: string, v: unknown): void }; emit(r: unknown): void };
        seen.push([c.table, row, c.key]);
        const n = ((c.state.value('n') as number | null) ?? 0) + 1;
        c.state.update('n', n);
        c.emit({ n, src: c.table });
      },
    });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE a (k STRING, x INT) WITH ('connector' = 'memory');
        CREATE TABLE b (id STRING, y STRING) WITH ('connector' = 'memory');
        CREATE TABLE out (k STRING, id STRING, n INT, src STRING) WITH ('connector' = 'memory');
        INSERT INTO out SELECT * FROM TABLE(pair(lefts => TABLE a PARTITION BY k, rights => TABLE b PARTITION BY id));`);
      engine.input('a').push([{ k: 'p', x: 1 }]);
      await q!.processAllAvailable();
      engine.input('b').push([{ id: 'p', y: 'u' }, { id: 'q', y: 'v' }]);
      await q!.processAllAvailable();
      expect(engine.output('out').rows()).toEqual([
        { k: 'p', id: 'p', n: 1, src: 'lefts' }, { k: 'p', id: 'p', n: 2, src: 'rights' }, { k: 'q', id: 'q', n: 1, src: 'rights' },
      ]);
      expect(seen[0]).toEqual(['lefts', { k: 'p', x: 1 }, { k: 'p' }]);
      expect(seen[1]).toEqual(['rights', { id: 'p', y: 'u' }, { k: 'p' }]);
    } finally {
      await engine.stop();
    }
  });

  it('EXPLAIN shows the tables, the shared key and the union under them', async () => {
    const engine = await explainEngine(MATCH_SQL.split('INSERT')[0]!);
    const text = await engine.explain('SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE payments PARTITION BY order_id))');
    expect(text).toContain('ProcessFunction(settle(tables=[orders, payments], partitionBy=[id#1], time=time#2, columns=[amount, paid, payments, status]), emit=append) [operator 0]');
    expect(text).toContain('Union(2 inputs)');
    expect(text).toContain('Project(table=1, id=order_id#0, time=ts#2, orders.id=NULL, orders.amount=NULL, orders.ts=NULL, payments.order_id=order_id#0, '
      + 'payments.paid=paid#1, payments.ts=ts#2)');
  });

  it('with on_time ends with rowtime: the timer time for rows its onTimer emits', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`${MATCH_SQL.split('CREATE TABLE out')[0]!}
        CREATE TABLE out (id BIGINT, order_id BIGINT, status STRING, rowtime TIMESTAMP(3)) WITH ('connector' = 'memory');
        INSERT INTO out SELECT id, order_id, status, rowtime
        FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE payments PARTITION BY order_id, on_time => DESCRIPTOR(ts)));`);
      const T = Date.UTC(2026, 0, 1);
      engine.input('orders').push([{ id: 1, amount: 10, ts: new Date(T).toISOString() }, { id: 2, amount: 10, ts: new Date(T + 1000).toISOString() }]);
      engine.input('payments').push([{ order_id: 2, paid: 10, ts: new Date(T + 2000).toISOString() }]);
      engine.input('orders').end();
      engine.input('payments').end();
      await q!.awaitTermination(10_000);
      expect(engine.output('out').rows().map((r) => ({ ...r, id: Number(r.id), order_id: Number(r.order_id) }))).toEqual([
        { id: 1, order_id: 1, status: 'unpaid', rowtime: T + 10_000 }, { id: 2, order_id: 2, status: 'paid', rowtime: T + 11_000 },
      ]);
    } finally {
      await engine.stop();
    }
  });

  it('refuses keys of other types, a table without PARTITION BY among several, the same table twice, a clashing column', async () => {
    const engine = await explainEngine(MATCH_SQL.split('INSERT')[0]!);
    await engine.execute(`CREATE TABLE named (name STRING, v INT) WITH ('connector' = 'memory');`);
    const refusal = async (sql: string): Promise<string> => {
      try {
        await engine.explain(sql);
        return 'no error';
      } catch (e) {
        return e instanceof WeirError && e.span ? e.format() : String(e);
      }
    };
    expect(await refusal('SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE named PARTITION BY name))'))
      .toMatch(/:1:\d+: the tables of process function settle must be co-partitioned by keys of the same types: orders is partitioned by \(BIGINT\), named by \(VARCHAR\)/);
    expect(await refusal('SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE payments))'))
      .toMatch(/:1:\d+: process function settle takes several tables, so each needs PARTITION BY .* not supported yet/);
    expect(await refusal('SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE orders PARTITION BY id))'))
      .toMatch(/takes the table orders twice: name the arguments apart/);
    expect(await refusal('SELECT * FROM TABLE(settle(TABLE orders PARTITION BY id, TABLE payments PARTITION BY id))')).toMatch(/column 'id' not found/);
  });
});

describe('row semantics (no PARTITION BY)', () => {
  const SQL = `
    CREATE FUNCTION words AS '${FX}/row-semantics.mjs';
    CREATE TABLE t (text STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
    CREATE TABLE out (word STRING, len INT, at_ms BIGINT, rowtime TIMESTAMP(3)) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM TABLE(words(TABLE t, 3, on_time => DESCRIPTOR(ts)));`;
  const T = Date.UTC(2026, 0, 1);

  it('calls the function per row; the result is its columns (no key), then rowtime; across a restart', async () => {
    await testStream(SQL, [
      addData('t', [{ text: 'the quick brown', ts: new Date(T).toISOString() }, { text: 'a fox', ts: new Date(T + 1000).toISOString() }]),
      checkAnswer('out', [
        { word: 'the', len: 3, at_ms: T, rowtime: T }, { word: 'quick', len: 5, at_ms: T, rowtime: T },
        { word: 'brown', len: 5, at_ms: T, rowtime: T }, { word: 'fox', len: 3, at_ms: T + 1000, rowtime: T + 1000 },
      ]),
      stopAndRestart(),
      addData('t', [{ text: 'jumps', ts: new Date(T + 2000).toISOString() }]),
      checkAnswer('out', [
        { word: 'the', len: 3, at_ms: T, rowtime: T }, { word: 'quick', len: 5, at_ms: T, rowtime: T },
        { word: 'brown', len: 5, at_ms: T, rowtime: T }, { word: 'fox', len: 3, at_ms: T + 1000, rowtime: T + 1000 },
        { word: 'jumps', len: 5, at_ms: T + 2000, rowtime: T + 2000 },
      ]),
    ], { checkpointDir: tmp() });
  });

  it('equals the per-row JS model over random batch splits and a restart', async () => {
    const r = seeded(SEED + 7);
    const vocab = ['a', 'to', 'the', 'fox', 'quick', 'jumps', 'over'];
    const rows = Array.from({ length: 120 }, (_, i) => ({
      text: Array.from({ length: Math.floor(r() * 5) }, () => vocab[Math.floor(r() * vocab.length)]).join(' '),
      ts: new Date(T + i * 100).toISOString(),
    }));
    const engine = await runSplitWithRestart({ sql: SQL, input: 't', rows, r, maxBatch: 20, tmpPrefix: 'weir-ptf-rows-', dirs });
    const want = rows.flatMap((x) => x.text.split(/\s+/).filter((w) => w.length >= 3)
      .map((w) => ({ word: w, len: w.length, at_ms: Date.parse(x.ts), rowtime: Date.parse(x.ts) })));
    // per row, in arrival order: the same rows in the same order, whatever the split
    expect(engine.output('out').rows(), `seed ${SEED + 7}`).toEqual(want);
    await engine.stop();
  }, 30_000);

  it('EXPLAIN says row semantics', async () => {
    const engine = await explainEngine(SQL.split('INSERT')[0]!);
    expect(await engine.explain('SELECT * FROM TABLE(words(TABLE t, 3))'))
      .toContain("ProcessFunction(words(rowSemantics, args=[3], time=ts#1, columns=[word, len, at_ms]), emit=append) [operator 0]");
  });

  it('refuses timers at the call and state when used, naming the function', async () => {
    const engine = await explainEngine(`
      CREATE TABLE t (text STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (n INT) WITH ('connector' = 'memory');`);
    let message = '';
    try {
      await engine.explain('SELECT * FROM TABLE(later(TABLE t))');
    } catch (e) {
      message = e instanceof WeirError ? e.format() : String(e);
    }
    expect(message).toMatch(/:1:\d+: process function later has an onTimer method, so its table needs PARTITION BY: .*TABLE t without PARTITION BY has row semantics/);
    const [q] = await engine.execute('INSERT INTO out SELECT * FROM TABLE(counts(TABLE t));');
    engine.input('t').push([{ text: 'x' }]);
    await expect(q!.awaitTermination(5_000)).rejects.toThrow(/process function counts used ctx.state, but its table has row semantics \(no PARTITION BY\)/);
    await engine.stop();
  });
});
