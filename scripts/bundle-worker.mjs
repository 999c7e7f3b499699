/**
 * Bundle the parallel tasks' worker script (dist/engine/parallel/task-worker.js) into
 * dist/engine/parallel/worker/, run by `npm run build` after tsc.
 *
 * Why: every worker thread of `SET 'parallelism'` loads its script's modules anew. Unbundled that is
 * some 150 of Weir's modules plus apache-arrow's and luxon's files, which took two workers starting
 * together 350-470 ms on the 2-core machine; the bundle, 80-100 ms. The query's thread keeps the
 * plain modules (one load per process). workerScript() (worker-task-set.ts) takes the bundle when it
 * is there and the plain script otherwise, so a build where bundling fails still runs, only slower
 * to start: this script then says why and exits 0.
 *
 * Native and server-client packages stay outside the bundle (loaded from node_modules as before);
 * a connector's modules the worker imports when a plan reads it become chunks of their own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'engine', 'parallel', 'task-worker.js');
const outDir = path.join(root, 'dist', 'engine', 'parallel', 'worker');
/** packages with native parts or their own loaders: required from node_modules at run time */
const EXTERNAL = [/^node:/, /^lmdb($|\/)/, /^msgpackr($|\/)/, /^better-sqlite3($|\/)/, /^pg($|\/)/, /^ioredis($|\/)/, /^@nats-io\//, /^re2js($|\/)/];

try {
  const { rolldown } = await import('rolldown');
  fs.rmSync(outDir, { recursive: true, force: true });
  const bundle = await rolldown({ input: entry, platform: 'node', external: EXTERNAL, logLevel: 'warn' });
  await bundle.write({ dir: outDir, format: 'esm', entryFileNames: 'task-worker.js', chunkFileNames: '[name]-[hash].js' });
  await bundle.close();
} catch (e) {
  fs.rmSync(outDir, { recursive: true, force: true });
  console.warn(`bundle-worker: the worker runs unbundled (slower to start): ${e instanceof Error ? e.message : String(e)}`);
}
