/**
 * Lookup joins end to end: Nexmark q13 as the benchmark writes it (its legacy `connector.type`
 * side-input table, `file://${FLINK_HOME}` path, PROCTIME() subquery; only the blackhole sink turned
 * into a JSON directory) over 5 000 generated events at 1 000 events/s against a generated
 * side_input.txt, equal to DuckDB; a LEFT lookup join with unmatched rows, duplicates and a residual
 * (DuckDB again); malformed lines of the table kept aside and counted; an unbounded table refused at
 * its position; and a query resumed from its checkpoint reloading the table, every row exactly once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { readSinkOutput, REPO_ROOT, runCli, tempDir, writeSql, type CliResult } from '../support/cli.js';
import { fillPlaceholders, fixture, loadGeneratorRows, NEXMARK_DDL as DDL, nexmarkSettings, setArgs as setAll } from '../support/nexmark.js';
import { expectSameRows, Oracle, type OracleColumn, type Row } from '../support/oracle.js';

const EVENTS = 5_000;
const SETTINGS = nexmarkSettings(EVENTS);
const setArgs = (extra: Record<string, string>): string[] => setAll({ ...SETTINGS, ...extra });

const SIDE: readonly OracleColumn[] = [{ name: 'key', type: 'BIGINT' }, { name: 'value', type: 'STRING' }];

/** The benchmark's side input (SideInputGenerator): `i,i` for i in 0..n-1, one a line. */
function writeSideInput(file: string, rows: readonly { key: number; value: string }[] | number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const list = typeof rows === 'number' ? Array.from({ length: rows }, (_, i) => ({ key: i, value: String(i) })) : rows;
  writeFileSync(file, list.map((r) => `${r.key},${r.value}\n`).join(''));
}

let oracle: Oracle;
let bids: Row[];

beforeAll(async () => {
  oracle = await Oracle.create();
  ({ bid: bids } = await loadGeneratorRows(oracle, ['bid'], { events: EVENTS }));
});
afterAll(() => oracle.close());

describe('Nexmark q13 (bounded side input join) equals DuckDB', () => {
  let dir = '';
  let run: CliResult;

  beforeAll(async () => {
    dir = tempDir();
    // made as the benchmark makes it (side_input_gen.sh), by the script the README documents
    const sideInput = path.join(dir, 'flink', 'data', 'side_input.txt');
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'examples', 'side-input-gen.mjs'), '--num', '10000', '--path', sideInput]);
    expect(readFileSync(sideInput, 'utf8')).toBe(Array.from({ length: 10_000 }, (_, i) => `${i},${i}\n`).join(''));
    const q13 = fixture('q13.sql').replace(/'connector'\s*=\s*'blackhole'/, `'connector' = 'filesystem', 'path' = '${dir}/out', 'format' = 'json'`);
    expect(q13).toContain(`${dir}/out`);
    run = await runCli(['run', writeSql(dir, `${DDL}\n${q13}\n`), ...setArgs({ FLINK_HOME: path.join(dir, 'flink') })]);
    await oracle.createTable('side_input', SIDE, Array.from({ length: 10_000 }, (_, i) => ({ key: i, value: String(i) })));
  }, 60_000);

  it('runs the benchmark text to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('gives what DuckDB gives for the join', async () => {
    const expected = await oracle.query(
      'SELECT B.auction, B.bidder, B.price, B."dateTime", S."value" FROM bid B JOIN side_input S ON mod(B.auction, 10000) = S.key');
    expect(expected).toHaveLength(4_600);
    expectSameRows(readSinkOutput(path.join(dir, 'out')), expected, 'q13');
  });

  it('explains the lookup join on one line', async () => {
    const r = await runCli(['explain', path.join(dir, 'job.sql'), ...setArgs({ FLINK_HOME: path.join(dir, 'flink') })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('LookupJoin(inner, table=side_input, keys=[CAST(mod(auction#0, 10000) AS BIGINT) = key#0])');
    expect(r.stdout).toContain('LookupJoin(inner, table=side_input, on=eq(CAST(mod(auction#0, 10000) AS BIGINT), key#4))');
  });

  it('refuses a missing side input at the path option, and an unbounded one at the lookup join', async () => {
    const missing = await runCli(['run', path.join(dir, 'job.sql'), ...setArgs({ FLINK_HOME: path.join(dir, 'nowhere') })]);
    expect(missing.code).toBe(1);
    const line = fixture('q13.sql').split('\n').findIndex((l) => l.includes("'connector.path'")) + 1 + DDL.split('\n').length;
    expect(missing.stderr).toBe(`${path.join(dir, 'job.sql')}:${line}:3: table 'side_input': path '${path.join(dir, 'nowhere', 'data', 'side_input.txt')}' does not exist\n`);
    const monitored = fixture('q13.sql').replace("'format.type' = 'csv'", "'format.type' = 'csv', 'source.monitor-interval' = '1 s'");
    const r = await runCli(['run', writeSql(dir, `${DDL}\n${monitored}\n`, 'monitored.sql'), ...setArgs({ FLINK_HOME: path.join(dir, 'flink') })]);
    expect(r.code).toBe(1);
    const asOf = `${DDL}\n${monitored}`.split('\n').findIndex((l) => l.includes('FOR SYSTEM_TIME AS OF')) + 1;
    expect(r.stderr).toMatch(new RegExp(`^${path.join(dir, 'monitored.sql')}:${asOf}:\\d+: the lookup table 'side_input' \\(filesystem\\[.*\\]\\) is unbounded: a lookup join`));
  });
});

