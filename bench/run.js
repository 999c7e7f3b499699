#!/usr/bin/env node
/**
 * `npm run bench`: Nexmark q0–q2 through the Engine (generator included, blackhole sink, one
 * process), next to DuckDB running the same SQL over the same generated bid rows.
 *
 *   node bench/run.js [--events N] [--queries q0,q1,q2] [--runs R] [--no-duckdb] [--duckdb-threads T]
 *
 * Each Weir run is a child process of its own (`--child`), so its peak RSS is the query's alone and
 * nothing one run leaves in the heap slows the next. Weir's time is from the INSERT's execute() to
 * the query's termination (the DDL is parsed before the clock starts). DuckDB's time is the query
 * alone (the load is excluded), materialised with CREATE TEMP TABLE AS; its events/s divides the same
 * number of generated events by that time.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '..', 'test', 'fixtures', 'nexmark');
const RATE = 10_000_000;
const ALL_QUERIES = ['q0', 'q1', 'q2', 'hop'];

/** DuckDB's text of each query, over a `bid` table with the bid view's columns. */
const DUCKDB_SQL = {
  q0: 'SELECT auction, bidder, price, dateTime, extra FROM bid',
  q1: 'SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)) AS price, dateTime, extra FROM bid',
  q2: 'SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0',
  // every (auction, 10 s window sliding by 2 s) with its bid count: the HOP aggregation inside q5
  hop: `SELECT auction, count(*) AS num, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime
        FROM (SELECT auction, unnest(generate_series(time_bucket(INTERVAL 2 SECOND, dateTime) - INTERVAL 8 SECOND,
                                                     time_bucket(INTERVAL 2 SECOND, dateTime), INTERVAL 2 SECOND)) AS ws FROM bid)
        GROUP BY auction, ws`,
};

function parseArgs(argv) {
  const args = { events: 2_000_000, queries: ALL_QUERIES, runs: 3, duckdb: true, duckdbThreads: 1, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--events') args.events = positive(a, value());
    else if (a === '--runs') args.runs = positive(a, value());
    else if (a === '--queries') args.queries = value().split(',').map((q) => q.trim()).filter(Boolean);
    else if (a === '--no-duckdb') args.duckdb = false;
    else if (a === '--duckdb-threads') args.duckdbThreads = positive(a, value());
    else if (a === '--child') args.child = value();
    else throw new Error(`unknown argument ${a}; usage: node bench/run.js [--events N] [--queries q0,q1] [--runs R] [--no-duckdb] [--duckdb-threads T]`);
  }
  for (const q of args.queries) if (!DUCKDB_SQL[q]) throw new Error(`unknown query ${q}; known: ${ALL_QUERIES.join(', ')}`);
  return args;
}

