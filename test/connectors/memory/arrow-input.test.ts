/**
 * Arrow into memory tables: tables from another apache-arrow major version (recognised by shape, not
 * instanceof), and dictionary-encoded string columns (tableFromArrays makes strings so).
 */
import * as arrow from 'apache-arrow';
import * as arrow17 from 'apache-arrow-17';
import { describe, expect, it } from 'vitest';
import { Engine, ManualClock } from '../../../src/index.js';

const SQL = `
  CREATE TABLE t (name STRING, n BIGINT, price DECIMAL(10, 2)) WITH ('connector' = 'memory');
  CREATE TABLE o (name STRING, total BIGINT, spent DECIMAL(38, 2)) WITH ('connector' = 'memory');
  INSERT INTO o SELECT name, SUM(n), SUM(price) FROM t GROUP BY name;`;

async function run(push: (e: Engine) => void): Promise<Record<string, unknown>[]> {
  const engine = new Engine({ clock: new ManualClock(0) });
  const [q] = await engine.execute(SQL);
  push(engine);
  await q!.processAllAvailable();
  const rows = engine.output('o').rows();
  await engine.stop();
  return rows.sort((a, b) => String(a['name']).localeCompare(String(b['name'])));
}

const EXPECTED = [{ name: 'a', total: 9007199254740993n, spent: 3.5 }, { name: 'b', total: 2, spent: -0.25 }];

describe('Arrow input', () => {
  it('takes a Table of apache-arrow 17 (another major version) by its shape', async () => {
    const t = arrow17.tableFromArrays({
      name: ['a', 'b', 'a'],
      n: BigInt64Array.from([9007199254740992n, 2n, 1n]),
      price: Float64Array.from([1.25, -0.25, 2.25]),
    });
    expect(t instanceof arrow.Table).toBe(false);
    expect(await run((e) => e.input('t').push(t as never))).toEqual(EXPECTED);
  });

  it('takes dictionary-encoded string columns, as a Table and as a RecordBatch', async () => {
    const t = arrow.tableFromArrays({
      name: ['a', 'b', 'a'],
      n: BigInt64Array.from([9007199254740992n, 2n, 1n]),
      price: Float64Array.from([1.25, -0.25, 2.25]),
    });
    expect(t.schema.fields[0]!.type.typeId).toBe(arrow.Type.Dictionary);
    expect(await run((e) => e.input('t').push(t))).toEqual(EXPECTED);
    expect(await run((e) => e.input('t').push(t.batches[0]!))).toEqual(EXPECTED);
  });
});
