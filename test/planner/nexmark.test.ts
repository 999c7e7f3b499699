/**
 * The Nexmark DDL (ddl_gen.sql / ddl_views.sql shape) and queries q0-q2 bind as Flink binds them; every
 * query file of the benchmark (test/fixtures/nexmark) binds and plans, and q6 is refused.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import type { Catalog } from '../../src/planner/index.js';
import { Q6_AS_SHIPPED } from '../support/nexmark.js';
import { catalogOf, errorOf, explainAll, logical, nexmark, NEXMARK_DDL, plan, run } from './helpers.js';


describe('Nexmark DDL', () => {
  it('creates datagen with ROW columns, the computed dateTime and its watermark', () => {
    const t = nexmark().getRelation('datagen');
    expect(t?.kind).toBe('table');
    if (t?.kind !== 'table') return;
    expect(t.columns.map((c) => c.name)).toEqual(['event_type', 'person', 'auction', 'bid', 'dateTime']);
    expect(t.physical).toEqual([0, 1, 2, 3]);
    expect(t.columns[4]!.type).toEqual(T.TIMESTAMP);
    expect(t.computed.get(4)?.kind).toBe('case');
    expect(t.watermark).toMatchObject({ column: 4, expr: { kind: 'call', fn: 'subtract' } });
    expect(t.options.get('connector')).toBe('nexmark');
    expect(t.optionSpans.get('first-event.rate')).toMatchObject({ line: 41, column: 5 });
    const bidType = t.columns[3]!.type;
    expect(bidType.kind === 'ROW' && bidType.fields.map((f) => f.name)).toEqual(['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
  });

  it('creates the person, auction and bid views with the columns Flink gives them', () => {
    const c = nexmark();
    const cols = (v: string) => plan(`SELECT * FROM ${v}`, c).schema.columns.map((x) => `${x.name} ${x.type.kind}`);
    expect(cols('person')).toEqual(['id BIGINT', 'name VARCHAR', 'emailAddress VARCHAR', 'creditCard VARCHAR', 'city VARCHAR', 'state VARCHAR', 'dateTime TIMESTAMP', 'extra VARCHAR']);
    expect(cols('auction')[0]).toBe('id BIGINT');
    expect(cols('bid')).toEqual(['auction BIGINT', 'bidder BIGINT', 'price BIGINT', 'channel VARCHAR', 'url VARCHAR', 'dateTime TIMESTAMP', 'extra VARCHAR']);
  });

  it('keeps IF NOT EXISTS and DROP working', () => {
    const c = catalogOf(NEXMARK_DDL);
    run("CREATE TABLE IF NOT EXISTS datagen (x INT) WITH ('connector' = 'memory'); DROP VIEW bid; DROP VIEW IF EXISTS bid;", c);
    expect(c.getRelation('datagen')?.kind === 'table' && c.getRelation('datagen')).toMatchObject({ columns: { length: 5 } });
    expect(c.getRelation('bid')).toBeUndefined();
  });
});

describe('Nexmark q0-q2', () => {
  const sink = (cols: string) => `CREATE TABLE s (${cols}) WITH ('connector' = 'blackhole');`;

  it('q0: pass-through', () => {
    const c = nexmark();
    const p = plan(`${sink('auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3), extra VARCHAR')}
      INSERT INTO s SELECT auction, bidder, price, dateTime, extra FROM bid;`, c);
    expect(p.schema.columns.map((x) => x.name)).toEqual(['auction', 'bidder', 'price', 'dateTime', 'extra']);
  });

  it('q1: price in euros is a DECIMAL product inserted into DECIMAL(23, 3)', () => {
    const c = nexmark();
    expect(plan('SELECT 0.908 * price AS price FROM bid', c).schema.columns[0]!.type).toEqual(T.decimal(22, 3));
    const p = plan(`${sink('auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), dateTime TIMESTAMP(3), extra VARCHAR')}
      INSERT INTO s SELECT auction, bidder, 0.908 * price as price, dateTime, extra FROM bid;`, c);
    expect(p.schema.columns.map((x) => x.type)).toEqual([T.BIGINT, T.BIGINT, T.decimal(23, 3), T.TIMESTAMP, T.VARCHAR]);
  });

  it('q2: the filter on MOD(auction, 123) sits over the view', () => {
    expect(logical('SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0', nexmark()).split('\n').slice(0, 3)).toEqual([
      'Project(auction#0, price#2)',
      '  Filter(eq(mod(auction#0, CAST(123 AS BIGINT)), 0))',
      '    Project(auction=bid#3.auction, bidder=bid#3.bidder, price=bid#3.price, channel=bid#3.channel, url=bid#3.url, dateTime#4, extra=bid#3.extra)',
    ]);
  });
});

describe('every Nexmark query file binds and plans (EXPLAIN), over the benchmark\'s own DDL', () => {
  const dir = fileURLToPath(new URL('../fixtures/nexmark/', import.meta.url));
  const PLACEHOLDERS: Record<string, string> = {
    TPS: '10000000', EVENTS_NUM: '1000', PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen', NEXMARK_DIR: '/tmp/nexmark', SUBMIT_TIME: '20260101', FLINK_HOME: '/opt/flink',
  };
  const load = (name: string): string =>
    readFileSync(path.join(dir, name), 'utf8').replace(/\$\{(\w+)\}/g, (_, k: string) => PLACEHOLDERS[k] ?? `\${${k}}`);
  const ddl = (): Catalog => catalogOf(`${load('ddl_gen.sql').trimEnd()};\n${load('ddl_views.sql')}`);
  const queries = Array.from({ length: 24 }, (_, i) => `q${i}`);

  it.each(queries)('%s', (q) => {
    const sql = load(`${q}.sql`);
    const catalog = ddl();
    const text = explainAll(sql, catalog);
    expect(text).toMatch(/^== Logical Plan ==\n/);
    expect(text).toMatch(/\n== Streaming Plan \(output mode: (append|update)\) ==\n/);
    expect(text).toContain('Source(datagen');
    // the plan fills every column of the sink the file inserts into
    const sink = catalog.getRelation(/INSERT\s+INTO\s+(\w+)/i.exec(sql)![1]!);
    if (sink?.kind !== 'table') throw new Error(`${q}: no sink table`);
    expect(plan(sql, ddl()).schema.columns).toHaveLength(sink.columns.length);
  });

  it('q6 runs its OVER aggregation over the Top-N\'s retractions, in update mode', () => {
    const text = explainAll(load('q6.sql'), ddl());
    expect(text).toMatch(/\n== Streaming Plan \(output mode: update\) ==\n/);
    expect(text).toMatch(/OverAggregate\(partition=\[seller#\d+\], order=dateTime#\d+, ROWS 10 PRECEDING, aggs=\[avg\(price#\d+\)\], emit=recompute, input=retracting\)/);
  });

  it('q6 as the benchmark ships it (rownum in its own WHERE) is refused at the alias, with a position inside its INSERT', () => {
    const sql = Q6_AS_SHIPPED;
    const message = errorOf(() => explainAll(sql, ddl()));
    const [, line] = /^\w+ (\d+):\d+ /.exec(message) ?? [];
    const insertLine = sql.split('\n').findIndex((l) => l.startsWith('INSERT INTO nexmark_q6')) + 1;
    expect(Number(line)).toBeGreaterThanOrEqual(insertLine);
    expect(message).toMatch(/rownum|OVER/i);
  });
});
