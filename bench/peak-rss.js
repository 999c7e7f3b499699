#!/usr/bin/env node
/**
 * Peak RSS of Nexmark queries as the benchmark's SQL has them: the blackhole sink, nothing reading
 * the output. `bench/run.js` measures with its checksum on every output batch (a foreach-batch sink),
 * which slows a query down and so lets the collector keep up: there q23 peaked at 383–397 MB at 2 M
 * events, here at 387–436 before join sides released the blocks they read back, 367–397 after
 * (issue 12 item 3; bench/README.md). Each query runs in a process of its
 * own; the generator builds every field (full mode).
 *
 *   npm run build && node bench/peak-rss.js [--queries q16,q23] [--events 2000000] [--events-per-batch N]
 *
 * `--events-per-batch` sets the generator's `source.max-events-per-batch` (default 10 000).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchScript, settings } from './run.js';

const ALL = Array.from({ length: 24 }, (_, i) => `q${i}`);

async function child(query, events, perBatch) {
  const { Engine } = await import('../dist/index.js');
  const { ddl, insert } = benchScript(query);
  const perBatchOption = perBatch ? ` 'source.max-events-per-batch' = '${perBatch}',` : '';
  const full = ddl.replace("'connector' = 'nexmark',", `'connector' = 'nexmark', 'generator.mode' = 'full',${perBatchOption}`);
  if (full === ddl) throw new Error(`${query}: cannot set the generator's full mode`);
  // the bench's settings at 10 M events/s for every query (bench/run.js runs q6 at 1 000 for its checksum's sake)
  const engine = new Engine({ settings: settings(events) });
  await engine.execute(full, { file: `${query}.sql` });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const [q] = await engine.execute(insert, { file: `${query}.sql` });
  await q.awaitTermination();
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ query, ms: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

function main() {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(name); return i < 0 ? dflt : argv[i + 1]; };
  const events = Number(opt('--events', '2000000').replace(/_/g, ''));
  const perBatch = opt('--events-per-batch', undefined);
  if (argv[0] === '--child') return child(argv[1], events, perBatch);
  const queries = opt('--queries', ALL.join(',')).split(',');
  console.log(`peak RSS, blackhole sink, ${events.toLocaleString('en-US')} events${perBatch ? `, ${perBatch} a batch` : ''}, full-field generator (node ${process.version})`);
  for (const q of queries) {
    const args = ['--child', q, '--events', String(events), ...(perBatch ? ['--events-per-batch', perBatch] : [])];
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    console.log(`${q.padEnd(4)} ${String(r.peakRssMb).padStart(4)} MB  ${(r.ms / 1000).toFixed(1)} s  CPU ${(r.cpuMs / 1000).toFixed(1)} s${r.peakRssMb > 400 ? '  (over 400 MB)' : ''}`);
  }
}

await main();
