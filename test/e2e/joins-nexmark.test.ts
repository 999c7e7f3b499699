/**
 * Nexmark's join queries, as the benchmark writes them (ddl_gen.sql + ddl_views.sql + q3.sql /
 * q20.sql, `${...}` placeholders filled, the blackhole sinks turned into memory tables), over 5 000
 * generated events at 1 000 events/s, equal DuckDB over the same generator rows.
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

const PERSON: readonly OracleColumn[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'name', type: 'STRING' }, { name: 'emailAddress', type: 'STRING' },
  { name: 'creditCard', type: 'STRING' }, { name: 'city', type: 'STRING' }, { name: 'state', type: 'STRING' },
  { name: 'dateTime', type: 'TIMESTAMP(3)' }, { name: 'extra', type: 'STRING' },
];
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

/** Run a query file's INSERT with its sink in memory; the rows the sink holds at the end. */
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

describe(`Nexmark joins over ${EVENTS} events equal DuckDB over the generator rows`, () => {
  let oracle: Oracle;

  beforeAll(async () => {
    const rows = generateRows(nexmarkConfig({ firstEventRate: 1000, nextEventRate: 1000 }), 0, EVENTS);
    oracle = await Oracle.create();
    await oracle.createTable('person', PERSON, rows.filter((r) => r.event_type === 0).map((r) => r.person!));
    await oracle.createTable('auction', AUCTION, rows.filter((r) => r.event_type === 1).map((r) => r.auction!));
    await oracle.createTable('bid', BID, rows.filter((r) => r.event_type === 2).map((r) => r.bid!));
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
