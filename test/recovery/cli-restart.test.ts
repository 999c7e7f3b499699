/**
 * The CLI on a checkpoint: a query stopped and restarted after new input files arrived continues
 * without loss or duplicates; a checkpoint of another query is refused (exit 1, naming what
 * differs) while a change that does not touch state is accepted; torn checkpoint files do not block
 * a restart. Every answer is checked against DuckDB over the same files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { canonical, committedRows, duckdb, ensureBuilt, lastRowPerKey, REPO, removeTempDirs, runWeir, sleep, tempDir, type Row } from '../support/recovery.js';
import { FILES, writeInput } from './kill-scenario.js';

beforeAll(ensureBuilt, 180_000);
afterAll(removeTempDirs);

const SRC = (extra = ''): string => `
CREATE TABLE src (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json', 'source.max-files-per-trigger' = '4'${extra});`;

const SINKS = `
CREATE TABLE windows (k STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out/windows', 'format' = 'json');
CREATE TABLE totals (k STRING, n BIGINT, total BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'out/totals', 'format' = 'json');`;

const WINDOWS = `INSERT INTO windows SELECT k, window_start, window_end, COUNT(*), SUM(v)
  FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;`;
const TOTALS = 'INSERT INTO totals SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k;';

/** A work directory whose `staged/` holds the 30 input files; `in/` starts empty. */
function workDir(prefix: string, seed: number): string {
  const dir = tempDir(prefix);
  writeInput(path.join(dir, 'staged'), seed);
  mkdirSync(path.join(dir, 'in'));
  return dir;
}

/** Move input files `from`..`to` (exclusive) into `in/`, as a writer would (whole files, renamed in). */
function arrive(dir: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const f = `f${String(i).padStart(3, '0')}.json`;
    renameSync(path.join(dir, 'staged', f), path.join(dir, 'in', f));
  }
}

/** Run a script to its end in this process (the engine the CLI drives), on `dir/cp`. */
async function runHere(dir: string, sql: string, settings: Record<string, string> = {}): Promise<void> {
  const engine = new Engine({ checkpointDir: path.join(dir, 'cp'), baseDir: dir, settings });
  try {
    for (const q of await engine.execute(sql)) await q.awaitTermination();
  } finally {
    await engine.stop();
  }
}

/** Run a script to its end with the CLI, on `dir/cp`; it must exit 0. */
async function run(dir: string, sql: string, ...args: string[]): Promise<void> {
  writeFileSync(path.join(dir, 'q.sql'), sql);
  const r = await runWeir(['run', 'q.sql', '--checkpoint', 'cp', ...args], dir);
  expect(r.code, r.stderr).toBe(0);
}

const source = (dir: string): string =>
  `read_json('${dir}/in/*.json', format = 'newline_delimited', columns = {k: 'VARCHAR', v: 'INTEGER', ts: 'TIMESTAMP'})`;

async function duckTotals(dir: string): Promise<Row[]> {
  return duckdb(`SELECT k, COUNT(*)::DOUBLE AS n, SUM(v)::DOUBLE AS total FROM ${source(dir)} GROUP BY k`);
}

/** DuckDB's windows, those ending at or before `upTo` (epoch ms) when given. */
async function duckWindows(dir: string, upTo = Infinity): Promise<Row[]> {
  const rows = await duckdb(`
    SELECT k, (epoch_ms(ts) // 5000) * 5000 AS b, COUNT(*)::DOUBLE AS n, SUM(v)::DOUBLE AS total FROM ${source(dir)} GROUP BY ALL`);
  return rows.map((r) => ({ k: r.k, ws: Number(r.b), we: Number(r.b) + 5000, n: r.n, total: r.total })).filter((r) => r.we <= upTo);
}

function weirWindows(dir: string): Row[] {
  return committedRows(path.join(dir, 'out', 'windows'))
    .map((r) => ({ k: r.k, ws: Date.parse(r.window_start as string), we: Date.parse(r.window_end as string), n: r.n, total: r.total }));
}

