/**
 * TIMESTAMPDIFF against DuckDB's date_sub (whole units elapsed, truncated toward zero: what Flink's
 * TIMESTAMPDIFF computes for every unit) over random timestamps 1900-2100; TIMESTAMPADD against
 * DuckDB's interval arithmetic (month ends clamped). fast-check prints its seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fcParams } from '../support/property.js';
import { batchSplits, replayInBatches } from '../support/batch-split.js';
import { Oracle, type OracleColumn, type Row } from '../support/oracle.js';

const INPUT: readonly OracleColumn[] = [{ name: 'a', type: 'TIMESTAMP(3)' }, { name: 'b', type: 'TIMESTAMP(3)' }, { name: 'n', type: 'INT' }];
const LO = Date.UTC(1900, 0, 1), HI = Date.UTC(2100, 0, 1);
// mostly near each other (so months and days matter), some up to 63 years apart (seconds fit an INT)
const rowArb = fc.record({
  a: fc.integer({ min: LO, max: HI }),
  d: fc.oneof(fc.integer({ min: -40 * 86_400_000, max: 40 * 86_400_000 }), fc.integer({ min: -2_000_000_000_000, max: 2_000_000_000_000 })),
  n: fc.integer({ min: -30, max: 30 }),
}).map((r): Row => ({ a: r.a, b: Math.min(HI, Math.max(LO, r.a + r.d)), n: r.n }));

const UNITS = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
const QUERIES = [
  {
    name: 'diff',
    columns: UNITS.map((u) => `${u.toLowerCase()}s INT`).join(', '),
    weir: `SELECT ${UNITS.map((u) => `TIMESTAMPDIFF(${u}, a, b) AS ${u.toLowerCase()}s`).join(', ')} FROM t`,
    duck: `SELECT ${UNITS.map((u) => `date_sub('${u.toLowerCase()}', a, b) AS ${u.toLowerCase()}s`).join(', ')} FROM t`,
  },
  {
    name: 'add',
    columns: 'a TIMESTAMP(3), h TIMESTAMP(3), m TIMESTAMP(3), y TIMESTAMP(3), d TIMESTAMP(3)',
    weir: 'SELECT a, TIMESTAMPADD(HOUR, n, a) AS h, TIMESTAMPADD(MONTH, n, a) AS m, TIMESTAMPADD(YEAR, n, a) AS y, CAST(TIMESTAMPADD(DAY, n, CAST(a AS DATE)) AS TIMESTAMP(3)) AS d FROM t',
    duck: 'SELECT a, a + n * INTERVAL 1 HOUR AS h, a + n * INTERVAL 1 MONTH AS m, a + n * INTERVAL 1 YEAR AS y, CAST(CAST(a AS DATE) + n AS TIMESTAMP) AS d FROM t',
  },
];

describe('TIMESTAMPDIFF and TIMESTAMPADD against DuckDB', () => {
  let oracle: Oracle;
  beforeAll(async () => { oracle = await Oracle.create(); });
  afterAll(() => oracle.close());

  it('agree for every unit', async () => {
    await fc.assert(fc.asyncProperty(batchSplits(fc.array(rowArb, { minLength: 1, maxLength: 60 }), 2), async (split) => {
      await replayInBatches(oracle, INPUT, QUERIES, split);
    }), fcParams({ numRuns: 15 }));
  });
});
