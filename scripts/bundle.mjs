/**
 * Bundle what tsc wrote to dist/, run by `npm run build` after tsc. Two bundles:
 *
 * - **The package's entry points** (dist/index.js and the CLI's dist/cli/main.js) into dist/bundle/,
 *   which package.json's `exports` and bin/weir.js load. Why: Node's ES module loader costs about a
 *   millisecond a file: the quick start's `weir run` loaded 341 of Weir's files and took 0.73 s; bundled,
 *   28 files and 0.54 s. `weir explain`: 335 → 268 ms. The lazy loading stays: every
 *   dynamic import() becomes a chunk of its own, loaded when first needed (the parser, the planner,
 *   the executor, the connectors with their formats, Parquet's codecs, the dashboard, `weir compare`), and the two entries share their chunks, so a user function
 *   importing 'weir-sql' in a `weir run` gets the CLI's own classes. apache-arrow stays outside: the API
 *   takes and gives the application's own RecordBatch objects. A failure here fails the build: the
 *   package's entry is the bundle.
 * - **The parallel tasks' worker script** (dist/engine/parallel/task-worker.js) into
 *   dist/engine/parallel/worker/. Every worker thread of `SET 'parallelism'` loads its script's
 *   modules anew: unbundled, two workers starting together took 350-470 ms on the 2-core machine;
 *   bundled, 80-100 ms. apache-arrow is inside (a worker's batches never meet the application's
 *   objects). workerScript() (worker-task-set.ts) takes the bundle when it is there and the plain
 *   script otherwise, so a failure here only says why: the workers start slower.
 *
 * Native and server-client packages stay outside both bundles (loaded from node_modules as before).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** packages with native parts or their own loaders: required from node_modules at run time */
const EXTERNAL = [/^node:/, /^lmdb($|\/)/, /^msgpackr($|\/)/, /^better-sqlite3($|\/)/, /^pg($|\/)/, /^ioredis($|\/)/, /^@nats-io\//, /^re2js($|\/)/];

async function bundle(input, outDir, external, entryFileNames) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const b = await rolldown({ input, platform: 'node', external, logLevel: 'warn' });
  try {
    await b.write({ dir: outDir, format: 'esm', entryFileNames, chunkFileNames: '[name]-[hash].js' });
  } finally {
    await b.close();
  }
}

try {
  await bundle({ index: path.join(dist, 'index.js'), cli: path.join(dist, 'cli', 'main.js') }, path.join(dist, 'bundle'), [...EXTERNAL, /^apache-arrow($|\/)/], '[name].js');
} catch (e) {
  fs.rmSync(path.join(dist, 'bundle'), { recursive: true, force: true });
  console.error(`bundle: the package's entry points could not be bundled: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const workerDir = path.join(dist, 'engine', 'parallel', 'worker');
try {
  await bundle(path.join(dist, 'engine', 'parallel', 'task-worker.js'), workerDir, EXTERNAL, 'task-worker.js');
} catch (e) {
  fs.rmSync(workerDir, { recursive: true, force: true });
  console.warn(`bundle: the worker runs unbundled (slower to start): ${e instanceof Error ? e.message : String(e)}`);
}