const weirTotals = (dir: string): Row[] => lastRowPerKey(committedRows(path.join(dir, 'out', 'totals')), ['k']);

async function expectExact(dir: string): Promise<void> {
  expect(canonical(weirWindows(dir))).toEqual(canonical(await duckWindows(dir)));
  expect(canonical(weirTotals(dir))).toEqual(canonical(await duckTotals(dir)));
}

describe('restart after new input files arrived', () => {
  it('continues across available-now runs and a final bounded run: every window once, totals exact', async () => {
    const dir = workDir('new-files-', 11);
    const sql = `${SRC()}${SINKS}${WINDOWS}${TOTALS}`;
    arrive(dir, 0, 10);
    await runHere(dir, sql, { trigger: 'available-now' });
    const firstWindows = weirWindows(dir).length;
    expect(firstWindows).toBeGreaterThan(0);
    expect(canonical(weirTotals(dir))).toEqual(canonical(await duckTotals(dir)));
    arrive(dir, 10, 20);
    await runHere(dir, sql, { trigger: 'available-now' });
    expect(weirWindows(dir).length).toBeGreaterThan(firstWindows);
    expect(canonical(weirTotals(dir))).toEqual(canonical(await duckTotals(dir)));
    arrive(dir, 20, FILES);
    // the CLI, without a trigger: the bounded source ends the query, the watermark goes to +infinity,
    // and every window fires
    await run(dir, sql);
    await expectExact(dir);
  });

  it('continues a monitored query stopped with SIGTERM and started again after new files came', async () => {
    const dir = workDir('sigterm-', 12);
    const sql = `${SRC(", 'source.monitor-interval' = '50ms'")}${SINKS}${WINDOWS}${TOTALS}`;
    writeFileSync(path.join(dir, 'q.sql'), sql);
    arrive(dir, 0, 12);
    await runUntilCaughtUp(dir);
    arrive(dir, 12, FILES);
    await runUntilCaughtUp(dir);
    const expected = await expectedNow(dir);
    expect(canonical(weirWindows(dir))).toEqual(expected.windows);
    expect(canonical(weirTotals(dir))).toEqual(expected.totals);
  });
});

/** What a monitored run over `in/` must have written: the exact totals, and the windows the watermark closed (max event time - 10 s). */
async function expectedNow(dir: string): Promise<{ totals: string[]; windows: string[] }> {
  const maxTs = Number((await duckdb(`SELECT epoch_ms(MAX(ts))::DOUBLE AS m FROM ${source(dir)}`))[0]!.m);
  return { totals: canonical(await duckTotals(dir)), windows: canonical(await duckWindows(dir, maxTs - 10_000)) };
}

