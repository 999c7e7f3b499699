/**
 * The Nexmark benchmark's own files through the CLI: ddl_gen.sql and ddl_views.sql unchanged, their
 * `${...}` placeholders filled with --set. 50 000 events give exactly 46 000 bids, 3 000 auctions and
 * 1 000 persons through the views; q0, q1 and q2 (sinks turned from blackhole into JSON files) over
 * 5 000 events equal DuckDB running the same SELECTs over the generator's bid rows.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSinkOutput, runCli, tempDir, writeSql, type CliResult } from '../support/cli.js';
import { fixture, loadGeneratorRows, NEXMARK_DDL as DDL, nexmarkSettings, setArgs, withSink } from '../support/nexmark.js';
import { expectSameRows, Oracle, type Row } from '../support/oracle.js';

/** `--set` for the benchmark's placeholders, `events` events at 1 000 events/s. */
const setArgsFor = (events: number): string[] => setArgs(nexmarkSettings(events));

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
    run = await runCli(['run', writeSql(dir, sql), '--output-mode', 'complete', ...setArgsFor(50_000)]);
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

/** A query file with its blackhole sink turned into a JSON directory. */
function withFileSink(query: string, dir: string, table: string): string {
  const sql = withSink(query, `'connector' = 'filesystem', 'path' = '${dir}/${table}', 'format' = 'json'`);
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
    run = await runCli(['run', writeSql(dir, `${DDL}\n${queries.join(';\n')};\n`), ...setArgsFor(EVENTS)]);
    oracle = await Oracle.create();
    ({ bid: bids } = await loadGeneratorRows(oracle, ['bid'], { events: EVENTS }));
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
