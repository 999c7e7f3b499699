#!/usr/bin/env node
/**
 * How long a query resumed at another parallelism takes to run its first new batch: a Nexmark query
 * runs `--batches` batches at `--from` tasks with a checkpoint, stops, and starts again at `--to`
 * tasks on it. Prints, per query, the first run's time, the resumed run's time to its first new
 * batch (replayed batches, if any, are not counted as new), how it re-split the state and how many
 * state rows it holds. With `--from` = `--to` it times a plain restart.
 *
 *   npm run build && node bench/rescale.js [--queries q5,q7,q18,q20] [--from 1] [--to 2] [--batches 100] [--repo DIR]
 *
 * `--repo` runs another checkout's dist/ and bench/ (a build from before a change, to compare).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: 'q5,q7,q18,q20' },
    from: { type: 'string', default: '1' },
    to: { type: 'string', default: '2' },
    batches: { type: 'string', default: '100' },
    repo: { type: 'string', default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
  },
});
const repo = path.resolve(values.repo);
const { Engine } = await import(pathToFileURL(path.join(repo, 'dist', 'index.js')).href);
const { benchScript, settings } = await import(pathToFileURL(path.join(repo, 'bench', 'run.js')).href);

/** Run `query` at `tasks` tasks on checkpoint `dir` until `stopAt` batches after batch `after` (a resume's replayed batches are at or below it). */
async function run(query, dir, tasks, stopAt, after = -1) {
  const { ddl, insert } = benchScript(query);
  // more events than the batches read: the run is stopped, not ended
  const engine = new Engine({ settings: settings(10_000_000), checkpointDir: dir });
  await engine.execute(`SET 'parallelism' = '${tasks}';`);
  await engine.execute(ddl, { file: `${query}.sql` });
  const t0 = performance.now();
  let first, n = 0, rows = 0, resplit, last = -1, done;
  const enough = new Promise((r) => { done = r; });
  engine.addListener((e) => {
    if (e.type !== 'progress' || e.progress.batchId <= after) return;
    last = e.progress.batchId;
    if (n++ === 0) {
      first = performance.now() - t0;
      resplit = e.progress.stateResplit;
    }
    rows = e.progress.stateOperators.reduce((a, s) => a + s.numRowsTotal, 0);
    if (n >= stopAt) done();
  });
  await engine.execute(insert, { file: `${query}.sql` });
  await enough;
  const ms = performance.now() - t0;
  await engine.stop();
  return { tasks, batches: n, last, ms: Math.round(ms), firstBatchMs: Math.round(first), stateRows: rows, resplit };
}

for (const query of values.queries.split(',')) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-rescale-'));
  try {
    const first = await run(query, dir, Number(values.from), Number(values.batches));
    const resumed = await run(query, dir, Number(values.to), 1, first.last);
    console.log(JSON.stringify({ query, first, resumed }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(0);
