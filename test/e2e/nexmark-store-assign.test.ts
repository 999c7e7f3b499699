/**
 * q4 and q17 as the benchmark writes them store AVG (a DOUBLE in Weir, as in DuckDB and Spark) into
 * BIGINT sink columns. With INSERT's store-assignment casts their texts bind and run unchanged, and
 * over 5 000 generated events at 1 000 events/s they equal DuckDB inserting the same SELECTs into
 * tables of the same column types (DuckDB rounds the averages the same way: ties to even).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeneratorRows, NEXMARK_DDL, nexmarkSettings, runQueryFile } from '../support/nexmark.js';
import { Oracle, expectSameRows, type Row } from '../support/oracle.js';

const EVENTS = 5_000;
/** The query file's INSERT through the Engine (settings fill `${...}`), its sink in memory. */
const runQuery = async (q: string): Promise<Row[]> => (await runQueryFile(q, { ddl: NEXMARK_DDL, settings: nexmarkSettings(EVENTS) })).rows;

describe(`q4 and q17 store AVG into BIGINT columns (over ${EVENTS} events, equal to DuckDB)`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    oracle = await Oracle.create();
    await loadGeneratorRows(oracle, ['auction', 'bid'], { events: EVENTS });
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
