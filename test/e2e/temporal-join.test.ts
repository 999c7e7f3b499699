/**
 * Event-time temporal joins (`FOR SYSTEM_TIME AS OF o.rowtime` against a versioned table), as Flink
 * runs them: an order comes out when the watermark passes its time, joined with the version of its
 * key valid then; append-only; state bounded by the watermark. Checked on the example of Flink's
 * documentation (orders and RatesHistory), against DuckDB's ASOF JOIN over generated rows however they
 * are split into batches and whatever the watermark delay (seeded, printed; replay with WEIR_SEED),
 * across restarts, with EXPLAIN and the refusals at their position.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { WeirError } from '../../src/common/errors.js';
import { expectSameRows, Oracle, seeded, type OracleColumn, type Row } from '../support/oracle.js';
import { propertySeed } from '../support/property.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, checkProgress, execute, stopAndRestart, testStream } from '../support/stream-test.js';

afterEach(removeTempDirs);

const ddl = (delayMs: number): string => `
  CREATE TABLE orders (amount INT, currency STRING, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '${delayMs / 1000}' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE rates (currency STRING, rate INT, rtm TIMESTAMP(3), WATERMARK FOR rtm AS rtm - INTERVAL '${delayMs / 1000}' SECOND,
    PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'memory');
  CREATE TABLE o (amount INT, currency STRING, tm TIMESTAMP(3), rate INT, rtm TIMESTAMP(3)) WITH ('connector' = 'memory');`;

const SELECT = (join: 'JOIN' | 'LEFT JOIN'): string =>
  `SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders AS o ${join} rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency`;

const ORACLE = (join: 'JOIN' | 'LEFT JOIN'): string =>
  `SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders o ASOF ${join} rates r ON o.currency = r.currency AND o.tm >= r.rtm`;

const ORDERS: OracleColumn[] = [{ name: 'amount', type: 'INT' }, { name: 'currency', type: 'STRING' }, { name: 'tm', type: 'TIMESTAMP(3)' }];
const RATES: OracleColumn[] = [{ name: 'currency', type: 'STRING' }, { name: 'rate', type: 'INT' }, { name: 'rtm', type: 'TIMESTAMP(3)' }];

const at = (hhmm: string): number => Date.UTC(2024, 0, 1, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)));

describe('the example of Flink\'s documentation (Orders and RatesHistory)', () => {
  const orders = [['10:15', 2, 'Euro'], ['10:30', 1, 'US Dollar'], ['10:32', 50, 'Yen'], ['10:52', 3, 'Euro'], ['11:04', 5, 'US Dollar']]
    .map(([t, amount, currency]) => ({ amount, currency, tm: at(t as string) }));
  const rates = [['09:00', 'US Dollar', 102], ['09:00', 'Euro', 114], ['09:00', 'Yen', 1], ['10:45', 'Euro', 116], ['11:15', 'Euro', 119], ['11:49', 'Pounds', 108]]
    .map(([t, currency, rate]) => ({ currency, rate, tm: at(t as string) }));

  it('gives each order the rate valid at its time: 228, 102, 50, 348, 510', async () => {
    const sql = `${ddl(0)}
      CREATE TABLE s (tm TIMESTAMP(3), amount INT) WITH ('connector' = 'memory');
      INSERT INTO s SELECT o.tm, o.amount * r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;`;
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(sql);
    engine.input('rates').push(rates.map((r) => ({ currency: r.currency, rate: r.rate, rtm: r.tm })));
    await q!.processAllAvailable();
    engine.input('orders').push(orders);
    await q!.processAllAvailable();
    engine.input('orders').end();
    engine.input('rates').end();
    await q!.awaitTermination(10_000);
    expect(engine.output('s').rows().map((r) => [r.tm, r.amount])).toEqual(
      [['10:15', 228], ['10:30', 102], ['10:32', 50], ['10:52', 348], ['11:04', 510]].map(([t, a]) => [at(t as string), a]));
    expect(engine.output('s').changes().every((c) => c.kind === 'insert'), 'append-only').toBe(true);
    await engine.stop();
  });
});

/** Orders and rate versions of 3 currencies (and one without rates, and NULL), with disorder under `delay`; a version time is unique per currency. */
function generate(rand: () => number, n: number, delay: number): { orders: Row[]; rates: Row[] } {
  const currencies = ['EUR', 'USD', 'JPY'];
  const orders: Row[] = [], rates: Row[] = [];
  const used = new Set<string>();
  let base = 100_000;
  for (let i = 0; i < n; i++) {
    base += Math.floor(rand() * 2000);
    const jitter = (): number => base - Math.floor(rand() * (delay + 1));
    if (rand() < 0.4) {
      const currency = currencies[Math.floor(rand() * 3)]!;
      let rtm = jitter();
      while (used.has(`${currency}/${rtm}`)) rtm++;
      used.add(`${currency}/${rtm}`);
      rates.push({ currency, rate: Math.floor(rand() * 1000), rtm });
    } else {
      const c = rand();
      orders.push({ amount: Math.floor(rand() * 100), currency: c < 0.05 ? null : c < 0.12 ? 'GBP' : currencies[Math.floor(rand() * 3)]!, tm: jitter() });
    }
  }
  return { orders, rates };
}