/** Start the monitored query, wait until both sinks hold what they must, stop it with SIGTERM (exit 0). */
async function runUntilCaughtUp(dir: string): Promise<void> {
  const expected = await expectedNow(dir);
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'weir.js'), 'run', 'q.sql', '--checkpoint', 'cp'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 45_000;
  try {
    for (;;) {
      let caughtUp = false;
      try {
        caughtUp = JSON.stringify(canonical(weirTotals(dir))) === JSON.stringify(expected.totals)
          && weirWindows(dir).length >= expected.windows.length;
      } catch { /* the sink directory may not exist yet */ }
      if (caughtUp) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the query did not catch up; stderr:\n${stderr}`);
      await sleep(100);
    }
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('a checkpoint belongs to one query', () => {
  it("refuses another query's checkpoint with what differs (exit 1) and accepts changes that do not touch state", async () => {
    const dir = workDir('owner-', 13);
    arrive(dir, 0, 8);
    await runHere(dir, `${SRC()}${SINKS}${TOTALS}`);

    // the same sink, another aggregate: the state would be read as something it is not
    const max = `${SRC()}${SINKS}INSERT INTO totals SELECT k, COUNT(*), MAX(v) FROM src GROUP BY k;`;
    await expect(runHere(dir, max)).rejects.toThrow(/belongs to a different query: stateful operator 1 was GROUP BY k VARCHAR: COUNT\(\*\), SUM\(v INT\), now GROUP BY k VARCHAR: COUNT\(\*\), MAX\(v INT\)/);
    // other grouping keys
    const keys = `${SRC()}${SINKS}INSERT INTO totals SELECT CAST(v AS STRING), COUNT(*), SUM(v) FROM src GROUP BY v;`;
    await expect(runHere(dir, keys)).rejects.toThrow(/was GROUP BY k VARCHAR: .*now GROUP BY v INT: /);
    // a window instead of a plain aggregation
    const windowed = `${SRC()}${SINKS}INSERT INTO totals SELECT k, COUNT(*), SUM(v)
      FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;`;
    await expect(runHere(dir, windowed)).rejects.toThrow(/now TUMBLE\(size 5000 ms, offset 0 ms\) GROUP BY k VARCHAR/);

    // the CLI says so before anything runs, as a user mistake: exit 1
    writeFileSync(path.join(dir, 'max.sql'), max);
    const changed = await runWeir(['run', 'max.sql', '--checkpoint', 'cp'], dir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/max\.sql: checkpoint .* belongs to a different query: .*SUM\(v INT\).*MAX\(v INT\)/);

    // another script altogether (another sink) pointed at this checkpoint directory
    writeFileSync(path.join(dir, 'other.sql'), `${SRC()}${SINKS}${WINDOWS}`);
    const other = await runWeir(['run', 'other.sql', '--checkpoint', 'cp'], dir);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/holds the checkpoint of insert-into_totals .*not of this query insert-into_windows/s);
    expect(readdirSync(path.join(dir, 'cp'))).toEqual(['insert-into_totals']);

    // a filter constant and a projection changed: accepted, and the state carries on
    arrive(dir, 8, 16);
    await runHere(dir, `${SRC()}${SINKS}INSERT INTO totals SELECT k, n, total FROM (
      SELECT k, COUNT(*) AS n, SUM(w) AS total FROM (SELECT k, v AS w, v * 2 AS twice FROM src WHERE v > -1000) GROUP BY k
    ) WHERE n > -5;`);
    expect(canonical(weirTotals(dir))).toEqual(canonical(await duckTotals(dir)));
  });
});

describe('torn checkpoint files', () => {
  it('restarts over a torn newest commit, a torn newest offsets file and a half-written next batch', async () => {
    const dir = workDir('torn-', 14);
    const sql = `${SRC()}${SINKS}${WINDOWS}${TOTALS}`;
    arrive(dir, 0, 12);
    await run(dir, sql, '--trigger', 'available-now');
    const newest = (q: string, log: string): string => {
      const d = path.join(dir, 'cp', q, log);
      const ids = readdirSync(d).filter((n) => /^\d+$/.test(n)).map(Number);
      return path.join(d, String(Math.max(...ids)));
    };
    const tear = (file: string): void => truncateSync(file, Math.floor(statSync(file).size / 2));
    // windows: its last commit torn (the batch re-runs from its recorded offsets; the sink has it already)
    const commit = newest('insert-into_windows', 'commits');
    tear(commit);
    // ... and a crash while writing the next batch's offsets: a torn file and a temp file
    const next = Number(path.basename(commit)) + 1;
    const offsetsText = readFileSync(newest('insert-into_windows', 'offsets'), 'utf8');
    writeFileSync(path.join(dir, 'cp', 'insert-into_windows', 'offsets', String(next)), offsetsText.slice(0, 25));
    writeFileSync(path.join(dir, 'cp', 'insert-into_windows', 'offsets', `.${next}.tmp-4f2a`), offsetsText.slice(0, 10));
    // totals (the script's second query): its newest offsets file torn although the batch committed
    tear(newest('insert-into_totals_1', 'offsets'));
    arrive(dir, 12, FILES);
    await run(dir, sql);
    await expectExact(dir);
  });
});
