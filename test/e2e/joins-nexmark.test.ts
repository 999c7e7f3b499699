/**
 * Nexmark's join queries, as the benchmark writes them (ddl_gen.sql + ddl_views.sql + q3.sql /
 * q20.sql, `${...}` placeholders filled, the blackhole sinks turned into memory tables), over 5 000
 * generated events at 1 000 events/s, equal DuckDB over the same generator rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPlaceholders, loadGeneratorRows, NEXMARK_DDL, nexmarkSettings, runQueryFile } from '../support/nexmark.js';
import { expectSameRows, Oracle } from '../support/oracle.js';

const EVENTS = 5_000;
const DDL = fillPlaceholders(NEXMARK_DDL, nexmarkSettings(EVENTS));
/** Run a query file's INSERT with its sink in memory; the rows the sink holds at the end. */
const runQuery = (q: string): ReturnType<typeof runQueryFile> => runQueryFile(q, { ddl: DDL });

describe(`Nexmark joins over ${EVENTS} events equal DuckDB over the generator rows`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    oracle = await Oracle.create();
    await loadGeneratorRows(oracle, ['person', 'auction', 'bid'], { events: EVENTS });
  });
  afterAll(() => oracle.close());

  it('q3: sellers in OR/ID/CA of category-10 auctions (a regular inner join)', async () => {
    const { rows, explain } = await runQuery('q3');
    expect(explain).toMatch(/Join\(inner, keys=\[seller#\d+ = id#\d+\]\)/);
    const expected = await oracle.query(`SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P on A.seller = P.id
      WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`);
    expect(expected.length).toBeGreaterThan(0);
    expectSameRows(rows, expected, 'q3');
  });

  it('q20: bids of category-10 auctions with the auction (a regular inner join)', async () => {
    const { rows, explain } = await runQuery('q20');
    expect(explain).toMatch(/Join\(inner, keys=\[auction#\d+ = id#\d+\]\)/);
    // the query's SELECT list, with the names of the sink's columns (DuckDB would repeat dateTime and extra)
    const expected = await oracle.query(`SELECT auction, bidder, price, channel, url, B."dateTime" AS "bid_dateTime", B.extra AS bid_extra,
      "itemName", description, "initialBid", reserve, A."dateTime" AS "auction_dateTime", expires, seller, category, A.extra AS auction_extra
      FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10`);
    expect(expected.length).toBeGreaterThan(100);
    expectSameRows(rows, expected, 'q20');
  });
});