describe('a LEFT lookup join', () => {
  /** keys 1000..1199 with gaps (every 3rd missing), two rows for keys divisible by 10, one value a residual drops */
  const table = (): { key: number; value: string }[] => {
    const out: { key: number; value: string }[] = [];
    for (let k = 1000; k < 1200; k++) {
      if (k % 3 === 0) continue;
      out.push({ key: k, value: k === 1010 ? 'skip' : `v${k}` });
      if (k % 10 === 0) out.push({ key: k, value: `w${k}` });
    }
    return out;
  };

  it('pads unmatched bids with NULLs and keeps the malformed lines of the table aside, counted', async () => {
    const dir = tempDir();
    const rows = table();
    const file = path.join(dir, 'side.csv');
    writeSideInput(file, rows);
    writeFileSync(file, `${readFileSync(file, 'utf8')}not-a-number,x\n1500,too,many\n`);
    const engine = new Engine({ clock: new ManualClock(0), settings: { 'rejected-records.path': path.join(dir, 'rejected') } });
    try {
      const [query] = await engine.execute(`${fillPlaceholders(DDL, SETTINGS)}
        CREATE TABLE side (key BIGINT, \`value\` VARCHAR) WITH ('connector' = 'filesystem', 'path' = 'file://${file}', 'format' = 'csv');
        CREATE TABLE out (auction BIGINT, price BIGINT, \`value\` VARCHAR) WITH ('connector' = 'memory');
        INSERT INTO out SELECT B.auction, B.price, S.\`value\`
        FROM (SELECT *, PROCTIME() AS pt FROM bid) B
        LEFT JOIN side FOR SYSTEM_TIME AS OF B.pt AS S ON B.auction = S.key AND S.\`value\` <> 'skip';`);
      expect(await query!.awaitTermination(60_000)).toBe(true);
      await oracle.createTable('side_left', SIDE, rows);
      const expected = await oracle.query(`SELECT B.auction, B.price, S."value" FROM bid B LEFT JOIN side_left S ON B.auction = S.key AND S."value" <> 'skip'`);
      const unmatched = expected.filter((r) => r.value === null).length;
      expect(unmatched).toBeGreaterThan(100);
      expect(expected.length).toBeGreaterThan(bids.length); // duplicates in the table
      expectSameRows(engine.output('out').rows(), expected, 'LEFT lookup join');
      expect(query!.recentProgress.reduce((n, p) => n + p.numRejectedRows, 0)).toBe(2);
      const kept = readdirSync(path.join(dir, 'rejected')).flatMap((f) => readFileSync(path.join(dir, 'rejected', f), 'utf8').trim().split('\n'))
        .map((l) => JSON.parse(l) as { origin: string });
      expect(kept.map((r) => r.origin)).toEqual([`side.csv:${rows.length + 1}`, `side.csv:${rows.length + 2}`]);
    } finally {
      await engine.stop();
    }
  }, 60_000);

  it('reads a memory table whose input has ended, and refuses one that may still grow', async () => {
    const sql = `CREATE TABLE probe (k BIGINT, pt AS PROCTIME()) WITH ('connector' = 'memory');
      CREATE TABLE dim (k BIGINT, name VARCHAR) WITH ('connector' = 'memory');
      CREATE TABLE out (k BIGINT, name VARCHAR) WITH ('connector' = 'memory');
      INSERT INTO out SELECT p.k, d.name FROM probe p LEFT JOIN dim FOR SYSTEM_TIME AS OF p.pt AS d ON p.k = d.k;`;
    const open = new Engine({ clock: new ManualClock(0) });
    try {
      const e = await open.execute(sql).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(WeirError);
      const col = sql.split('\n')[3]!.indexOf('FOR SYSTEM_TIME') + 'FOR SYSTEM_TIME AS OF '.length + 1;
      expect((e as WeirError).format()).toMatch(new RegExp(`^<sql>:4:${col}: the lookup table 'dim' \\(memory\\[dim\\]\\) is unbounded: `));
    } finally {
      await open.stop();
    }
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      await engine.execute(sql.split(';').slice(0, 3).join(';') + ';');
      engine.input('dim').push([{ k: 1, name: 'one' }, { k: 2, name: 'two' }, { k: 2, name: 'deux' }]);
      engine.input('dim').end();
      const [query] = await engine.execute(sql.split(';')[3]! + ';');
      engine.input('probe').push([{ k: 2 }, { k: 3 }, { k: 1 }, { k: null }]);
      await query!.processAllAvailable();
      expectSameRows(engine.output('out').rows(), [
        { k: 2, name: 'two' }, { k: 2, name: 'deux' }, { k: 3, name: null }, { k: 1, name: 'one' }, { k: null, name: null },
      ]);
    } finally {
      await engine.stop();
    }
  });
});

