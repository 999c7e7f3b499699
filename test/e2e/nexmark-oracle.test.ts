/**
 * The Nexmark benchmark's own files through the CLI: ddl_gen.sql and ddl_views.sql unchanged, their
 * `${...}` placeholders filled with --set. 50 000 events give exactly 46 000 bids, 3 000 auctions and
 * 1 000 persons through the views; q0, q1 and q2 (sinks turned from blackhole into JSON files) over
 * 5 000 events equal DuckDB running the same SELECTs over the generator's bid rows.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRows, nexmarkConfig } from '../../src/connectors/nexmark/index.js';
import { readSinkOutput, REPO_ROOT, runCli, tempDir, writeSql, type CliResult } from '../support/cli.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'nexmark');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** ddl_gen.sql + ddl_views.sql, as the benchmark ships them. */
const DDL = `${fixture('ddl_gen.sql').trimEnd()};\n${fixture('ddl_views.sql')}\n`;

const setArgs = (events: number): string[] => [
  '--set', 'TPS=1000', '--set', `EVENTS_NUM=${events}`, '--set', 'PERSON_PROPORTION=1', '--set', 'AUCTION_PROPORTION=3',
  '--set', 'BID_PROPORTION=46', '--set', 'NEXMARK_TABLE=datagen',
];

describe('the Nexmark DDL and views over 50 000 events', () => {
  let dir = '';
  let run: CliResult;

  beforeAll(async () => {
    dir = tempDir();
    const sink = (name: string, cols: string): string =>
      `CREATE TABLE ${name} (${cols}) WITH ('connector' = 'filesystem', 'path' = '${dir}/${name}', 'format' = 'json');`;
    const sql = `${DDL}
      ${sink('bids', 'n BIGINT, mn BIGINT, mx BIGINT, late BIGINT')}
      ${sink('auctions', 'n BIGINT, ids BIGINT, mn BIGINT, mx BIGINT, bad_cat BIGINT')}
      ${sink('persons', 'n BIGINT, ids BIGINT, states BIGINT')}
      INSERT INTO bids SELECT COUNT(*), MIN(price), MAX(price), COUNT(*) FILTER (WHERE price < 100 OR price > 100000000) FROM bid;
      INSERT INTO auctions SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), COUNT(*) FILTER (WHERE category NOT BETWEEN 10 AND 14) FROM auction;
      INSERT INTO persons SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT state) FROM person;`;
    run = await runCli(['run', writeSql(dir, sql), '--output-mode', 'complete', ...setArgs(50_000)]);
  });

  it('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('has exactly 46 000 bids, with prices in [100, 10^8]', () => {
    const [r] = readSinkOutput(path.join(dir, 'bids'));
    expect(r).toMatchObject({ n: 46_000, late: 0 });
    expect(r!.mn as number).toBeGreaterThanOrEqual(100);
    expect(r!.mx as number).toBeLessThanOrEqual(100_000_000);
  });

  it('has exactly 3 000 auctions with dense ids from 1000, categories 10-14', () => {
    expect(readSinkOutput(path.join(dir, 'auctions'))).toEqual([{ n: 3_000, ids: 3_000, mn: 1000, mx: 3999, bad_cat: 0 }]);
  });

  it('has exactly 1 000 persons with distinct ids in six states', () => {
    expect(readSinkOutput(path.join(dir, 'persons'))).toEqual([{ n: 1_000, ids: 1_000, states: 6 }]);
  });
});

const BID_COLUMNS: readonly OracleColumn[] = [
  { name: 'auction', type: 'BIGINT' },
  { name: 'bidder', type: 'BIGINT' },
  { name: 'price', type: 'BIGINT' },
  { name: 'channel', type: 'STRING' },
  { name: 'url', type: 'STRING' },
  { name: 'dateTime', type: 'TIMESTAMP(3)' },
  { name: 'extra', type: 'STRING' },
];

/** A query file with its blackhole sink turned into a JSON directory. */
function withFileSink(query: string, dir: string, table: string): string {
  const sql = query.replace(/'connector'\s*=\s*'blackhole'/, `'connector' = 'filesystem', 'path' = '${dir}/${table}', 'format' = 'json'`);
  expect(sql, `${table} writes to a file`).toContain(`${dir}/${table}`);
  return sql;
}

/** The SELECT of `INSERT INTO t SELECT ...`, in DuckDB's quoting. */
function selectOf(query: string): string {
  const m = /INSERT\s+INTO\s+\w+\s+(SELECT[\s\S]*?);?\s*$/i.exec(query.replace(/--[^\n]*/g, ''));
  expect(m, 'the query file ends with INSERT INTO ... SELECT').not.toBeNull();
  return m![1]!.replace(/`([^`]+)`/g, '"$1"');
}

describe('Nexmark q0, q1, q2 over 5 000 events equal DuckDB over the generator rows', () => {
  const EVENTS = 5_000;
  let dir = '';
  let run: CliResult;
  let oracle: Oracle;
  let bids: Row[];

  beforeAll(async () => {
    dir = tempDir();
    const queries = ['q0', 'q1', 'q2'].map((q) => withFileSink(fixture(`${q}.sql`), dir, `nexmark_${q}`));
    run = await runCli(['run', writeSql(dir, `${DDL}\n${queries.join(';\n')};\n`), ...setArgs(EVENTS)]);
    bids = generateRows(nexmarkConfig({ firstEventRate: 1000, nextEventRate: 1000 }), 0, EVENTS)
      .filter((r) => r.event_type === 2)
      .map((r) => r.bid!);
    oracle = await Oracle.create();
    await oracle.createTable('bid', BID_COLUMNS, bids);
    return () => oracle.close();
  });

  it('runs to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(bids).toHaveLength(4_600);
  });

  for (const q of ['q0', 'q1', 'q2']) {
    it(q, async () => {
      const expected = await oracle.query(selectOf(fixture(`${q}.sql`)));
      expect(expected.length).toBeGreaterThan(0);
      // q1's DECIMAL(23, 3) price: Weir holds it as a double rounded to the scale, DuckDB as a
      // scaled integer; the oracle compares both rounded to 9 significant digits
      expectSameRows(readSinkOutput(path.join(dir, `nexmark_${q}`)), expected, q);
    });
  }
});