/** Both inputs cut into batches at random points, in arrival order. */
function batches(rand: () => number, rows: { orders: Row[]; rates: Row[] }): { orders: Row[]; rates: Row[] }[] {
  const out: { orders: Row[]; rates: Row[] }[] = [];
  let i = 0, j = 0;
  while (i < rows.orders.length || j < rows.rates.length) {
    const a = Math.floor(rand() * 8), b = Math.floor(rand() * 5);
    out.push({ orders: rows.orders.slice(i, i + a), rates: rows.rates.slice(j, j + b) });
    i += a;
    j += b;
  }
  return out;
}

async function oracleRows(rows: { orders: Row[]; rates: Row[] }, join: 'JOIN' | 'LEFT JOIN'): Promise<Row[]> {
  const o = await Oracle.create();
  try {
    await o.createTable('orders', ORDERS, rows.orders);
    await o.createTable('rates', RATES, rows.rates);
    return await o.query(ORACLE(join));
  } finally {
    o.close();
  }
}

describe('equals DuckDB\'s ASOF JOIN', () => {
  it.each(['JOIN', 'LEFT JOIN'] as const)('%s, whatever the batches and the watermark delay (seeded)', async (join) => {
    const seed = propertySeed();
    for (let run = 0; run < 4; run++) {
      const rand = seeded(seed + run + (join === 'JOIN' ? 0 : 1000));
      const delay = [0, 1000, 5000, 20_000][run]!;
      const rows = generate(rand, 120, delay);
      const engine = new Engine({ clock: new ManualClock(0) });
      const [q] = await engine.execute(`${ddl(delay)} INSERT INTO o ${SELECT(join)};`);
      for (const b of batches(rand, rows)) {
        if (b.orders.length > 0) engine.input('orders').push(b.orders);
        if (b.rates.length > 0) engine.input('rates').push(b.rates);
        await q!.processAllAvailable();
      }
      engine.input('orders').end();
      engine.input('rates').end();
      await q!.awaitTermination(10_000);
      const expected = await oracleRows(rows, join);
      // the data exercise it: orders with a version, and (LEFT) without one
      expect(expected.filter((r) => r.rate !== null).length).toBeGreaterThan(20);
      if (join === 'LEFT JOIN') expect(expected.some((r) => r.rate === null)).toBe(true);
      expectSameRows(engine.output('o').rows(), expected, `seed ${seed + run}, delay ${delay} ms`);
      expect(engine.output('o').changes().every((c) => c.kind === 'insert'), 'append-only').toBe(true);
      await engine.stop();
    }
  });

  it('applies the rest of the ON condition to the version valid at the order\'s time, as Flink (LEFT pads a failing one)', async () => {
    const rand = seeded(propertySeed() + 3);
    const rows = generate(rand, 150, 1000);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`${ddl(1000)} INSERT INTO o ${SELECT('LEFT JOIN')} AND r.rate > 500;`);
    for (const b of batches(rand, rows)) {
      engine.input('orders').push(b.orders);
      engine.input('rates').push(b.rates);
      await q!.processAllAvailable();
    }
    engine.input('orders').end();
    engine.input('rates').end();
    await q!.awaitTermination(10_000);
    // not an older version that passes: the one valid then, or nothing
    const expected = (await oracleRows(rows, 'LEFT JOIN')).map((r) => ((r.rate as number | null) !== null && (r.rate as number) > 500 ? r : { ...r, rate: null, rtm: null }));
    expectSameRows(engine.output('o').rows(), expected, 'residual');
    await engine.stop();
  });

  it('across restarts (one re-running an uncommitted batch), with state bounded by the watermark', async () => {
    const rand = seeded(propertySeed() + 7);
    const rows = generate(rand, 200, 2000);
    const checkpointDir = tempDir('weir-temporal-');
    const part = (from: number, to: number): { orders: Row[]; rates: Row[] } => ({
      orders: rows.orders.slice(Math.floor(rows.orders.length * from), Math.floor(rows.orders.length * to)),
      rates: rows.rates.slice(Math.floor(rows.rates.length * from), Math.floor(rows.rates.length * to)),
    });
    // the orders the final watermark has passed (the last 2 s wait: no end of input here)
    const wm = Math.min(Math.max(...rows.orders.map((r) => r.tm as number)), Math.max(...rows.rates.map((r) => r.rtm as number))) - 2000;
    const expected = (await oracleRows(rows, 'LEFT JOIN')).filter((r) => (r.tm as number) <= wm);
    expect(expected.length).toBeGreaterThan(80);
    const feed = (p: { orders: Row[]; rates: Row[] }) => [addData('orders', p.orders), addData('rates', p.rates)];
    await testStream(`${ddl(2000)} INSERT INTO o ${SELECT('LEFT JOIN')};`, [
      ...feed(part(0, 0.2)), ...feed(part(0.2, 0.4)),
      checkProgress((p) => {
        // per currency the version valid at the watermark and those after it, plus orders waiting: a few, never all
        const op = p.stateOperators[0]!;
        expect(op.operatorName).toBe('temporalJoin');
        expect(op.numRowsTotal).toBeLessThan(40);
      }),
      stopAndRestart(),
      ...feed(part(0.4, 0.7)),
      stopAndRestart({ dropLastCommit: true }),
      ...feed(part(0.7, 1)),
      execute((env) => expectSameRows(env.engine.output('o').rows(), expected, 'after two restarts')),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsTotal).toBeLessThan(40)),
    ], { checkpointDir });
  });
});

