#!/usr/bin/env node
/**
 * What two threads get from this machine: the same work on one worker thread, then on two at once,
 * each thread's time beside the one thread's. Tells how far any engine's parallelism can go here
 * before Weir's own costs: issue 12 asks q5, q7, q9 and q18 at parallelism 2 to run 1.6 times as
 * fast as at parallelism 1 on a 2-core machine.
 *
 *   node bench/cores.js [--runs N] [--no-duckdb] [--files DIR]
 *
 * - `alu`: integer arithmetic in registers (no memory): what two cores give when nothing is shared.
 * - `memory W`: a loop over a Float64Array of W bytes touching one value per 64-byte cache line
 *   (2 GiB touched in all), as a scan or a hash table larger than the caches does.
 * - `--files DIR` (a directory of JSON-lines bids, as `node bench/files.js` leaves in
 *   <tmpdir>/weir-bench-files/json; needs `npm run build`): Weir's JSON decoder alone
 *   (FilesystemSource.readPiece, 20 files a piece, the columns auction and price), one thread
 *   decoding half the files, then two threads a half each.
 * - `duckdb`: DuckDB's own GROUP BY of 60 M integers into 2 M groups (a hash table of some 100 MB)
 *   at `SET threads = 1` and `2`: a vectorised engine on the same memory.
 *
 * The slowdown is the two threads' slower time over the one thread's: 1.0 means two threads do twice
 * the work in the same time; 2.0 means they do it no faster than one thread does it alone.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const GIB = 2 ** 30;

function alu(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345 + i) | 0;
  return x;
}

function memory(bytes, touched) {
  const a = new Float64Array(bytes / 8);
  let s = 0;
  for (let r = Math.max(1, Math.round(touched / bytes)); r > 0; r--) {
    for (let i = 0; i < a.length; i += 8) {
      a[i] += r;
      s += a[i];
    }
  }
  return s;
}

/** Weir's JSON decoder over `files` of `dir` (auction and price read), 20 files a piece, after a first piece to warm up. */
async function decode(dir, files) {
  const { FilesystemSource } = await import(new URL('../dist/connectors/filesystem/index.js', import.meta.url).href);
  const { T } = await import(new URL('../dist/common/types.js', import.meta.url).href);
  const columns = [['auction', T.BIGINT], ['bidder', T.BIGINT], ['price', T.BIGINT], ['channel', T.VARCHAR], ['url', T.VARCHAR], ['dateTime', T.VARCHAR], ['extra', T.VARCHAR]]
    .map(([name, type]) => ({ name, type, nullable: true }));
  const table = { name: 'bid', schema: { columns }, options: new Map([['connector', 'filesystem'], ['path', dir], ['format', 'json']]), optionSpans: new Map(), partitionedBy: [], primaryKey: [] };
  const source = new FilesystemSource(table, { clock: { now: () => 0 }, baseDir: '/', requiredColumns: [0, 2] });
  const pieces = [];
  for (let k = 0; k < files.length; k += 20) pieces.push(files.slice(k, k + 20).map((file) => ({ file })));
  await source.readPiece(pieces[0]);
  const t = performance.now();
  for (const piece of pieces) await source.readPiece(piece);
  return performance.now() - t;
}

if (!isMainThread) {
  const { kind, bytes } = workerData;
  if (kind === 'decode') {
    parentPort.postMessage(await decode(workerData.dir, workerData.files));
    process.exit(0);
  }
  const work = () => (kind === 'alu' ? alu(6e8) : memory(bytes, 2 * GIB));
  if (kind !== 'alu') memory(bytes, 64 << 20); // pages touched, loop compiled
  const t = performance.now();
  work();
  parentPort.postMessage(performance.now() - t);
} else {
  const argv = process.argv.slice(2);
  const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 3;
  const threads = (k, data) => Promise.all(Array.from({ length: k }, () => new Promise((resolve, reject) => {
    new Worker(new URL(import.meta.url), { workerData: data }).on('message', resolve).on('error', reject);
  })));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  const cases = [['alu', { kind: 'alu' }], ...[256 << 10, 2 << 20, 8 << 20, 32 << 20, 256 << 20].map((b) => [`memory ${b >= 1 << 20 ? `${b >> 20} MiB` : `${b >> 10} KiB`}`, { kind: 'memory', bytes: b }])];
  for (const [name, data] of cases) {
    const one = [];
    const two = [];
    for (let r = 0; r < runs; r++) {
      one.push((await threads(1, data))[0]);
      two.push(Math.max(...(await threads(2, data))));
    }
    rows.push([name, median(one), median(two)]);
  }
  if (argv.includes('--files')) {
    const fs = await import('node:fs');
    const dir = argv[argv.indexOf('--files') + 1];
    const files = fs.readdirSync(dir).filter((f) => !f.startsWith('_') && !f.startsWith('.')).sort();
    const halves = [files.slice(0, files.length >> 1), files.slice(files.length >> 1)];
    const one = [];
    const two = [];
    for (let r = 0; r < runs; r++) {
      one.push((await threads(1, { kind: 'decode', dir, files: halves[0] }))[0]);
      two.push(Math.max(...(await Promise.all(halves.map((h) => threads(1, { kind: 'decode', dir, files: h })))).flat()));
    }
    rows.push([`Weir's JSON decoder, half of ${files.length} files a thread`, median(one), median(two)]);
  }
  if (!argv.includes('--no-duckdb')) {
    const duck = await import('@duckdb/node-api');
    const con = await (await duck.DuckDBInstance.create(':memory:')).connect();
    const q = 'SELECT k % 2000000 AS g, SUM(k), COUNT(*) FROM range(60000000) t(k) GROUP BY g';
    const time = async (n) => {
      await con.run(`SET threads = ${n}`);
      const t = performance.now();
      const got = (await con.runAndReadAll(`SELECT COUNT(*) FROM (${q})`)).getRows()[0][0];
      if (Number(got) !== 2000000) throw new Error(`DuckDB gave ${got} groups`);
      return performance.now() - t;
    };
    const one = [];
    const two = [];
    for (let r = 0; r < runs; r++) {
      one.push(await time(1));
      two.push(await time(2));
    }
    // two threads share one query's work: the time it takes them against one thread's
    rows.push(['duckdb GROUP BY, 2 M groups (one query shared by the threads)', median(one), median(two) * 2]);
  }
  console.log('| work | one thread (ms) | each of two threads at once (ms) | slowdown |');
  console.log('|---|---|---|---|');
  for (const [name, one, two] of rows) console.log(`| ${name} | ${one.toFixed(0)} | ${two.toFixed(0)} | ${(two / one).toFixed(2)} |`);
}
