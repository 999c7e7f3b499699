/**
 * q4 and q17 as the benchmark writes them store AVG (a DOUBLE in Weir, as in DuckDB and Spark) into
 * BIGINT sink columns. With INSERT's store-assignment casts their texts bind and run unchanged, and
 * over 5 000 generated events at 1 000 events/s they equal DuckDB inserting the same SELECTs into
 * tables of the same column types (DuckDB rounds the averages the same way: ties to even).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRows, nexmarkConfig } from '../../src/connectors/nexmark/index.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { REPO_ROOT } from '../support/cli.js';
import { Oracle, expectSameRows, type OracleColumn, type Row } from '../support/oracle.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'nexmark');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const EVENTS = 5_000;
const SETTINGS: Record<string, string> = {
  TPS: '1000', EVENTS_NUM: String(EVENTS), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46', NEXMARK_TABLE: 'datagen',
};
const DDL = `${fixture('ddl_gen.sql').trimEnd()};\n${fixture('ddl_views.sql')}\n`;

const AUCTION: readonly OracleColumn[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'itemName', type: 'STRING' }, { name: 'description', type: 'STRING' },
  { name: 'initialBid', type: 'BIGINT' }, { name: 'reserve', type: 'BIGINT' }, { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'expires', type: 'TIMESTAMP(3)' }, { name: 'seller', type: 'BIGINT' }, { name: 'category', type: 'BIGINT' },
  { name: 'extra', type: 'STRING' },
];
const BID: readonly OracleColumn[] = [
  { name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' },
  { name: 'channel', type: 'STRING' }, { name: 'url', type: 'STRING' }, { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'extra', type: 'STRING' },
];

/** The query file's INSERT through the Engine (settings fill `${...}`), its sink in memory. */
async function runQuery(q: string): Promise<Row[]> {
  const sql = fixture(`${q}.sql`).replace(/'connector'\s*=\s*'blackhole'/, "'connector' = 'memory'");
  expect(sql).toContain("'connector' = 'memory'");
  const engine = new Engine({ clock: new ManualClock(0), settings: SETTINGS });
  try {
    const [query] = await engine.execute(`${DDL}\n${sql}`);
    expect(await query!.awaitTermination(120_000)).toBe(true);
    return engine.output(`nexmark_${q}`).rows();
  } finally {
    await engine.stop();
  }
}

describe(`q4 and q17 store AVG into BIGINT columns (over ${EVENTS} events, equal to DuckDB)`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    const rows = generateRows(nexmarkConfig({ firstEventRate: 1000, nextEventRate: 1000 }), 0, EVENTS);
    oracle = await Oracle.create();
    await oracle.createTable('auction', AUCTION, rows.filter((r) => r.event_type === 1).map((r) => r.auction!));
    await oracle.createTable('bid', BID, rows.filter((r) => r.event_type === 2).map((r) => r.bid!));
  });
  afterAll(() => oracle.close());

  /** DuckDB's INSERT of `select` into a table of `columns`: its store assignment rounds as Weir's must. */
  async function duckInsert(table: string, columns: string, select: string): Promise<Row[]> {
    await oracle.query(`CREATE OR REPLACE TABLE ${table} (${columns})`);
    await oracle.query(`INSERT INTO ${table} ${select}`);
    return oracle.query(`SELECT * FROM ${table}`);
  }

  it('q4: the average winning price per category, rounded into BIGINT', async () => {
    const rows = await runQuery('q4');
    const expected = await duckInsert('q4', 'id BIGINT, final BIGINT', `SELECT Q.category, AVG(Q.final) FROM (
        SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
        WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires GROUP BY A.id, A.category) Q
      GROUP BY Q.category`);
    expect(expected.length).toBe(5);
    expectSameRows(rows, expected, 'q4');
    for (const r of rows) expect(Number.isInteger(r.final)).toBe(true);
  });

  it('q17: daily bid statistics per auction, avg_price rounded into BIGINT', async () => {
    const rows = await runQuery('q17');
    const expected = await duckInsert('q17',
      'auction BIGINT, "day" VARCHAR, total_bids BIGINT, rank1_bids BIGINT, rank2_bids BIGINT, rank3_bids BIGINT, min_price BIGINT, max_price BIGINT, avg_price BIGINT, sum_price BIGINT',
      `SELECT auction, strftime("dateTime", '%Y-%m-%d'), count(*), count(*) FILTER (WHERE price < 10000),
        count(*) FILTER (WHERE price >= 10000 AND price < 1000000), count(*) FILTER (WHERE price >= 1000000),
        min(price), max(price), avg(price), sum(price)
      FROM bid GROUP BY auction, strftime("dateTime", '%Y-%m-%d')`);
    expect(expected.length).toBeGreaterThan(50);
    // some averages are not whole numbers, so the rounding is really exercised
    const fractional = await oracle.query(`SELECT count(*) AS n FROM (SELECT avg(price) AS a FROM bid GROUP BY auction) WHERE a <> round(a)`);
    expect(fractional[0]!.n as number).toBeGreaterThan(10);
    expectSameRows(rows, expected, 'q17');
  });
});