describe('Flink\'s versioned view (the last row of each key by rowtime, over an append-only table)', () => {
  const viewDdl = (delay: number): string => `
    CREATE TABLE orders (amount INT, currency STRING, tm TIMESTAMP(3), WATERMARK FOR tm AS tm - INTERVAL '${delay / 1000}' SECOND) WITH ('connector' = 'memory');
    CREATE TABLE rates (currency STRING, rate INT, rtm TIMESTAMP(3), WATERMARK FOR rtm AS rtm - INTERVAL '${delay / 1000}' SECOND) WITH ('connector' = 'memory');
    CREATE VIEW versioned_rates AS SELECT currency, rate, rtm FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY rtm DESC) AS rownum FROM rates) WHERE rownum = 1;
    CREATE TABLE o (amount INT, currency STRING, tm TIMESTAMP(3), rate INT, rtm TIMESTAMP(3)) WITH ('connector' = 'memory');`;
  const q = 'INSERT INTO o SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders AS o LEFT JOIN versioned_rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;';

  it('is a temporal join keyed by the PARTITION BY columns, equal to DuckDB\'s ASOF JOIN (seeded)', async () => {
    const text = await new Engine().explain(`${viewDdl(1000)} ${q}`);
    expect(text).toContain('TemporalJoin(left, table=versioned_rates, keys=[currency#1 = currency#0], as of=tm#2, version=rtm#2)');
    expect(text).not.toContain('TopN');
    const rand = seeded(propertySeed() + 11);
    const rows = generate(rand, 150, 1000);
    const engine = new Engine({ clock: new ManualClock(0) });
    const [query] = await engine.execute(`${viewDdl(1000)} ${q}`);
    for (const b of batches(rand, rows)) {
      engine.input('orders').push(b.orders);
      engine.input('rates').push(b.rates);
      await query!.processAllAvailable();
    }
    engine.input('orders').end();
    engine.input('rates').end();
    await query!.awaitTermination(10_000);
    expectSameRows(engine.output('o').rows(), await oracleRows(rows, 'LEFT JOIN'), 'versioned view');
    await engine.stop();
  });

  it('refuses another view', async () => {
    const sql = `${viewDdl(0)} CREATE VIEW plain AS SELECT currency, rate, rtm FROM rates;
      INSERT INTO o SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders AS o JOIN plain FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;`;
    const e = await new Engine().explain(sql).then(() => undefined, (x: unknown) => x);
    expect((e as WeirError).message).toMatch(/'plain' is a view that is not a versioned view/);
  });
});

