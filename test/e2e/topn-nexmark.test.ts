/**
 * Nexmark's Top-N and deduplication queries, as the benchmark writes them (ddl_gen.sql +
 * ddl_views.sql + q9.sql / q18.sql / q19.sql, `${...}` placeholders filled, the blackhole sinks
 * turned into memory tables), over 5 000 generated events at 1 000 events/s, equal DuckDB over the
 * same generator rows.
 *
 * Ties: Weir ranks the earlier of two rows with equal ORDER BY keys first; DuckDB breaks ties
 * arbitrarily. Each test asserts that the rows its answer depends on have no ties in this data (for
 * q19: no equal prices among the 11 highest bids of an auction), so DuckDB's answer is the only
 * one. The bid table DuckDB reads also carries each bid's position in the stream (`ord`) and q19's
 * oracle breaks ties by it, as Weir does. Tie-breaking itself is tested in test/executor and
 * test/e2e/topn-stream.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPlaceholders, loadGeneratorRows, NEXMARK_DDL, nexmarkSettings, runQueryFile } from '../support/nexmark.js';
import { expectSameRows, Oracle } from '../support/oracle.js';

const EVENTS = 5_000;
const DDL = fillPlaceholders(NEXMARK_DDL, nexmarkSettings(EVENTS));
const BID_COLUMNS = 'auction, bidder, price, channel, url, "dateTime", extra';
/** Run a query file's INSERT with its sink in memory: the rows the sink holds at the end, and its EXPLAIN. */
const runQuery = (q: string): ReturnType<typeof runQueryFile> => runQueryFile(q, { ddl: DDL });

describe(`Nexmark Top-N queries over ${EVENTS} events equal DuckDB over the generator rows`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    oracle = await Oracle.create();
    await loadGeneratorRows(oracle, ['auction', 'bid'], { events: EVENTS, bidOrder: 'ord' });
  });
  afterAll(() => oracle.close());

  it('q19: the 10 highest bids of each auction, with their rank', async () => {
    const { rows, explain } = await runQuery('q19');
    expect(explain).toMatch(/TopN\(partition=\[auction#0\], order=\[price#2 DESC\], rows<=10, rank=output, input=append-only, mode=update\)/);
    expect(explain).toMatch(/keys: \[auction, rank_number\]/);
    const expected = await oracle.query(`SELECT ${BID_COLUMNS}, rank_number FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, ord) AS rank_number FROM bid) WHERE rank_number <= 10`);
    const ties = await oracle.query(`SELECT count(*) AS n FROM (SELECT auction, price FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, ord) AS rn FROM bid) WHERE rn <= 11 GROUP BY ALL HAVING count(*) > 1)`);
    expect(ties[0]!.n, 'no equal prices among the top 11 bids of an auction').toBe(0);
    expect(expected.length).toBeGreaterThan(1000);
    expectSameRows(rows, expected, 'q19');
  });

  it('q18: the last bid of each bidder on each auction (deduplication, keep last)', async () => {
    const { rows, explain } = await runQuery('q18');
    expect(explain).toMatch(/TopN\(partition=\[bidder#1, auction#0\], order=\[dateTime#5 DESC\], rows<=1, rank=hidden/);
    expect(explain).toMatch(/keys: \[bidder, auction\]/);
    const dup = await oracle.query(`SELECT count(*) AS n FROM (SELECT bidder, auction, "dateTime" FROM bid GROUP BY ALL HAVING count(*) > 1)`);
    expect(dup[0]!.n, 'no two bids of a bidder on an auction at the same time').toBe(0);
    const expected = await oracle.query(`SELECT ${BID_COLUMNS} FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY "dateTime" DESC) AS rank_number FROM bid) WHERE rank_number <= 1`);
    const bids = await oracle.query('SELECT count(*) AS n FROM bid');
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length, 'some bidders bid on an auction more than once').toBeLessThan(bids[0]!.n as number);
    expectSameRows(rows, expected, 'q18');
  });

  it('q9: the winning bid of each auction (a join, then the top 1 per auction)', async () => {
    const { rows, explain } = await runQuery('q9');
    expect(explain).toMatch(/TopN\(partition=\[id#0\], order=\[price#12 DESC, dateTime#13 ASC\], rows<=1, rank=hidden, input=append-only/);
    expect(explain).toMatch(/IntervalJoin/);
    const joined = `SELECT A.*, B.auction, B.bidder, B.price, B."dateTime" AS "bid_dateTime", B.extra AS bid_extra
      FROM auction A, bid B WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires`;
    const dup = await oracle.query(`SELECT count(*) AS n FROM (SELECT id, price, "bid_dateTime" FROM (${joined}) GROUP BY ALL HAVING count(*) > 1)`);
    expect(dup[0]!.n, 'no two bids of an auction with the same price at the same time').toBe(0);
    const expected = await oracle.query(`SELECT id, "itemName", description, "initialBid", reserve, "dateTime", expires, seller, category, extra,
        auction, bidder, price, "bid_dateTime", bid_extra
      FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY price DESC, "bid_dateTime" ASC) AS rownum FROM (${joined}))
      WHERE rownum <= 1`);
    expect(expected.length).toBeGreaterThan(50);
    expectSameRows(rows, expected, 'q9');
  });
});
