/**
 * The benchmark's result check (bench/checksum.js): Weir's changelog, summed as the sink receives it,
 * gives the checksum DuckDB's result table gives for the same query, whatever the column types
 * (BIGINT, DECIMAL of both widths, DOUBLE, TIMESTAMP, text, NULL), and retractions cancel what they
 * retract. A wrong row must change it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { addArrowBatch, Checksum, duckTableChecksum } from '../../bench/checksum.js';
import { Engine } from '../../src/engine/engine.js';

const ROWS = Array.from({ length: 300 }, (_, i) => ({
  k: i % 7 === 0 ? null : `k${i % 13}é`,
  n: i % 11 === 0 ? null : 9_007_199_254_740_000 + i,
  d: `${(i * 37) % 1000}.${String(i % 100).padStart(2, '0')}`,
  w: `${i}1234567890123456789.5`,
  x: i / 7,
  ts: new Date(Date.UTC(2026, 0, 1) + i * 1_001),
}));

const COLUMNS = 'k STRING, n BIGINT, d DECIMAL(10, 2), w DECIMAL(30, 1), x DOUBLE, ts TIMESTAMP(3)';
const QUERY = 'SELECT k, COUNT(*) AS c, SUM(d) AS sd, MAX(w) AS mw, SUM(x) AS sx, MIN(ts) AS mt, MAX(n) AS mn FROM t GROUP BY k';

async function weirChecksum(rows: typeof ROWS): Promise<{ rows: number; sum: number }> {
  const engine = new Engine();
  const sum = new Checksum();
  engine.foreachBatch('out', (batch) => addArrowBatch(sum, batch));
  await engine.execute(`CREATE TABLE t (${COLUMNS}) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, c BIGINT, sd DECIMAL(38, 2), mw DECIMAL(30, 1), sx DOUBLE, mt TIMESTAMP(3), mn BIGINT)
      WITH ('connector' = 'foreach-batch');`);
  const [q] = await engine.execute(`INSERT INTO out ${QUERY}`);
  // several batches, so that groups are updated (retracted and inserted again) along the way
  for (let i = 0; i < rows.length; i += 70) {
    await engine.input('t').write(rows.slice(i, i + 70));
    await q!.processAllAvailable();
  }
  engine.input('t').end();
  await q!.awaitTermination();
  return sum.toJSON();
}

async function duckChecksum(rows: typeof ROWS): Promise<{ rows: number; sum: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run("SET TimeZone = 'UTC'");
    await con.run('CREATE TABLE t (k VARCHAR, n BIGINT, d DECIMAL(10, 2), w DECIMAL(30, 1), x DOUBLE, ts TIMESTAMP)');
    const lit = (v: unknown): string => (v === null ? 'NULL' : v instanceof Date ? `epoch_ms(${v.getTime()})` : typeof v === 'string' ? `'${v}'` : String(v));
    await con.run(`INSERT INTO t VALUES ${rows.map((r) => `(${[r.k, r.n, r.d, r.w, r.x, r.ts].map(lit).join(', ')})`).join(', ')}`);
    await con.run(`CREATE TABLE result AS ${QUERY}`);
    return await duckTableChecksum(con, 'result');
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

describe('the bench result check', () => {
  it('sums Weir\'s updating changelog to the checksum of DuckDB\'s result table', async () => {
    const [weir, duck] = await Promise.all([weirChecksum(ROWS), duckChecksum(ROWS)]);
    expect(weir.rows).toBe(14);
    expect(weir).toEqual(duck);
  });

  it('changes when one value of the input changes', async () => {
    const changed = ROWS.map((r, i) => (i === 123 ? { ...r, d: '1.01' } : r));
    expect(await duckChecksum(changed)).not.toEqual(await duckChecksum(ROWS));
  });

  it('cancels a retracted row exactly', () => {
    const sum = new Checksum();
    sum.addRow(['a', '1'], 1);
    const once = sum.toJSON();
    sum.addRow(['b', '2'], 1);
    sum.addRow(['b', '2'], -1);
    expect(sum.toJSON()).toEqual(once);
  });
});
