/**
 * q14 as the benchmark writes it — `CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'`
 * (the benchmark's Java class, implemented natively), DECIMAL prices, HOUR() labels — over 5 000
 * generated events at 1 000 events/s equals DuckDB over the generator's bid rows, with count_char
 * written there as `length(extra) - length(replace(extra, 'c', ''))`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRows, nexmarkConfig } from '../../src/connectors/nexmark/index.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { REPO_ROOT } from '../support/cli.js';
import { expectSameRows, Oracle, type OracleColumn } from '../support/oracle.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'nexmark');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const EVENTS = 5_000;
const SETTINGS: Record<string, string> = {
  TPS: '1000', EVENTS_NUM: String(EVENTS), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46', NEXMARK_TABLE: 'datagen',
};
const DDL = `${fixture('ddl_gen.sql').trimEnd()};\n${fixture('ddl_views.sql')}\n`;
const BID: readonly OracleColumn[] = [
  { name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' },
  { name: 'channel', type: 'STRING' }, { name: 'url', type: 'STRING' }, { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'extra', type: 'STRING' },
];

describe(`q14 with the benchmark's CountChar UDF over ${EVENTS} events equals DuckDB`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    const rows = generateRows(nexmarkConfig({ firstEventRate: 1000, nextEventRate: 1000 }), 0, EVENTS);
    oracle = await Oracle.create();
    await oracle.createTable('bid', BID, rows.filter((r) => r.event_type === 2).map((r) => r.bid!));
  });
  afterAll(() => oracle.close());

  it('q14: the text runs unchanged but for its blackhole sink', async () => {
    const q14 = fixture('q14.sql');
    expect(q14).toContain("CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';");
    const sql = q14.replace(/'connector'\s*=\s*'blackhole'/, "'connector' = 'memory'");
    const engine = new Engine({ clock: new ManualClock(0), settings: SETTINGS });
    let rows: Record<string, unknown>[];
    try {
      const [query] = await engine.execute(`${DDL}\n${sql}`);
      expect(await query!.awaitTermination(120_000)).toBe(true);
      rows = engine.output('nexmark_q14').rows();
    } finally {
      await engine.stop();
    }
    // DuckDB keeps 0.908 * price an exact DECIMAL for the WHERE; the result is compared as a double
    // (expectSameRows rounds both sides to 9 significant digits; Weir holds DECIMAL(23, 3) as doubles)
    const expected = await oracle.query(`SELECT auction, bidder, CAST(0.908 * price AS DOUBLE) AS price,
        CASE
          WHEN hour("dateTime") >= 8 AND hour("dateTime") <= 18 THEN 'dayTime'
          WHEN hour("dateTime") <= 6 OR hour("dateTime") >= 20 THEN 'nightTime'
          ELSE 'otherTime'
        END AS "bidTimeType",
        "dateTime", extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
      FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`);
    expect(expected.length).toBeGreaterThan(500);
    // the UDF's results vary, so a wrong count cannot pass by accident
    expect(new Set(expected.map((r) => r.c_counts)).size).toBeGreaterThan(2);
    expectSameRows(rows, expected, 'q14');
  });
});