describe('EXPLAIN and refusals', () => {
  const explainError = async (sql: string): Promise<WeirError> => {
    const e = await new Engine().explain(sql).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(WeirError);
    return e as WeirError;
  };

  it('shows the temporal join', async () => {
    const text = await new Engine().explain(`${ddl(0)} INSERT INTO o ${SELECT('LEFT JOIN')};`);
    expect(text).toContain('TemporalJoin(left, table=rates, keys=[currency#1 = currency#0], as of=tm#2, version=rtm#2) [operator 0]');
    expect(text).toContain('output mode: append');
  });

  it('refuses a table without a primary key, or without a watermark, at the table name', async () => {
    const base = `CREATE TABLE orders (amount INT, currency STRING, tm TIMESTAMP(3), WATERMARK FOR tm AS tm) WITH ('connector' = 'memory');
      CREATE TABLE o (amount INT, rate INT) WITH ('connector' = 'memory');`;
    const q = 'INSERT INTO o SELECT o.amount, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;';
    const noKey = `${base} CREATE TABLE rates (currency STRING, rate INT, rtm TIMESTAMP(3), WATERMARK FOR rtm AS rtm) WITH ('connector' = 'memory'); ${q}`;
    const e1 = await explainError(noKey);
    expect(e1.message).toMatch(/'rates' has no primary key.*PRIMARY KEY \(…\) NOT ENFORCED/);
    expect(e1.span?.column).toBe(noKey.split('\n').at(-1)!.indexOf('rates FOR') + 1);
    const noWm = `${base} CREATE TABLE rates (currency STRING, rate INT, rtm TIMESTAMP(3), PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'memory'); ${q}`;
    expect((await explainError(noWm)).message).toMatch(/'rates' has no watermark/);
  });

  it('refuses an ON condition without the primary key, and RIGHT joins', async () => {
    const base = ddl(0);
    const noPk = await explainError(`${base} INSERT INTO o SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.amount = r.rate;`);
    expect(noPk.message).toMatch(/equality on every primary-key column of the versioned table 'rates' \(PRIMARY KEY \(currency\)\); missing: currency/);
    const right = await explainError(`${base} INSERT INTO o SELECT o.amount, o.currency, o.tm, r.rate, r.rtm FROM orders AS o RIGHT JOIN rates FOR SYSTEM_TIME AS OF o.tm AS r ON o.currency = r.currency;`);
    expect(right.message).toMatch(/INNER or a LEFT join, not RIGHT/);
  });

  it('keeps the processing-time lookup join a lookup join', async () => {
    const text = await new Engine().explain(`${ddl(0)}
      CREATE TABLE dim (currency STRING, rate INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/none.csv', 'format' = 'csv');
      CREATE TABLE p (amount INT, rate INT) WITH ('connector' = 'memory');
      INSERT INTO p SELECT o.amount, d.rate FROM (SELECT *, PROCTIME() AS pt FROM orders) AS o JOIN dim FOR SYSTEM_TIME AS OF o.pt AS d ON o.currency = d.currency;`);
    expect(text).toContain('LookupJoin(inner, table=dim');
    expect(text).not.toContain('TemporalJoin');
  });
});
