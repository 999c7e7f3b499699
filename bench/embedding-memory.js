#!/usr/bin/env node
/**
 * Memory of an embedding service over time: events written into a memory table through
 * `engine.input(t).write()` (10 000-row Arrow pushes, or 10-row object pushes with --small-pushes),
 * read by two continuous queries (a 10-second TUMBLE count per key into a stream() reader, and a
 * keyed update aggregation polled through rows()), the heap sampled after a full GC every --every
 * events. Prints one line per sample and, with --json, a summary the test reads.
 *
 *   node bench/embedding-memory.js [--events N] [--every N] [--small-pushes] [--json]
 *
 * Uses dist/ (npm run build).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as arrow from 'apache-arrow';
import { Engine } from '../dist/index.js';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const EVENTS = arg('--events', 10_000_000);
const EVERY = arg('--every', Math.max(100_000, EVENTS / 20));
const SMALL = args.includes('--small-pushes');
const JSON_OUT = args.includes('--json');
const PUSH = SMALL ? 10 : 10_000;
const KEYS = 1000;

const engine = new Engine();
const queries = await engine.execute(`
  CREATE TABLE events (k BIGINT, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');
  CREATE TABLE per_window (k BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE per_key (k BIGINT, total BIGINT, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
  INSERT INTO per_window SELECT k, window_start, window_end, COUNT(*)
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;
  INSERT INTO per_key SELECT k, SUM(v), COUNT(*) FROM events GROUP BY k;
`);

let windowRows = 0;
const reader = (async () => { for await (const c of engine.output('per_window').stream()) if (c.kind === 'insert') windowRows++; })();

const samples = [];
const sample = (events) => {
  gc();
  const m = process.memoryUsage();
  const s = { events, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20, externalMB: (m.external + m.arrayBuffers) / 2 ** 20 };
  samples.push(s);
  if (!JSON_OUT) console.log(`${String(events).padStart(10)} events  heap ${s.heapMB.toFixed(1)} MB  rss ${s.rssMB.toFixed(1)} MB  buffers ${s.externalMB.toFixed(1)} MB`);
};

const t0 = Date.now();
let next = EVERY;
for (let e = 0; e < EVENTS; e += PUSH) {
  const n = Math.min(PUSH, EVENTS - e);
  if (SMALL) {
    const rows = [];
    for (let i = 0; i < n; i++) rows.push({ k: (e + i) % KEYS, v: e + i, ts: e + i });
    await engine.input('events').write(rows);
  } else {
    const k = new BigInt64Array(n), v = new BigInt64Array(n), ts = new BigInt64Array(n);
    for (let i = 0; i < n; i++) { k[i] = BigInt((e + i) % KEYS); v[i] = BigInt(e + i); ts[i] = BigInt(e + i); }
    await engine.input('events').write(arrow.tableFromArrays({ k, v, ts }));
  }
  if (e + n >= next) { sample(e + n); next += EVERY; engine.output('per_key').rows(); }
}
engine.input('events').end();
for (const q of queries) await q.awaitTermination();
await reader;
const seconds = (Date.now() - t0) / 1000;

// flat: after warm-up (the first quarter of the samples), the spread of the GC'd heap
const warm = samples.slice(Math.floor(samples.length / 4));
const heaps = warm.map((s) => s.heapMB);
const rss = warm.map((s) => s.rssMB);
const summary = {
  events: EVENTS, pushRows: PUSH, seconds, eventsPerSecond: EVENTS / seconds,
  heapGrowthMB: Math.max(...heaps) - Math.min(...heaps), rssGrowthMB: Math.max(...rss) - Math.min(...rss),
  heapFirstMB: heaps[0], heapLastMB: heaps[heaps.length - 1], samples: samples.length,
  windowRows, perKeyRows: engine.output('per_key').rows().length,
  keptInputBatches: engine.memoryTables.pushed('events').length,
};
if (JSON_OUT) console.log(JSON.stringify(summary));
else console.log(summary);
