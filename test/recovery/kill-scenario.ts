/**
 * The kill -9 scenario the recovery suite runs once per state backend: one script with a windowed
 * aggregation (append), a keyed aggregation (update) and a keyed aggregation (complete) over a
 * directory of JSON files taken one file per trigger, each into a filesystem sink. The process is
 * killed with SIGKILL at seeded random moments and restarted from its checkpoint until it finishes;
 * then what each sink's manifests list must equal DuckDB's answer over the same files exactly.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { canonical, committedRows, duckdb, killLoop, lastRowPerKey, seededRandom, type Row } from '../support/recovery.js';

export const FILES = 30;
const ROWS_PER_FILE = 40;
const KEYS = 7;
const BASE = Date.UTC(2024, 0, 1);

const two = (n: number): string => String(n).padStart(2, '0');
const stamp = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
};

/**
 * FILES files of ROWS_PER_FILE rows. File i's event times fall in [i·10 s, i·10 s + 8 s): out of
 * order within a file, but never behind the watermark (10 s delay), so no row is late and DuckDB's
 * answer over all rows is the streaming answer.
 */
export function writeInput(dir: string, seed: number): void {
  const rnd = seededRandom(seed);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const lines: string[] = [];
    for (let j = 0; j < ROWS_PER_FILE; j++) {
      const k = `k${Math.floor(rnd() * KEYS)}`;
      const v = Math.floor(rnd() * 100) - 20;
      const ts = BASE + i * 10_000 + Math.floor(rnd() * 8000);
      lines.push(JSON.stringify({ k, v, ts: stamp(ts) }));
    }
    writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.json`), lines.join('\n') + '\n');
  }
}

export type Backend = 'filesystem' | 'lmdb';
export const BACKENDS: readonly Backend[] = ['filesystem', 'lmdb'];

/**
 * One script, so one process per run (start-up dominates a run): for each state backend (read when
 * each query starts), the three queries, each into its own sink `out/<query>_<backend>`.
 */
export function script(): string {
  const sink = (name: string, cols: string): string =>
    `CREATE TABLE ${name} (${cols}) WITH ('connector' = 'filesystem', 'path' = 'out/${name}', 'format' = 'json');`;
  const perBackend = (b: Backend): string => `
SET 'state.backend' = '${b}';
${sink(`windows_${b}`, 'k STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT')}
${sink(`updates_${b}`, 'k STRING, n BIGINT, total BIGINT, lo INT, hi INT')}
${sink(`complete_${b}`, 'k STRING, n BIGINT, total BIGINT')}
SET 'output-mode' = 'append';
INSERT INTO windows_${b} SELECT k, window_start, window_end, COUNT(*), SUM(v)
  FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;
SET 'output-mode' = 'update';
INSERT INTO updates_${b} SELECT k, COUNT(*), SUM(v), MIN(v), MAX(v) FROM src GROUP BY k;
SET 'output-mode' = 'complete';
INSERT INTO complete_${b} SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k;`;
  return `
CREATE TABLE src (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)
  WITH ('connector' = 'filesystem', 'path' = 'in', 'format' = 'json', 'source.max-files-per-trigger' = '1');
${BACKENDS.map(perBackend).join('\n')}
`;
}

const SOURCE = `read_json('in/*.json', format = 'newline_delimited', columns = {k: 'VARCHAR', v: 'INTEGER', ts: 'TIMESTAMP'})`;

export interface Answers {
  readonly duckdb: Record<'windows' | 'updates' | 'complete', Row[]>;
  /** per backend, what the sinks' manifests list, normalised as DuckDB's rows */
  readonly weir: Record<Backend, Record<'windows' | 'updates' | 'complete', Row[]>>;
}

/** Weir's and DuckDB's rows of each query, normalised alike (numbers, window bounds in epoch ms). */
export async function answers(dir: string): Promise<Answers> {
  const src = SOURCE.replace("'in/", `'${dir}/in/`);
  const duckWindows = await duckdb(`
    SELECT k, (epoch_ms(ts) // 5000) * 5000 AS b, COUNT(*)::DOUBLE AS n, SUM(v)::DOUBLE AS total FROM ${src} GROUP BY ALL`);
  const duckKeyed = await duckdb(`
    SELECT k, COUNT(*)::DOUBLE AS n, SUM(v)::DOUBLE AS total, MIN(v) AS lo, MAX(v) AS hi FROM ${src} GROUP BY k`);
  const out = (name: string): Row[] => committedRows(path.join(dir, 'out', name));
  const weirOf = (b: Backend): Record<'windows' | 'updates' | 'complete', Row[]> => ({
    windows: out(`windows_${b}`)
      .map((r) => ({ k: r.k, ws: Date.parse(r.window_start as string), we: Date.parse(r.window_end as string), n: r.n, total: r.total })),
    updates: lastRowPerKey(out(`updates_${b}`), ['k']),
    complete: out(`complete_${b}`),
  });
  return {
    duckdb: {
      windows: duckWindows.map((r) => ({ k: r.k, ws: Number(r.b), we: Number(r.b) + 5000, n: r.n, total: r.total })),
      updates: duckKeyed,
      complete: duckKeyed.map((r) => ({ k: r.k, n: r.n, total: r.total })),
    },
    weir: { filesystem: weirOf('filesystem'), lmdb: weirOf('lmdb') },
  };
}

/** Kill the script six times at seeded moments, let it finish, and compare every sink with DuckDB. */
export async function runKillScenario(dir: string, seed: number): Promise<void> {
  writeInput(path.join(dir, 'in'), seed);
  writeFileSync(path.join(dir, 'q.sql'), script());
  const result = await killLoop(['run', 'q.sql', '--checkpoint', 'cp'], dir, { kills: 6, seed, maxBatches: 8, maxDelayMs: 120 });
  expect(result.kills).toBe(6);
  if (process.env.WEIR_RECOVERY_LOG) console.log({ batchesBeforeKill: result.batchesBeforeKill, runMs: result.runMs.map(Math.round) });
  const a = await answers(dir);
  expect(a.duckdb.windows.length).toBeGreaterThan(FILES * 2);
  for (const b of BACKENDS) {
    const w = a.weir[b];
    // every window exactly once, with every row of it
    expect(w.windows.length, `${b}: windows`).toBe(a.duckdb.windows.length);
    expect(canonical(w.windows), `${b}: windows`).toEqual(canonical(a.duckdb.windows));
    // update mode: the last row per key is the result
    expect(canonical(w.updates), `${b}: updates`).toEqual(canonical(a.duckdb.updates));
    // complete mode: the directory holds exactly the latest result
    expect(canonical(w.complete), `${b}: complete`).toEqual(canonical(a.duckdb.complete));
  }
}
