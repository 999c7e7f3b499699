#!/usr/bin/env node
/**
 * The nats connector's throughput beside the NATS client's own, on the same machine and server, in
 * one run (run `npm run build` first: this imports ../../dist/index.js):
 *
 *   node bench/connectors/nats.js [--messages N]   (default 500 000)
 *
 * Starts its own nats-server (-js, a temp store, a free loopback port), then:
 *  1. the client publishes N small JSON messages to a stream (pipelined, acks awaited): publish rate;
 *  2. Weir reads them, source -> blackhole, trigger available-now: events/s;
 *  3. the client reads the same messages with an ordered consumer and JSON.parse: consume rate;
 *  4. Weir writes N rows from a memory table to the nats sink (message id + batch headers, acks
 *     awaited): rows/s; beside it the client publishing the same with a message id and headers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fmt, freePort, rate, waitForPort } from './net.js';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect, headers } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Engine } from '../../dist/index.js';

const args = process.argv.slice(2);
const N = args[0] === '--messages' ? Number(args[1]) : 500_000;
const BINARY = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));
if (!BINARY) throw new Error("nats-server not found: apt-get install nats-server");
const IN_FLIGHT = 2048;


/** Publish with at most IN_FLIGHT acks outstanding. */
async function publishAll(js, subject, n, make, opts) {
  const inFlight = new Set();
  for (let i = 0; i < n; i++) {
    const p = js.publish(subject, make(i), opts?.(i));
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => undefined);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/** The client's own reading: an ordered consumer from the first message, JSON.parse each. */
async function consumeAll(js, n) {
  const consumer = await js.consumers.get('BENCH', { filter_subjects: 'bench.in' });
  const messages = await consumer.consume({ max_messages: 4096 });
  let seen = 0;
  let sum = 0;
  for await (const m of messages) {
    sum += JSON.parse(m.string()).id;
    if (++seen === n) break;
  }
  await consumer.delete().catch(() => undefined);
  return sum;
}

const port = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), 'weir-nats-bench-'));
const server = spawn(BINARY, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
const url = `nats://127.0.0.1:${port}`;
try {
  await waitForPort(port);
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'] });
  const enc = new TextEncoder();
  const payload = (i) => enc.encode(JSON.stringify({ id: i, user: `u${i % 1000}`, price: (i % 977) * 1.25, ts: 1_700_000_000_000 + i }));

  // 1. the client's publish rate
  let t0 = performance.now();
  await publishAll(js, 'bench.in', N, payload);
  const publishMs = performance.now() - t0;

  // warm-up, untimed: the server reads its store once, so neither reader below pays for a cold one
  await consumeAll(js, N);

  // 2. Weir: nats source -> blackhole
  const engine = new Engine({ settings: { trigger: 'available-now' } });
  await engine.execute(`
    CREATE TABLE src (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT)
      WITH ('connector' = 'nats', 'servers' = '${url}', 'stream' = 'BENCH', 'subject' = 'bench.in', 'format' = 'json');
    CREATE TABLE sink (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT) WITH ('connector' = 'blackhole');`);
  t0 = performance.now();
  const [q] = await engine.execute('INSERT INTO sink SELECT * FROM src;');
  await q.awaitTermination();
  const weirReadMs = performance.now() - t0;
  const readRows = q.recentProgress.reduce((n, p) => n + p.numInputRows, 0);
  await engine.stop();
  if (readRows !== N) throw new Error(`Weir read ${readRows} rows, expected ${N}`);

  // 3. the client's own consume rate: ordered consumer, JSON.parse each message
  t0 = performance.now();
  await consumeAll(js, N);
  const clientReadMs = performance.now() - t0;

  // 4. Weir: memory -> nats sink, beside the client publishing with id and headers
  const sinkEngine = new Engine({ memory: { maxUnconsumedRows: 200_000 } });
  const [sq] = await sinkEngine.execute(`
    CREATE TABLE rows_in (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT) WITH ('connector' = 'memory');
    CREATE TABLE out (id BIGINT, \`user\` STRING, price DOUBLE, ts BIGINT)
      WITH ('connector' = 'nats', 'servers' = '${url}', 'stream' = 'BENCH', 'subject' = 'bench.out');
    INSERT INTO out SELECT * FROM rows_in;`);
  const CHUNK = 50_000;
  const rows = Array.from({ length: CHUNK }, (_, i) => ({ id: i, user: `u${i % 1000}`, price: (i % 977) * 1.25, ts: 1_700_000_000_000 + i }));
  t0 = performance.now();
  for (let done = 0; done < N; done += CHUNK) await sinkEngine.input('rows_in').write(done + CHUNK <= N ? rows : rows.slice(0, N - done));
  sinkEngine.input('rows_in').end();
  await sq.awaitTermination();
  const weirWriteMs = performance.now() - t0;
  await sinkEngine.stop();
  const written = (await jsm.streams.info('BENCH', { subjects_filter: 'bench.out' })).state.subjects?.['bench.out'];
  if (written !== N) throw new Error(`the sink wrote ${written} messages, expected ${N}`);

  t0 = performance.now();
  await publishAll(js, 'bench.client', N, payload, (i) => {
    const h = headers();
    h.set('Weir-Batch', 'x:0');
    return { msgID: `x:0:${i}`, headers: h };
  });
  const clientIdMs = performance.now() - t0;
  await nc.close();

  console.log(`nats connector, ${fmt(N)} JSON messages of ~80 bytes (nats-server ${url}, one process)`);
  console.log(`  read   Weir source -> blackhole (available-now)   ${fmt(rate(N, weirReadMs)).padStart(10)} events/s  (${(weirReadMs / 1000).toFixed(2)} s)`);
  console.log(`         client ordered consumer + JSON.parse       ${fmt(rate(N, clientReadMs)).padStart(10)} msgs/s    (${(clientReadMs / 1000).toFixed(2)} s)`);
  console.log(`  write  Weir memory -> nats sink (id + headers)    ${fmt(rate(N, weirWriteMs)).padStart(10)} rows/s    (${(weirWriteMs / 1000).toFixed(2)} s)`);
  console.log(`         client publish, id + headers              ${fmt(rate(N, clientIdMs)).padStart(10)} msgs/s    (${(clientIdMs / 1000).toFixed(2)} s)`);
  console.log(`         client publish, plain                     ${fmt(rate(N, publishMs)).padStart(10)} msgs/s    (${(publishMs / 1000).toFixed(2)} s)`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
