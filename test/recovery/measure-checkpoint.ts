/**
 * Measures checkpointing at the query level (not a test; the figures go in bench/README.md): a
 * keyed aggregation with 1 M keys in state, then batches that change 1 % of the keys each.
 *
 * - the checkpoint cost of a batch (progress durationMs.checkpoint: offsets + state version +
 *   commit), against the first batch, which writes all 1 M keys (the size of a full snapshot);
 * - recovery: a new engine on the same checkpoint, from execute() to the first batch's progress
 *   (opening the checkpoint and loading the state at its last version included).
 *
 * Run: npx tsc -p tsconfig.json --outDir /tmp/weir-measure; node /tmp/weir-measure/test/recovery/measure-checkpoint.js
 * (KEYS=… to change the state size; BACKENDS=filesystem,lmdb)
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import type { StreamingQuery } from '../../src/executor/streaming/streaming-query.js';

const KEYS = Number(process.env.KEYS ?? 1_000_000);
const CHANGED = Math.round(KEYS / 100);
const BATCHES = 10;
const BACKENDS = (process.env.BACKENDS ?? 'filesystem,lmdb').split(',');

const SQL = `
  CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE totals (auction BIGINT, n BIGINT, total BIGINT, top BIGINT) WITH ('connector' = 'memory');
  INSERT INTO totals SELECT auction, COUNT(*), SUM(price), MAX(price) FROM bids GROUP BY auction;`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const mb = (x: number): string => `${(x / 1e6).toFixed(1)} MB`;

function rows(from: number, count: number, step: number, price: number): { auction: number; price: number }[] {
  const out = new Array(count);
  for (let i = 0; i < count; i++) out[i] = { auction: (from + i * step) % KEYS, price };
  return out;
}

async function batch(engine: Engine, q: StreamingQuery, r: object[]): Promise<QueryProgress> {
  engine.input('bids').push(r);
  await q.processAllAvailable();
  return q.lastProgress!;
}

async function run(backend: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `weir-measure-cp-${backend}-`));
  try {
    const settings = { 'state.backend': backend };
    let engine = new Engine({ checkpointDir: dir, settings });
    let [q] = await engine.execute(SQL);
    // the whole state in one batch, in slices so that the pushed rows are not one huge array
    const SLICE = 100_000;
    for (let from = 0; from < KEYS; from += SLICE) engine.input('bids').push(rows(from, Math.min(SLICE, KEYS - from), 1, 1));
    const t0 = performance.now();
    await q!.processAllAvailable();
    const full = q!.recentProgress.reduce((a, p) => a + p.durationMs.checkpoint, 0);
    const loadMs = performance.now() - t0;
    const checkpoints: number[] = [];
    const triggers: number[] = [];
    let last: QueryProgress | undefined;
    for (let b = 1; b <= BATCHES; b++) {
      last = await batch(engine, q!, rows(b * 7919, CHANGED, 97, b + 1));
      checkpoints.push(last.durationMs.checkpoint);
      triggers.push(last.durationMs.triggerExecution);
    }
    const disk = last!.stateOperators[0]!.stateSizeOnDiskBytes ?? 0;
    const tables = engine.memoryTables;
    await engine.stop();

    // recovery: a new engine on the same checkpoint and input
    engine = new Engine({ checkpointDir: dir, settings, memoryTables: tables });
    const t1 = performance.now();
    [q] = await engine.execute(SQL);
    const first = await batch(engine, q!, rows(12345, CHANGED, 89, 99));
    const recovery = performance.now() - t1;
    if (first.stateOperators[0]!.numRowsTotal !== KEYS) throw new Error(`recovered ${first.stateOperators[0]!.numRowsTotal} keys, expected ${KEYS}`);
    await engine.stop();

    console.log(`${backend.padEnd(10)} | ${KEYS.toLocaleString('en-US')} keys | first batch (all keys) checkpoint ${ms(full)} of ${ms(loadMs)} | `
      + `1 % batch: checkpoint median ${ms(median(checkpoints))} (max ${ms(Math.max(...checkpoints))}), batch median ${ms(median(triggers))} | `
      + `state on disk ${mb(disk)} | recovery to first batch ${ms(recovery)} (that batch ${ms(first.durationMs.triggerExecution)})`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

for (const b of BACKENDS) await run(b);
