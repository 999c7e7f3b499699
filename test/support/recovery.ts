/**
 * Helpers for the recovery suite (test/recovery): temporary directories, the CLI as a child process
 * (`node bin/weir.js run ...` on dist/), kill -9 loops at seeded random moments, reading what a
 * filesystem sink committed, and DuckDB as the oracle.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCommittedFiles } from '../../src/connectors/filesystem/layout.js';
import { seeded } from './oracle.js';
import { splitSummary } from './cli.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO, 'bin', 'weir.js');

// ---------------------------------------------------------------------------------------------
// temporary directories

const made: string[] = [];

/** A new empty directory under the OS temp dir, removed by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `weir-rec-${prefix}`));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// dist/ is what bin/weir.js runs: build it when a source file is newer (CI builds it in `npm ci`)

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (e.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function distIsStale(): boolean {
  try {
    return newestMtime(path.join(REPO, 'dist'), '.js') < newestMtime(path.join(REPO, 'src'), '.ts');
  } catch {
    return true;
  }
}

/**
 * Make sure dist/ holds the current sources. Test files run in parallel workers: one builds while
 * the others wait on a lock directory. tsc writes its output even when some file does not type-check
 * (that is the type-check's business, not this suite's), so only a missing dist/ is an error.
 */
export async function ensureBuilt(): Promise<void> {
  if (!distIsStale()) return;
  const lock = path.join(os.tmpdir(), `weir-build-${Buffer.from(REPO).toString('hex').slice(-24)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // someone else builds; a lock older than 5 minutes is the remains of a killed run
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
      await sleep(250);
      if (!distIsStale()) return;
    }
  }
  try {
    if (!distIsStale()) return;
    spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
    // as `npm run build`: the bundles again, else bin/weir.js and the workers would run tsc's modules
    spawnSync(process.execPath, [path.join(REPO, 'scripts', 'bundle.mjs')], { cwd: REPO, stdio: 'ignore' });
    if (distIsStale()) throw new Error('dist/ is older than src/ and `tsc -p tsconfig.build.json` did not refresh it; run `npm run build`');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// the CLI as a child process

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `weir ARGS` in `cwd` to the end. */
export function runWeir(args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`weir ${args.join(' ')} ran over ${timeoutMs} ms; stderr:\n${stderr}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // the closing summary of `weir run` is not an error: left out, as runCli does
      resolve({ code, signal, stdout, stderr: splitSummary(stderr).stderr });
    });
  });
}

/** A deterministic pseudo-random generator (mulberry32): one for all tests, in oracle.ts. */
export const seededRandom = seeded;

export interface KillLoopResult {
  /** how many runs were killed with SIGKILL */
  readonly kills: number;
  /** progress lines (committed batches) each killed run printed before it died */
  readonly batchesBeforeKill: readonly number[];
  /** the stderr of the last run, which ended by itself */
  readonly finalStderr: string;
  /** wall-clock milliseconds of each run, the last one included */
  readonly runMs: readonly number[];
}

/**
 * Run `weir run ARGS --progress` and kill it with SIGKILL `kills` times at seeded random moments, each
 * time restarting it from its checkpoint, then let the last run finish (exit 0). A kill lands after
 * a random number (0–`maxBatches`) of progress lines, that is of committed batches, plus a random
 * delay of up to `maxDelayMs`: anywhere in start-up, recovery, a batch, or its commit.
 */
export async function killLoop(args: readonly string[], cwd: string, opts: { kills: number; seed: number; maxBatches?: number; maxDelayMs?: number }): Promise<KillLoopResult> {
  const rnd = seededRandom(opts.seed);
  const batchesBeforeKill: number[] = [];
  const runMs: number[] = [];
  for (let k = 0; k < opts.kills; k++) {
    const t0 = performance.now();
    const afterBatches = Math.floor(rnd() * ((opts.maxBatches ?? 3) + 1));
    const delay = Math.floor(rnd() * (opts.maxDelayMs ?? 60));
    const r = await runAndKill([...args, '--progress'], cwd, afterBatches, delay);
    if (!r.killed) {
      throw new Error(`run ${k + 1} ended by itself (exit ${r.code}) before the kill after ${afterBatches} batches + ${delay} ms: `
        + `give the loop more input; stderr:\n${r.stderr}`);
    }
    batchesBeforeKill.push(r.batches);
    runMs.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const last = await runWeir(args, cwd, 60_000);
  runMs.push(performance.now() - t0);
  if (last.code !== 0) throw new Error(`the run after ${opts.kills} kills exited ${last.code ?? last.signal}; stderr:\n${last.stderr}`);
  return { kills: opts.kills, batchesBeforeKill, finalStderr: last.stderr, runMs };
}

export function runAndKill(args: readonly string[], cwd: string, afterBatches: number, delayMs: number): Promise<{ killed: boolean; code: number | null; batches: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let batches = 0;
    let armed = false;
    let killed = false;
    const arm = (): void => {
      if (armed) return;
      armed = true;
      setTimeout(() => { if (child.exitCode === null) { killed = child.kill('SIGKILL'); } }, delayMs);
    };
    if (afterBatches === 0) arm();
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      batches += (text.match(/^.*batch \d+:/gm) ?? []).length;
      if (batches >= afterBatches) arm();
    });
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`a run did not end in 60 s; stderr:\n${stderr}`)); }, 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (!killed && code !== 0) reject(new Error(`a run failed (exit ${code ?? signal}) before it was killed; stderr:\n${stderr}`));
      else resolve({ killed: killed && signal === 'SIGKILL', code, batches, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// what a filesystem sink committed

export type Row = Record<string, unknown>;

/** Every row of the part files the sink's manifests list, in batch order (JSON lines format). */
export function committedRows(dir: string): Row[] {
  const rows: Row[] = [];
  for (const f of listCommittedFiles(dir)) {
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line) as Row);
  }
  return rows;
}

/** Update mode: the last row written per key (rows in batch order; a `_op: delete` row removes its key). */
export function lastRowPerKey(rows: readonly Row[], keys: readonly string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const r of rows) {
    const k = JSON.stringify(keys.map((c) => r[c]));
    if (r._op === 'delete') byKey.delete(k);
    else byKey.set(k, r);
  }
  return [...byKey.values()];
}

/** Rows in a canonical order with keys sorted, for comparisons that ignore order. */
export function canonical(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]))).sort();
}

// ---------------------------------------------------------------------------------------------
// DuckDB, the oracle

/** Rows of `sql` run by an in-memory DuckDB (numbers as JS numbers: cast BIGINTs to DOUBLE in the SQL). */
export async function duckdb(sql: string): Promise<Row[]> {
  const duck = await import('@duckdb/node-api');
  const instance = await duck.DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await instance.connect();
  try {
    const reader = await con.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Row[];
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
