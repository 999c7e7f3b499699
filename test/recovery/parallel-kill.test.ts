/**
 * Recovery at parallelism 2 (kill-scenario.ts's windowed and keyed aggregations, both state
 * backends): killed with SIGKILL at seeded moments and restarted, the sinks equal DuckDB. And a
 * checkpoint written at parallelism 1 resumes at 2 and back at 1 (the state re-split between the
 * tasks by key group), killed between, with the same result. Runs the CLI on dist/.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, removeTempDirs, runAndKill, runWeir, seededRandom, tempDir, canonical } from '../support/recovery.js';
import { answers, BACKENDS, script, writeInput } from './kill-scenario.js';

beforeAll(ensureBuilt, 180_000);
afterAll(removeTempDirs);

const SEED = Number(process.env.WEIR_PARALLEL_KILL_SEED ?? 5151);

async function expectDuckDb(dir: string): Promise<void> {
  const a = await answers(dir);
  for (const b of BACKENDS) {
    const w = a.weir[b];
    expect(canonical(w.windows), `${b}: windows`).toEqual(canonical(a.duckdb.windows));
    expect(canonical(w.updates), `${b}: updates`).toEqual(canonical(a.duckdb.updates));
    expect(canonical(w.complete), `${b}: complete`).toEqual(canonical(a.duckdb.complete));
  }
}

/**
 * Run at each parallelism in turn, killed after a seeded number of batches; the last run finishes
 * and returns its progress lines. `prefix` goes before the script.
 */
async function runAt(dir: string, parallelisms: readonly number[], prefix = ''): Promise<string> {
  console.log(`parallel kill seed ${SEED} (replay: WEIR_PARALLEL_KILL_SEED=${SEED})`);
  const rnd = seededRandom(SEED);
  writeInput(path.join(dir, 'in'), SEED);
  for (const [i, p] of parallelisms.entries()) {
    writeFileSync(path.join(dir, `q${p}.sql`), `${prefix}SET 'parallelism' = '${p}';\n${script()}`);
    const args = ['run', `q${p}.sql`, '--checkpoint', 'cp'];
    if (i === parallelisms.length - 1) {
      const last = await runWeir([...args, '--progress'], dir, 60_000);
      expect(last.stderr.replace(/^.*batch \d+:.*$/gm, '').trim()).not.toMatch(/error/i);
      expect(last.code, last.stderr.slice(-3000)).toBe(0);
      return last.stderr;
    } else {
      const r = await runAndKill([...args, '--progress'], dir, 2 + Math.floor(rnd() * 4), Math.floor(rnd() * 80));
      expect(r.killed, `run ${i + 1} at parallelism ${p} was killed (stderr: ${r.stderr})`).toBe(true);
      // the tasks ran on worker threads when they were killed (a batch's progress line says so)
      if (p > 1 && /batch \d+:/.test(r.stderr)) expect(r.stderr).toMatch(new RegExp(`${p} tasks on ${p} threads`));
    }
  }
  throw new Error('no run');
}

it('survives SIGKILLs at parallelism 2: the sinks equal DuckDB', async () => {
  const dir = tempDir('parallel-kill-');
  await runAt(dir, [2, 2, 2]);
  await expectDuckDb(dir);
}, 150_000);

it('resumes a checkpoint written at parallelism 1 at 2, then at 1 again, equal to DuckDB', async () => {
  const dir = tempDir('parallel-rescale-');
  // two batches' offsets kept: too few to replay, so the state must move by key group
  const progress = await runAt(dir, [1, 2, 1], "SET 'checkpoint.retain' = '2';\n");
  await expectDuckDb(dir);
  // each query's first batch of the last run (at 1 task, after 1 or 2) says how it re-split
  const resplits = progress.split('\n').filter((l) => /state re-split/.test(l));
  expect(resplits.length, progress.slice(-3000)).toBeGreaterThan(0);
  for (const line of resplits) expect(line).toMatch(/state re-split 2 → 1 tasks by key group \(\d+ ms\)/);
}, 150_000);
