#!/usr/bin/env node
/**
 * The redis connector's throughput beside ioredis's own, on the same machine and server, in one run
 * (run `npm run build` first: this imports ../../dist/index.js):
 *
 *   node bench/connectors/redis.js [--entries N]   (default 500 000)
 *
 * Starts its own redis-server (a free loopback port, no persistence), then:
 *  1. ioredis appends N entries (id, user, price, ts fields) with pipelined XADDs: append rate;
 *  2. Weir reads them, source -> blackhole, trigger available-now: events/s;
 *  3. ioredis reads the same entries with XRANGE pages of 10 000 and converts each field as Weir
 *     does (numbers parsed, strings kept): read rate;
 *  4. Weir writes N rows from a memory table to the redis sink (MULTI/EXEC per batch with its
 *     mark): rows/s; beside it ioredis appending the same fields in one MULTI/EXEC per 100 000.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fmt, freePort, rate, waitForPort } from './net.js';
import { Redis } from 'ioredis';
import * as arrow from 'apache-arrow';
import { Engine } from '../../dist/index.js';

const args = process.argv.slice(2);
const N = args[0] === '--entries' ? Number(args[1]) : 500_000;
const BINARY = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
if (!BINARY) throw new Error('redis-server not found: apt-get install redis-server');
const PAGE = 10_000;
const CHUNK = 100_000;

const fields = (i) => ['id', String(i), 'user', `u${i % 1000}`, 'price', String((i % 977) * 1.25), 'ts', String(1_700_000_000_000 + i)];

const port = await freePort();
const server = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}`;
try {
  await waitForPort(port);
  const client = new Redis(url);

  // 1. ioredis's append rate
  let t0 = performance.now();
  for (let i = 0; i < N; i += PAGE) {
    const p = client.pipeline();
    for (let j = i; j < Math.min(N, i + PAGE); j++) p.xadd('bench', '*', ...fields(j));
    await p.exec();
  }
  const appendMs = performance.now() - t0;

  // 2. Weir: redis source -> blackhole
  const engine = new Engine({ settings: { trigger: 'available-now' } });
  await engine.execute(`
    CREATE TABLE src (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT)
      WITH ('connector' = 'redis', 'url' = '${url}', 'stream' = 'bench');
    CREATE TABLE sink (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT) WITH ('connector' = 'blackhole');`);
  t0 = performance.now();
  const [q] = await engine.execute('INSERT INTO sink SELECT * FROM src;');
  await q.awaitTermination();
  const weirReadMs = performance.now() - t0;
  const read = q.recentProgress.reduce((s, p) => s + p.numInputRows, 0);
  if (read !== N) throw new Error(`Weir read ${read} entries, expected ${N}`);
  await engine.stop();

  // 3. ioredis's own read rate, converting the fields
  t0 = performance.now();
  let count = 0, checksum = 0;
  for (let after = '-'; ;) {
    const page = await client.xrange('bench', after, '+', 'COUNT', PAGE);
    for (const [, f] of page) {
      const row = { id: Number(f[1]), user: f[3], price: Number(f[5]), ts: Number(f[7]) };
      checksum += row.id;
      count++;
    }
    if (page.length < PAGE) break;
    after = `(${page[page.length - 1][0]}`;
  }
  const clientReadMs = performance.now() - t0;
  if (count !== N || checksum !== (N * (N - 1)) / 2) throw new Error('the client read back something else');

  // 4. Weir: memory table -> redis sink, beside ioredis in MULTI/EXEC chunks
  const out = new Engine({ settings: { trigger: 'available-now' } });
  await out.execute(`
    CREATE TABLE m (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT) WITH ('connector' = 'memory');
    CREATE TABLE dst (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT) WITH ('connector' = 'redis', 'url' = '${url}', 'stream' = 'weir_out');`);
  for (let i = 0; i < N; i += CHUNK) {
    const len = Math.min(CHUNK, N - i);
    out.input('m').push(arrow.tableFromArrays({
      id: BigInt64Array.from({ length: len }, (_, j) => BigInt(i + j)),
      user: Array.from({ length: len }, (_, j) => `u${(i + j) % 1000}`),
      price: Float64Array.from({ length: len }, (_, j) => ((i + j) % 977) * 1.25),
      ts: BigInt64Array.from({ length: len }, (_, j) => BigInt(1_700_000_000_000 + i + j)),
    }));
  }
  out.input('m').end();
  t0 = performance.now();
  const [w] = await out.execute('INSERT INTO dst SELECT * FROM m;');
  await w.awaitTermination();
  const weirWriteMs = performance.now() - t0;
  await out.stop();
  if ((await client.xlen('weir_out')) !== N) throw new Error('the redis sink wrote another count');

  t0 = performance.now();
  for (let i = 0; i < N; i += CHUNK) {
    const tx = client.multi();
    for (let j = i; j < Math.min(N, i + CHUNK); j++) tx.xadd('client_out', '*', ...fields(j));
    await tx.exec();
  }
  const clientWriteMs = performance.now() - t0;
  client.disconnect();

  const rows = [
    ['redis source -> blackhole (Weir)', rate(N, weirReadMs)],
    ['XRANGE pages + field conversion (ioredis)', rate(N, clientReadMs)],
    ['redis sink, MULTI/EXEC per batch (Weir)', rate(N, weirWriteMs)],
    ['XADD in MULTI/EXEC of 100 000 (ioredis)', rate(N, clientWriteMs)],
    ['pipelined XADD, 10 000 a round trip (ioredis)', rate(N, appendMs)],
  ];
  console.log(`redis-server ${port}, ${fmt(N)} entries`);
  for (const [what, r] of rows) console.log(`${what.padEnd(48)} ${fmt(r).padStart(10)} rows/s`);
  console.log(`read: Weir/ioredis ${(rows[0][1] / rows[1][1]).toFixed(2)}; write: Weir/ioredis ${(rows[2][1] / rows[3][1]).toFixed(2)}`);
} finally {
  server.kill('SIGTERM');
}