describe('a lookup join resumed from its checkpoint', () => {
  it('reloads the table and writes every row exactly once to the filesystem sink', async () => {
    const dir = tempDir();
    const files = 6;
    mkdirSync(path.join(dir, 'in'));
    const probe: Row[][] = Array.from({ length: files }, (_, f) => Array.from({ length: 10 }, (_, i) => ({ id: f * 10 + i, k: (f * 7 + i * 3) % 12 })));
    probe.forEach((rows, f) => writeFileSync(path.join(dir, 'in', `f${f}.json`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
    const side = path.join(dir, 'side_input.txt');
    // keys 0..9: probe keys 10 and 11 never match
    const version = (tag: string): void => writeSideInput(side, Array.from({ length: 10 }, (_, k) => ({ key: k, value: `${tag}${k}` })));
    const sql = (trigger: string): string => `${trigger}
      CREATE TABLE probe (id BIGINT, k BIGINT, pt AS PROCTIME())
        WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json', 'source.max-files-per-trigger' = '1');
      CREATE TABLE side_input (key BIGINT, \`value\` VARCHAR)
        WITH ('connector.type' = 'filesystem', 'connector.path' = 'file://${side}', 'format.type' = 'csv');
      CREATE TABLE out (id BIGINT, \`value\` VARCHAR) WITH ('connector' = 'filesystem', 'path' = 'file://${dir}/out/', 'format' = 'json');
      INSERT INTO out SELECT p.id, s.\`value\` FROM probe p JOIN side_input FOR SYSTEM_TIME AS OF p.pt AS s ON p.k = s.key;`;
    const runOnce = async (trigger: string): Promise<void> => {
      const engine = new Engine({ checkpointDir: path.join(dir, 'cp'), baseDir: dir });
      try {
        for (const q of await engine.execute(sql(trigger))) expect(await q.awaitTermination(30_000)).toBe(true);
      } finally {
        await engine.stop();
      }
    };
    version('a');
    await runOnce("SET 'trigger' = 'once';"); // batch 0: f0
    version('b');
    await runOnce("SET 'trigger' = 'once';"); // batch 1: f1, with the table as it is now
    // a crash after the sink wrote batch 1 but before its commit: the restart re-runs batch 1
    const commits = path.join(dir, 'cp', 'insert-into_out', 'commits');
    expect(readdirSync(commits).filter((f) => /^\d+$/.test(f)).map(Number).sort()).toEqual([0, 1]);
    rmSync(path.join(commits, '1'));
    version('c');
    await runOnce(''); // re-runs batch 1 (the sink keeps its first write), then f2..f5
    const tagOf = (f: number): string => (f === 0 ? 'a' : f === 1 ? 'b' : 'c');
    const expected = probe.flatMap((rows, f) => rows.filter((r) => (r.k as number) < 10).map((r) => ({ id: r.id, value: `${tagOf(f)}${r.k as number}` })));
    const got = readSinkOutput(path.join(dir, 'out'));
    expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
    expectSameRows(got, expected, 'resumed lookup join');
  }, 60_000);
});
