/**
 * DECIMAL is exact: scaled integers from input to sink (money adds up to the cent, 0.1 + 0.2 is 0.3),
 * rounding half away from zero where a scale shrinks, and a value beyond what a DECIMAL holds fails
 * the query with the value instead of rounding.
 */
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../src/index.js';
import { batchToRows, rowsToBatch } from '../../src/common/columns.js';
import { T } from '../../src/common/types.js';
import { encodeJsonLines, jsonFormat } from '../../src/connectors/formats/json.js';
import { addData, checkAnswer, execute, expectFailure, testStream } from '../support/stream-test.js';

const DDL = `
  CREATE TABLE pay (who STRING, amount DECIMAL(10, 2), rate DECIMAL(5, 4)) WITH ('connector' = 'memory');
`;

describe('exact DECIMAL', () => {
  it('is written to JSON with exactly its digits, and read back the same', () => {
    const schema = { columns: [{ name: 'd', type: T.decimal(18, 2), nullable: true }] };
    const batch = rowsToBatch(schema, [{ d: '12345678901234.57' }, { d: 0.1 }, { d: -5 }, { d: null }]);
    const json = encodeJsonLines(batch, schema);
    expect(json).toBe('{"d":12345678901234.57}\n{"d":0.1}\n{"d":-5}\n{"d":null}\n');
    const back = jsonFormat.decode(json, schema, 'x.json');
    expect(batchToRows(back.batch).map((r) => r['d'])).toEqual(['12345678901234.57', 0.1, -5, null]);
  });

  it('sums, averages and multiplies to the cent where doubles drift', async () => {
    // 0.1 ten times is 0.9999999999999999 in doubles; 1/3 rounds half up at AVG's scale 6
    const tenDimes = Array.from({ length: 10 }, () => ({ who: 'a', amount: 0.1, rate: 0.5 }));
    await testStream(`${DDL}
      CREATE TABLE o (who STRING, total DECIMAL(38, 2), mean DECIMAL(38, 6), scaled DECIMAL(38, 2), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT who, SUM(amount), AVG(amount), SUM(CAST(amount * rate AS DECIMAL(38, 2))), COUNT(*) FROM pay GROUP BY who;`, [
      addData('pay', tenDimes),
      addData('pay', [{ who: 'b', amount: 1, rate: 0.3333 }, { who: 'b', amount: 0, rate: 0 }, { who: 'b', amount: 0, rate: 0 }]),
      checkAnswer('o', [
        { who: 'a', total: 1, mean: 0.1, scaled: 0.5, n: 10 }, // 0.05 ten times: CAST rounds 0.0500 exactly
        { who: 'b', total: 1, mean: 0.333333, scaled: 0.33, n: 3 },
      ]),
    ], { settings: { 'output-mode': 'update' } });
  });

  it('keeps 16+ significant digits, shown as exact text at the API where a number would round', async () => {
    await testStream(`
      CREATE TABLE big (k INT, v DECIMAL(18, 2)) WITH ('connector' = 'memory');
      CREATE TABLE o (k INT, v DECIMAL(18, 2), txt STRING, bigger BOOLEAN) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, v + 0.01, CAST(v AS STRING), v > 12345678901234.56 FROM big;`, [
      addData('big', [{ k: 1, v: '12345678901234.56' }, { k: 2, v: '-0.05' }, { k: 3, v: '12345678901234.57' }]),
      checkAnswer('o', [
        { k: 1, v: '12345678901234.57', txt: '12345678901234.56', bigger: false },
        { k: 2, v: -0.04, txt: '-0.05', bigger: false },
        { k: 3, v: '12345678901234.58', txt: '12345678901234.57', bigger: true },
      ]),
    ]);
  });

  it('rounds half away from zero when a scale shrinks, and refuses what does not fit the column', async () => {
    await testStream(`${DDL}
      CREATE TABLE o (who STRING, r DECIMAL(10, 1), q DECIMAL(38, 6), i INT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT who, amount, amount / 3, amount FROM pay;`, [
      addData('pay', [{ who: 'up', amount: 2.25, rate: 0 }, { who: 'down', amount: -2.25, rate: 0 }, { who: 'odd', amount: 2.5, rate: 0 }]),
      checkAnswer('o', [
        { who: 'up', r: 2.3, q: 0.75, i: 2 },
        { who: 'down', r: -2.3, q: -0.75, i: -2 },
        { who: 'odd', r: 2.5, q: 0.833333, i: 3 },
      ]),
    ]);
    await testStream(`${DDL}
      CREATE TABLE o (who STRING, small DECIMAL(3, 2)) WITH ('connector' = 'memory');
      INSERT INTO o SELECT who, amount FROM pay;`, [
      execute((env) => { env.engine.input('pay').push([{ who: 'x', amount: 12.5, rate: 0 }]); }),
      expectFailure(/value 12.50 is out of range for column 'small' of 'o' \(DECIMAL\(3, 2\)\)/),
    ]);
  });

  it('hands a JS function a DECIMAL as its number and takes its DECIMAL result back exactly', async () => {
    const seen: unknown[] = [];
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('with_tax', (x: number) => { seen.push(x); return x * 1.2; }, { returns: 'DECIMAL(10, 2)' });
    const [q] = await engine.execute(`${DDL}
      CREATE TABLE o (who STRING, taxed DECIMAL(10, 2)) WITH ('connector' = 'memory');
      INSERT INTO o SELECT who, with_tax(amount) FROM pay;`);
    engine.input('pay').push([{ who: 'a', amount: 10.05, rate: 0 }]);
    await q!.processAllAvailable();
    expect(seen).toEqual([10.05]);
    expect(engine.output('o').rows()).toEqual([{ who: 'a', taxed: 12.06 }]);
    await engine.stop();
  });

  it('reads decimal text exactly and rejects what its type cannot hold', async () => {
    const env = await testStream(`${DDL}
      CREATE TABLE o (who STRING, amount DECIMAL(10, 2)) WITH ('connector' = 'memory');
      INSERT INTO o SELECT who, amount FROM pay;`, [
      addData('pay', [{ who: 'a', amount: '0.125', rate: '0.00005' }]), // half up: 0.13, 0.0001
      checkAnswer('o', [{ who: 'a', amount: 0.13 }]),
    ]);
    expect(() => env.engine.input('pay').push([{ who: 'b', amount: '123456789.00', rate: 0 }])).toThrow(/value "123456789.00" is out of range for DECIMAL\(10, 2\) in column .amount./);
  });

  it('joins DECIMAL keys of other scales and INT keys by value, not by unscaled integer', async () => {
    await testStream(`
      CREATE TABLE a (k DECIMAL(10, 2), x STRING) WITH ('connector' = 'memory');
      CREATE TABLE b (k DECIMAL(10, 3), y STRING) WITH ('connector' = 'memory');
      CREATE TABLE c (k INT, z STRING) WITH ('connector' = 'memory');
      CREATE TABLE o (x STRING, y STRING) WITH ('connector' = 'memory');
      CREATE TABLE o2 (x STRING, z STRING) WITH ('connector' = 'memory');
      INSERT INTO o SELECT x, y FROM a JOIN b ON a.k = b.k;
      INSERT INTO o2 SELECT x, z FROM a JOIN c ON a.k = c.k;`, [
      addData('a', [{ k: 1.25, x: 'a1' }, { k: 2, x: 'a2' }]),
      addData('b', [{ k: 1.25, y: 'b1' }, { k: 2, y: 'b2' }, { k: 125, y: 'no' }]),
      addData('c', [{ k: 2, z: 'c2' }, { k: 125, z: 'no' }, { k: 200, z: 'no' }]),
      checkAnswer('o', [{ x: 'a1', y: 'b1' }, { x: 'a2', y: 'b2' }]),
      checkAnswer('o2', [{ x: 'a2', z: 'c2' }]),
    ]);
  });
});
