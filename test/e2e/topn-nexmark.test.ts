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
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRows, nexmarkConfig } from '../../src/connectors/nexmark/index.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { REPO_ROOT } from '../support/cli.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'nexmark');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const EVENTS = 5_000;
const SETTINGS: Record<string, string> = {
  TPS: '1000', EVENTS_NUM: String(EVENTS), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46', NEXMARK_TABLE: 'datagen',
};
const fill = (sql: string): string => sql.replace(/\$\{(\w+)\}/g, (_, k: string) => SETTINGS[k] ?? `\${${k}}`);
const DDL = fill(`${fixture('ddl_gen.sql').trimEnd()};\n${fixture('ddl_views.sql')}\n`);

const AUCTION: readonly OracleColumn[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'itemName', type: 'STRING' }, { name: 'description', type: 'STRING' },
  { name: 'initialBid', type: 'BIGINT' }, { name: 'reserve', type: 'BIGINT' }, { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'expires', type: 'TIMESTAMP(3)' }, { name: 'seller', type: 'BIGINT' }, { name: 'category', type: 'BIGINT' },
  { name: 'extra', type: 'STRING' },
];
const BID: readonly OracleColumn[] = [
  { name: 'auction', type: 'BIGINT' }, { name: 'bidder', type: 'BIGINT' }, { name: 'price', type: 'BIGINT' },
  { name: 'channel', type: 'STRING' }, { name: 'url', type: 'STRING' }, { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'extra', type: 'STRING' }, { name: 'ord', type: 'BIGINT' },
];
const BID_COLUMNS = 'auction, bidder, price, channel, url, "dateTime", extra';

/** Run a query file's INSERT with its sink in memory: the rows the sink holds at the end, and its EXPLAIN. */
async function runQuery(q: string): Promise<{ rows: Row[]; explain: string }> {
  const sql = fixture(`${q}.sql`).replace(/'connector'\s*=\s*'blackhole'/, "'connector' = 'memory'");
  const engine = new Engine({ clock: new ManualClock(0) });
  try {
    const [query] = await engine.execute(`${DDL}\n${sql}`);
    expect(await query!.awaitTermination(120_000)).toBe(true);
    return { rows: engine.output(`nexmark_${q}`).rows(), explain: query!.explain() };
  } finally {
    await engine.stop();
  }
}

describe(`Nexmark Top-N queries over ${EVENTS} events equal DuckDB over the generator rows`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    const rows = generateRows(nexmarkConfig({ firstEventRate: 1000, nextEventRate: 1000 }), 0, EVENTS);
    oracle = await Oracle.create();
    await oracle.createTable('auction', AUCTION, rows.filter((r) => r.event_type === 1).map((r) => r.auction!));
    await oracle.createTable('bid', BID, rows.filter((r) => r.event_type === 2).map((r, ord) => ({ ...r.bid!, ord })));
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
