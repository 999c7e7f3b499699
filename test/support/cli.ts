/**
 * Running the CLI from tests, and the files around it.
 *
 * - `runCli(args)` runs `weir ...` in this process through `main(argv, io)`, with stdout and stderr
 *   captured: fast, and what most tests use.
 * - `spawnCli(args)` runs `node bin/weir.js ...` as a child process (it needs dist/, which `npm ci`
 *   builds through `prepare`): for exit codes and signals, which only a real process shows.
 * - `tempDir()`, `writeJsonFiles()` and `readSinkOutput()` lay out inputs one file per trigger and
 *   read what the exactly-once filesystem sink committed (exactly the files its manifests list).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse as parseJson } from 'lossless-json';
import { afterAll } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseInt64 } from '../../src/common/int64.js';
import { listCommittedFiles } from '../../src/connectors/filesystem/layout.js';

export type Row = Record<string, unknown>;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEIR_BIN = path.join(REPO_ROOT, 'bin', 'weir.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  /** stderr without the summary `weir run` closes with (tests asserting a clean stderr mean no errors) */
  readonly stderr: string;
  /** the summary `weir run` wrote at its end ('' when none) */
  readonly summary: string;
}

/** `weir run`'s closing summary: its first line and the indented lines under it (run-report.ts). */
const SUMMARY = /^weir: (?:finished|stopped|failed) after [^\n]*\n(?: {2}[^\n]*\n)*/m;

export function splitSummary(stderr: string): { stderr: string; summary: string } {
  const m = SUMMARY.exec(stderr);
  return m ? { stderr: stderr.slice(0, m.index) + stderr.slice(m.index + m[0].length), summary: m[0] } : { stderr, summary: '' };
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** `weir <args>` in this process. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text, ...splitSummary(stderr.text) };
}

/** `node bin/weir.js <args>` as a child process; `onSpawn` may signal it. */
export function spawnCli(args: readonly string[], opts: { cwd?: string; onSpawn?: (child: ChildProcess) => void; timeoutMs?: number } = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WEIR_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`weir ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, ...splitSummary(stderr) });
    });
    opts.onSpawn?.(child);
  });
}

/** Whether dist/ holds a build the child-process tests can run. */
export const hasBuild = (): boolean => existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'));

const created: string[] = [];
afterAll(() => {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'weir-e2e-'): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(d);
  return d;
}

/** `batches` as JSON-lines files `dir/part-0000.json`, ... (one file per trigger with max-files-per-trigger 1). */
export function writeJsonFiles(dir: string, batches: readonly (readonly Row[])[]): string[] {
  mkdirSync(dir, { recursive: true });
  return batches.map((rows, i) => {
    const file = path.join(dir, `in-${String(i).padStart(4, '0')}.json`);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
    return file;
  });
}

/** A SQL script in `dir`; returns its path. */
export function writeSql(dir: string, sql: string, name = 'job.sql'): string {
  const file = path.join(dir, name);
  writeFileSync(file, sql);
  return file;
}

/** Every committed row of a JSON filesystem sink, in batch order. */
export function readSinkOutput(dir: string): Row[] {
  return listCommittedFiles(dir).flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => parseJson(l, null, exactJsonNumber) as Row));
}

/**
 * A JSON number as the sink wrote it: an integer exactly (a canonical BIGINT, a bigint beyond int64),
 * anything else as a double. JSON.parse would round 9007199254740993 to ...992 and hide the bug
 * the oracle looks for.
 */
function exactJsonNumber(text: string): number | bigint {
  if (!/^-?\d+$/.test(text)) return Number(text);
  return parseInt64(text) ?? BigInt(text);
}

/** An update-mode sink's result table: the last row per key (a `_op: "delete"` row removes its key). */
export function lastRowPerKey(rows: readonly Row[], keys: readonly string[]): Row[] {
  const table = new Map<string, Row>();
  for (const r of rows) {
    const k = JSON.stringify(keys.map((c) => r[c] ?? null));
    if (r._op === 'delete') table.delete(k);
    else table.set(k, r);
  }
  return [...table.values()];
}

/** `rows` split into `n` consecutive batches of nearly equal size. */
export function splitInto<T>(rows: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < n; i++) out.push(rows.slice(Math.floor((i * rows.length) / n), Math.floor(((i + 1) * rows.length) / n)));
  return out;
}