function positive(name, text) {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${text}`);
  return n;
}

/**
 * The windowed query of the bench: q5's inner HOP aggregation (bids per auction per 10 s window
 * sliding by 2 s), in append mode: each window is emitted once, when the watermark closes it.
 */
const HOP_QUERY = {
  sink: `CREATE TABLE hop_out (auction BIGINT, num BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3))
         WITH ('connector' = 'blackhole');`,
  insert: `INSERT INTO hop_out
           SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
           FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
           GROUP BY auction, window_start, window_end;`,
};

/** The benchmark's DDL and query text, with every sink rewritten to the blackhole connector. */
export function benchScript(query) {
  const read = (f) => readFileSync(path.join(FIXTURES, f), 'utf8');
  const ddl = `${read('ddl_gen.sql')};\n${read('ddl_views.sql')}`;
  if (query === 'hop') return { ddl: `${ddl}\n${HOP_QUERY.sink}`, insert: HOP_QUERY.insert };
  const text = read(`${query}.sql`).replace(/\)\s*WITH\s*\(([^;]*?)\)\s*;/gs, ") WITH ('connector' = 'blackhole');");
  const cut = text.search(/\bINSERT\s+INTO\b/i);
  return { ddl: `${ddl}\n${text.slice(0, cut)}`, insert: text.slice(cut) };
}

function settings(events) {
  return {
    TPS: String(RATE), EVENTS_NUM: String(events), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen',
  };
}

/** One Weir run, in this (child) process: prints {ms, maxRssKb} as JSON. */
async function child(query, events) {
  const { Engine } = await import('../dist/index.js');
  const { ddl, insert } = benchScript(query);
  const engine = new Engine({ settings: settings(events) });
  await engine.execute(ddl, { file: `${query}.sql` });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const [q] = await engine.execute(insert, { file: `${query}.sql` });
  await q.awaitTermination();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const result = { ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS };
  if (process.send) process.send(result);
  else console.log(JSON.stringify(result));
}

function runChild(query, events) {
  return new Promise((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', query, '--events', String(events)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    c.on('message', (m) => (result = m));
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${query} run exited with ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The bid rows of the first `events` events in a DuckDB table `bid` (not timed): the columns q0–q2
 * read (auction, bidder, price, dateTime, extra), from the very generator the Weir runs use.
 */
async function loadDuckDb(events, threads) {
  const duck = await import('@duckdb/node-api');
  const { generateEvents, nexmarkConfig } = await import('../dist/connectors/nexmark/generator.js');
  const instance = await duck.DuckDBInstance.create(':memory:', { threads: String(threads) });
  const con = await instance.connect();
  await con.run('CREATE TABLE bid_raw (auction BIGINT, bidder BIGINT, price BIGINT, dt BIGINT, extra VARCHAR)');
  const appender = await con.createAppender('bid_raw');
  const types = [duck.BIGINT, duck.BIGINT, duck.BIGINT, duck.BIGINT, duck.VARCHAR];
  const config = nexmarkConfig({ firstEventRate: RATE, nextEventRate: RATE });
  // bid fields in the generator's order: auction, bidder, price, channel, url, dateTime, extra
  const fields = [0, 1, 2, 5, 6];
  const select = { person: false, auction: false, bid: true, fields: { bid: [0, 1, 2, 3, 4, 5, 6].map((k) => fields.includes(k)) } };
  const decoder = new TextDecoder();
  const CHUNK = 2048;
  const step = 100_000;
  const cols = types.map(() => []);
  const flush = () => {
    if (cols[0].length === 0) return;
    const chunk = duck.DuckDBDataChunk.create(types, cols[0].length);
    chunk.setColumns(cols);
    appender.appendDataChunk(chunk);
    for (const c of cols) c.length = 0;
  };
  for (let from = 0; from < events; from += step) {
    const g = generateEvents(config, from, Math.min(events, from + step), select);
    const kids = fields.map((k) => g.bid.children[k]);
    const type = g.eventType.values;
    const extra = kids[4];
    for (let i = 0; i < g.length; i++) {
      if (type[i] !== 2) continue;
      for (let c = 0; c < 4; c++) cols[c].push(kids[c].values[i]);
      cols[4].push(decoder.decode(extra.values.subarray(extra.valueOffsets[i], extra.valueOffsets[i + 1])));
      if (cols[0].length === CHUNK) flush();
    }
  }
  flush();
  appender.closeSync();
  await con.run('CREATE TABLE bid AS SELECT auction, bidder, price, epoch_ms(dt) AS dateTime, extra FROM bid_raw');
  await con.run('DROP TABLE bid_raw');
  return { instance, con };
}

async function duckDbTimes(con, query, runs) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await con.run(`CREATE TEMP TABLE result_${query} AS ${DUCKDB_SQL[query]}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await con.run(`DROP TABLE result_${query}`);
  }
  return times;
}

const fmtRate = (x) => (x === undefined ? '–' : `${(x / 1e6).toFixed(2)} M`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args.child, args.events);

  console.log(`Nexmark q0–q2 and a HOP window aggregation: ${args.events.toLocaleString('en-US')} events at ${RATE.toLocaleString('en-US')} events/s, ` +
    `${args.runs} runs each; Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
  const weir = {};
  for (const q of args.queries) {
    const runs = [];
    for (let r = 0; r < args.runs; r++) {
      const res = await runChild(q, args.events);
      runs.push(res);
      console.log(`  weir ${q} run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s, ${fmtRate((args.events / res.ms) * 1000)} events/s, ` +
        `CPU ${(res.cpuMs / 1000).toFixed(2)} s, peak RSS ${Math.round(res.maxRssKb / 1024)} MB`);
    }
    weir[q] = {
      rate: (args.events / median(runs.map((x) => x.ms))) * 1000,
      cpuRate: (args.events / median(runs.map((x) => x.cpuMs))) * 1000,
      rssMb: Math.max(...runs.map((x) => x.maxRssKb)) / 1024,
    };
  }

  const duck = {};
  if (args.duckdb) {
    const t0 = Date.now();
    const { con } = await loadDuckDb(args.events, args.duckdbThreads);
    console.log(`  duckdb: loaded the bid rows in ${((Date.now() - t0) / 1000).toFixed(1)} s (threads=${args.duckdbThreads}; not timed)`);
    for (const q of args.queries) {
      const times = await duckDbTimes(con, q, args.runs);
      duck[q] = (args.events / median(times)) * 1000;
      console.log(`  duckdb ${q}: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
    }
    con.closeSync?.();
  }

  const rows = args.queries.map((q) => [
    q, fmtRate(weir[q].rate), `${Math.round(weir[q].rssMb)} MB`, fmtRate(duck[q]),
    duck[q] ? (weir[q].rate / duck[q]).toFixed(3) : '–', fmtRate(weir[q].cpuRate),
  ]);
  // events per CPU-second: less sensitive than wall time to other processes sharing the machine
  const head = ['query', `weir events/s (median of ${args.runs})`, 'peak RSS', 'duckdb events/s', 'weir/duckdb', 'weir events/CPU-s'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells) => `| ${cells.map((c, k) => c.padEnd(widths[k])).join(' | ')} |`;
  console.log(`\nload average after: ${os.loadavg()[0].toFixed(1)}`);
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
