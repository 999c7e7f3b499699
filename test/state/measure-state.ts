/**
 * Measures the state stores (not a test; the figures go in bench/README.md):
 * 1 M keys, 1 % of them changed per batch: commit time of a batch (a delta) against writing the
 * whole state, the background snapshot build, and recovery (opening at the last version).
 *
 * Run: npx tsc -p tsconfig.json --outDir /tmp/weir-measure && node /tmp/weir-measure/test/state/measure-state.js
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FileStateStoreProvider } from '../../src/state/file-state-store.js';
import { LmdbStateStoreProvider } from '../../src/state/lmdb-state-store.js';
import type { StateStore, StateStoreProvider, StateValue } from '../../src/state/state-store.js';

const KEYS = Number(process.env.KEYS ?? 1_000_000);
const CHANGED = Math.round(KEYS / 100);
const BATCHES = 10;

const value = (i: number, batch: number): StateValue => [[`auction-${i}`], [[batch + 1], [i * 1.5, batch + 1]], null, batch + 1];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

async function run(name: string, make: (dir: string) => StateStoreProvider): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `weir-measure-${name}-`));
  try {
    let provider = make(dir);
    const store: StateStore = await provider.open(1, -1);
    for (let i = 0; i < KEYS; i++) store.put(`k${i}`, value(i, 0));
    let t = performance.now();
    await store.commit(0);
    const full = performance.now() - t;

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const commits: number[] = [];
    for (let b = 1; b <= BATCHES; b++) {
      for (let j = 0; j < CHANGED; j++) {
        const i = (j * 97 + b * 7919) % KEYS;
        store.put(`k${i}`, value(i, b));
      }
      t = performance.now();
      await store.commit(b);
      commits.push(performance.now() - t);
    }
    t = performance.now();
    await provider.maintenance?.();
    const tail = performance.now() - t;
    delay.disable();
    const disk = store.stateSizeOnDisk?.() ?? 0;
    await provider.close?.();

    provider = make(dir);
    t = performance.now();
    const reopened = await provider.open(1, BATCHES);
    const load = performance.now() - t;
    if (reopened.size !== KEYS) throw new Error(`${name}: reopened with ${reopened.size} keys`);
    await provider.close?.();

    provider = make(dir);
    t = performance.now();
    const back = await provider.open(1, BATCHES - 1);
    const loadBack = performance.now() - t;
    if (back.get('k0') === undefined) throw new Error(`${name}: k0 missing`);
    await provider.close?.();

    console.log(`${name}: ${KEYS} keys, ${CHANGED} changed per batch`);
    console.log(`  commit, whole state (batch 0):      ${ms(full)}`);
    console.log(`  commit, 1% changed (median of ${BATCHES}): ${ms(median(commits))} (max ${ms(Math.max(...commits))})`);
    console.log(`  background work left after the batches: ${ms(tail)}; event-loop delay p99 ${ms(delay.percentile(99) / 1e6)}, max ${ms(delay.max / 1e6)}`);
    console.log(`  recovery: open at the last version ${ms(load)}, at the one before ${ms(loadBack)}`);
    console.log(`  on disk: ${(disk / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await run('file', (dir) => new FileStateStoreProvider(dir, { snapshotEvery: 5 }));
await run('lmdb', (dir) => new LmdbStateStoreProvider(dir));
