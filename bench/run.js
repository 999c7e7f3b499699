#!/usr/bin/env node
/**
 * `npm run bench`: every Nexmark query (q0–q23, q6 with its rownum filter one level out, plus `hop`,
 * q5's HOP aggregation alone, `over`, OVER aggregates per auction over a 10 s RANGE, and `semi` / `anti`, window
 * semi and anti joins of bids and auctions, and `wtopn`, the top 3 bids of each 10 s tumbling window) through the Engine (generator included, blackhole sink), next to
 * DuckDB running the same query (bench/nexmark-duckdb.js, the texts the oracle tests check) over
 * the same generated rows.
 *
 *   node bench/run.js [--queries q0,q5,hop] [--runs R] [--events N] [--generator full|pruned] [--no-duckdb]
 *                     [--duckdb-threads T] [--ui] [--parallelism N]
 *
 * `--parallelism N` runs each query with SET 'parallelism' = 'N' (its tasks on N worker threads); the
 * events/s column is then per wall second (the CPU-s column adds up every thread's time), and the
 * checksum is still checked against DuckDB.
 *
 * `--generator full` (the default) generates every field of every event, each string drawn per
 * character as the reference generator builds it ('generator.mode' = 'full'): the mode whose figures
 * may stand beside other systems' published ones. `--generator pruned` generates only the fields a
 * query reads, strings copied from pre-drawn text: faster, and labelled so in the table.
 *
 * Every run is checked: the sink is a foreach-batch sink summing the result's rows and a checksum
 * (bench/checksum.js; its own time, measured around each call, is taken out of the run's times),
 * and with DuckDB both must equal DuckDB's over the same events (q12 reads processing time, which
 * DuckDB's load only models: its checksum is reported, not compared). A mismatch fails the bench.
 *
 * `--ui` runs each query also with the dashboard serving (engine.serveDashboard; a process of its
 * own reads /events and scrapes /metrics every second, as a page and Prometheus would), alternating
 * runs with and without it, and reports what the dashboard costs the query's process.
 *
 * Each Weir run is a child process of its own (`--child`), so its peak RSS is the query's alone and
 * nothing one run leaves in the heap slows the next. Weir's time is from the INSERT's execute() to
 * the query's termination (the DDL is parsed before the clock starts). A query that fails (not
 * supported in this tree) is reported as failed and the run goes on. DuckDB's time is the query
 * alone (the load is excluded), materialised with CREATE TEMP TABLE AS; its events/s divides the same
 * number of generated events by that time.
 */
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { addArrowBatch, Checksum, duckTableChecksum } from './checksum.js';
import { loadNexmark, NEXMARK_DUCKDB, sideInputCsv, SUITE_QUERIES } from './nexmark-duckdb.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '..', 'test', 'fixtures', 'nexmark');
const RATE = 10_000_000;
const ALL_QUERIES = [...SUITE_QUERIES, 'hop', 'over', 'semi', 'anti', 'wtopn'];
const DEFAULT_EVENTS = 2_000_000;
/**
 * Fewer events for the queries that do more per event, so that each run takes a few seconds on one
 * core: q16 keeps COUNT DISTINCT sets per channel and day, q23's output is several rows per bid (its
 * regular joins match every bid of a bidder with every auction it sells), q10 writes CSV files.
 */
const EVENTS_BY_QUERY = { q10: 1_000_000, q16: 500_000, q23: 500_000 };

function parseArgs(argv) {
  const args = { events: undefined, queries: ALL_QUERIES, runs: 3, duckdb: true, duckdbThreads: 1, child: undefined, ui: false, generator: 'full', parallelism: 1 };
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
    else if (a === '--ui') args.ui = true;
    else if (a === '--generator') args.generator = value();
    else if (a === '--parallelism') args.parallelism = positive(a, value());
    else {
      throw new Error(`unknown argument ${a}; usage: node bench/run.js [--queries q0,q5,hop] [--runs R] [--events N] ` +
        '[--generator full|pruned] [--no-duckdb] [--duckdb-threads T] [--ui] [--parallelism N]');
    }
  }
  if (args.generator !== 'full' && args.generator !== 'pruned') throw new Error(`--generator must be full or pruned, got ${args.generator}`);
  for (const q of args.queries) if (!NEXMARK_DUCKDB[q]) throw new Error(`unknown query ${q}; known: ${ALL_QUERIES.join(', ')}`);
  return args;
}

function positive(name, text) {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${text}`);
  return n;
}

const eventsOf = (q, args) => args.events ?? EVENTS_BY_QUERY[q] ?? DEFAULT_EVENTS;

/**
 * Event rates of their own (the generator's TPS: event time, not pacing): at 10 M events/s the
 * watermark's 4 s delay holds back every event of a run, so `over` runs at 10 000 events/s, where
 * its RANGE frame (10 s) and the delay hold some 14 s of bids and the rest of the stream passes
 * through: its state is flat. q6 runs at 1 000 events/s, where every event has a millisecond of its
 * own: its Top-N and its OVER frame order by time, and at higher rates rows of equal time make the
 * frames' members (and so the checksum) depend on arrival order, which DuckDB does not see. DuckDB
 * gets the same rows.
 */
const RATE_BY_QUERY = { over: 10_000, q6: 1_000, semi: 10_000, anti: 10_000, wtopn: 10_000 };
const rateOf = (q) => RATE_BY_QUERY[q] ?? RATE;

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

/**
 * The OVER query of the bench: per bid, the bids of its auction in the 10 s before it (count, max,
 * average price), as Flink's streaming OVER emits them when the watermark passes; its state is the
 * rows within 10 s of the watermark, flat however long the stream runs.
 */
const OVER_QUERY = {
  sink: `CREATE TABLE over_out (auction BIGINT, price BIGINT, dateTime TIMESTAMP(3), bids BIGINT, max_price BIGINT, avg_price DOUBLE)
         WITH ('connector' = 'blackhole');`,
  insert: `INSERT INTO over_out
           SELECT auction, price, dateTime, COUNT(*) OVER w, MAX(price) OVER w, AVG(price) OVER w FROM bid
           WINDOW w AS (PARTITION BY auction ORDER BY dateTime RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW);`,
};

/**
 * The window semi and anti joins of the bench (IN / NOT EXISTS with equal 10 s tumbling windows on
 * both sides): the bids whose bidder opened an auction in the bid's window, and the auctions that
 * got no bid in the window they were opened in. Each row is decided, and its state purged, when its
 * window closes: at 10 000 events/s (as `over`) the windows close during the run and the state stays
 * flat at about one window of rows.
 */
const TUMBLE_10S = (t) => `TABLE(TUMBLE(TABLE ${t}, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))`;
const SEMI_QUERY = {
  sink: `CREATE TABLE semi_out (auction BIGINT, bidder BIGINT, price BIGINT) WITH ('connector' = 'blackhole');`,
  insert: `INSERT INTO semi_out
           SELECT B.auction, B.bidder, B.price FROM ${TUMBLE_10S('bid')} B
           WHERE B.bidder IN (SELECT A.seller FROM ${TUMBLE_10S('auction')} A
                              WHERE A.window_start = B.window_start AND A.window_end = B.window_end);`,
};
const ANTI_QUERY = {
  sink: `CREATE TABLE anti_out (id BIGINT, seller BIGINT, category BIGINT) WITH ('connector' = 'blackhole');`,
  insert: `INSERT INTO anti_out
           SELECT A.id, A.seller, A.category FROM ${TUMBLE_10S('auction')} A
           WHERE NOT EXISTS (SELECT * FROM ${TUMBLE_10S('bid')} B
                             WHERE B.auction = A.id AND B.window_start = A.window_start AND B.window_end = A.window_end);`,
};

/**
 * The window Top-N of the bench: the 3 highest bids of each 10 s tumbling window, emitted once, when
 * the watermark closes the window; its state is the Top-N of the open windows (at 10 000 events/s,
 * as `over`, windows close during the run). Ties in price rank by bidder, then auction: rows that
 * tie on all three are equal in every column the sink gets, so the result does not depend on which
 * of them arrived first (DuckDB orders the same way).
 */
const WTOPN_QUERY = {
  sink: `CREATE TABLE wtopn_out (window_start TIMESTAMP(3), window_end TIMESTAMP(3), auction BIGINT, bidder BIGINT, price BIGINT, rn BIGINT)
         WITH ('connector' = 'blackhole');`,
  insert: `INSERT INTO wtopn_out
           SELECT * FROM (
             SELECT window_start, window_end, auction, bidder, price,
                    ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC, bidder, auction) AS rn
             FROM ${TUMBLE_10S('bid')})
           WHERE rn <= 3;`,
};

/**
 * The benchmark's DDL and query text, with the sink (the INSERT's table; q10's partitioned
 * filesystem table too) rewritten to the blackhole connector. Other tables (q13's side input) keep
 * their options.
 */
export function benchScript(query) {
  const read = (f) => readFileSync(path.join(FIXTURES, f), 'utf8');
  const ddl = `${read('ddl_gen.sql')};\n${read('ddl_views.sql')}`;
  if (query === 'hop') return { ddl: `${ddl}\n${HOP_QUERY.sink}`, insert: HOP_QUERY.insert };
  if (query === 'over') return { ddl: `${ddl}\n${OVER_QUERY.sink}`, insert: OVER_QUERY.insert };
  if (query === 'semi') return { ddl: `${ddl}\n${SEMI_QUERY.sink}`, insert: SEMI_QUERY.insert };
  if (query === 'anti') return { ddl: `${ddl}\n${ANTI_QUERY.sink}`, insert: ANTI_QUERY.insert };
  if (query === 'wtopn') return { ddl: `${ddl}\n${WTOPN_QUERY.sink}`, insert: WTOPN_QUERY.insert };
  const text = read(`${query}.sql`);
  const cut = text.search(/\bINSERT\s+INTO\b/i);
  const sink = /INSERT\s+INTO\s+(\w+)/i.exec(text)[1];
  const create = new RegExp(`(CREATE\\s+TABLE\\s+${sink}\\b[\\s\\S]*?\\)\\s*(?:PARTITIONED\\s+BY\\s*\\([^)]*\\)\\s*)?WITH\\s*\\()[^;]*?\\)\\s*;`, 'i');
  const head = text.slice(0, cut).replace(create, "$1'connector' = 'blackhole');");
  if (!head.includes("'connector' = 'blackhole');")) throw new Error(`${query}: cannot find the sink table ${sink}`);
  return { ddl: `${ddl}\n${head}`, insert: text.slice(cut) };
}

/** Where q13's side input lives: `${FLINK_HOME}/data/side_input.txt`, as the benchmark's DDL says. */
const SIDE_INPUT_HOME = path.join(os.tmpdir(), 'weir-bench-flink-home');

/** The benchmark's settings for `events` events at `rate` events/s (the SQL's ${…} variables). */
export function settings(events, rate = RATE) {
  return {
    TPS: String(rate), EVENTS_NUM: String(events), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen', FLINK_HOME: SIDE_INPUT_HOME, NEXMARK_DIR: path.join(os.tmpdir(), 'weir-bench-nexmark'), SUBMIT_TIME: 'bench',
  };
}

/**
 * What watches the dashboard in a `--ui` run, in a process of its own as a browser and Prometheus
 * would be: it reads /events and scrapes /metrics every second, and prints how many bytes of events
 * it read when told to stop.
 */
const WATCHER = `
  const http = require('node:http');
  const url = process.argv[1];
  let bytes = 0, scrapes = 0;
  http.get(url + 'events', (res) => res.on('data', (d) => { if (bytes === 0) process.send('ready'); bytes += d.length; })).on('error', () => {});
  setInterval(() => http.get(url + 'metrics', (res) => { res.resume(); res.on('end', () => scrapes++); }).on('error', () => {}), 1000);
  process.on('message', () => { process.send({ bytes, scrapes }); process.exit(0); });`;

/** The dashboard of a `--ui` run and its watcher; returns a function that stops both and tells what the watcher read. */
async function watchDashboard(engine) {
  const dashboard = await engine.serveDashboard({ port: 0 });
  const watcher = spawn(process.execPath, ['-e', WATCHER, dashboard.url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // connected (its snapshot read) before the query starts, as a page open beforehand would be
  await new Promise((resolve) => watcher.once('message', resolve));
  return async () => {
    const read = new Promise((resolve) => watcher.once('message', resolve));
    watcher.send('stop');
    const result = await read;
    await dashboard.close();
    return result;
  };
}

/**
 * The bench script as a run executes it: the blackhole sink becomes a foreach-batch sink (whose
 * function sums the checksum) and the generator runs in `generator` mode.
 */
function runScript(query, generator) {
  const { ddl, insert } = benchScript(query);
  const checked = ddl.replace("'connector' = 'blackhole');", "'connector' = 'foreach-batch');");
  const moded = checked.replace("'connector' = 'nexmark',", `'connector' = 'nexmark', 'generator.mode' = '${generator}',`);
  if (moded === checked || !checked.includes("'foreach-batch'")) throw new Error(`${query}: cannot set up the checked sink and the generator mode`);
  return { ddl: moded, insert, sink: /INSERT\s+INTO\s+(\w+)/i.exec(insert)[1] };
}

/** One Weir run, in this (child) process: sends {ms, cpuMs, maxRssKb, checksum, checkMs}, or {error}. */
async function child(query, events, ui, generator, parallelism = 1) {
  const send = (m) => (process.send ? process.send(m) : console.log(JSON.stringify(m)));
  try {
    const { Engine } = await import('../dist/index.js');
    const { ddl, insert, sink } = runScript(query, generator);
    const engine = new Engine({ settings: settings(events, rateOf(query)) });
    if (parallelism > 1) await engine.execute(`SET 'parallelism' = '${parallelism}';`);
    const checksum = new Checksum();
    let checkNs = 0n;
    engine.foreachBatch(sink, (batch) => {
      const t = process.hrtime.bigint();
      addArrowBatch(checksum, batch);
      checkNs += process.hrtime.bigint() - t;
    });
    await engine.execute(ddl, { file: `${query}.sql` });
    const stopWatching = ui ? await watchDashboard(engine) : undefined;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const [q] = await engine.execute(insert, { file: `${query}.sql` });
    // the state held over time (rows of every stateful operator, sampled every 250 ms)
    const state = [];
    const sample = setInterval(() => {
      const ops = q.lastProgress?.stateOperators;
      if (ops) state.push(ops.reduce((a, o) => a + o.numRowsTotal, 0));
    }, 250);
    await q.awaitTermination();
    clearInterval(sample);
    // the checksum's own time is not the query's: taken out of both the wall and the CPU time
    const checkMs = Number(checkNs) / 1e6;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 - checkMs;
    const cpu = process.cpuUsage(cpu0);
    const watched = stopWatching ? await stopWatching() : undefined;
    if (ui && !(watched.bytes > 0 && watched.scrapes > 0)) throw new Error(`the dashboard's watcher read nothing: ${JSON.stringify(watched)}`);
    send({ ms, cpuMs: (cpu.user + cpu.system) / 1000 - checkMs, maxRssKb: process.resourceUsage().maxRSS, batches: q.lastProgress?.batchId + 1,
      eventBytes: watched?.bytes, scrapes: watched?.scrapes, checksum: checksum.toJSON(), checkMs, state });
  } catch (e) {
    // a WeirError's FILE:LINE:COLUMN form when it has one
    const text = typeof e?.format === 'function' ? e.format(`${query}.sql`) : e instanceof Error ? e.message : String(e);
    send({ error: text.split('\n')[0] });
    process.exitCode = 1;
  }
}

function runChild(query, events, generator, ui = false, parallelism = 1) {
  return new Promise((resolve) => {
    const c = fork(fileURLToPath(import.meta.url), ['--child', query, '--events', String(events), '--generator', generator, '--parallelism', String(parallelism), ...(ui ? ['--ui'] : [])], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let result;
    let stderr = '';
    c.stderr.on('data', (d) => { stderr += d.toString(); });
    c.on('message', (m) => (result = m));
    c.on('error', (e) => resolve({ error: e.message }));
    c.on('exit', (code, signal) => {
      if (result && code === 0 && !result.error) resolve(result);
      else resolve({ error: result?.error ?? (`exited with ${signal ?? code}: ${stderr.trim().split('\n').pop() ?? ''}`) });
    });
  });
}

/** The state samples at a quarter, half, three quarters and the end of a run: flat, or growing. */
const stateCurve = (xs) => `[${[0.25, 0.5, 0.75, 1].map((f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length) - (f === 1 ? 1 : 0))].toLocaleString('en-US')).join(', ')}]`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** DuckDB's times for `query`, and the checksum of its result (from the first run, untimed). */
async function duckDbTimes(con, query, runs) {
  const times = [];
  let checksum;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await con.run(`CREATE TEMP TABLE result_${query} AS ${NEXMARK_DUCKDB[query].sql}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    checksum ??= await duckTableChecksum(con, `result_${query}`);
    await con.run(`DROP TABLE result_${query}`);
  }
  return { times, checksum };
}

/**
 * DuckDB over the same rows: per distinct event count, one load of the tables the queries read
 * (not timed), then each query `runs` times. q12's processing time is each row's event time (as if
 * the source were paced at its rate), so its windows hold as many rows as Weir's.
 */
async function runDuckDb(queries, args) {
  const duck = await import('@duckdb/node-api');
  const { generateEvents, nexmarkConfig } = await import('../dist/connectors/nexmark/generator.js');
  const out = {};
  const byEvents = new Map();
  const loadKey = (q) => `${eventsOf(q, args)} ${rateOf(q)}`;
  for (const q of queries) byEvents.set(loadKey(q), [...(byEvents.get(loadKey(q)) ?? []), q]);
  for (const [key, qs] of [...byEvents].sort((a, b) => parseInt(a[0], 10) - parseInt(b[0], 10))) {
    const [events, rate] = key.split(' ').map(Number);
    const config = nexmarkConfig({ firstEventRate: rate, nextEventRate: rate });
    const instance = await duck.DuckDBInstance.create(':memory:', { threads: String(args.duckdbThreads) });
    const con = await instance.connect();
    const tables = [...new Set(qs.flatMap((q) => NEXMARK_DUCKDB[q].tables))];
    const t0 = Date.now();
    const procTime = qs.some((q) => NEXMARK_DUCKDB[q].procTime) ? (_i, t) => t : undefined;
    await loadNexmark(con, { generateEvents, config, events, tables, procTime });
    console.log(`  duckdb: loaded ${tables.join(', ')} of ${events.toLocaleString('en-US')} events in ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s (threads=${args.duckdbThreads}; not timed)`);
    for (const q of qs) {
      try {
        const { times, checksum } = await duckDbTimes(con, q, args.runs);
        out[q] = { rate: (events / median(times)) * 1000, checksum };
        console.log(`  duckdb ${q}: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`);
      } catch (e) {
        out[q] = { error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
        console.log(`  duckdb ${q}: failed: ${out[q].error}`);
      }
    }
    con.closeSync();
    instance.closeSync();
  }
  return out;
}

const fmtRate = (x) => (x === undefined ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${Math.round(x / 1e3)} K`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.child) return child(args.child, args.events, args.ui, args.generator, args.parallelism);

  mkdirSync(path.join(SIDE_INPUT_HOME, 'data'), { recursive: true });
  writeFileSync(path.join(SIDE_INPUT_HOME, 'data', 'side_input.txt'), sideInputCsv());
  const started = Date.now();
  const load0 = os.loadavg()[0];
  console.log(`Nexmark ${args.queries.join(', ')} at ${RATE.toLocaleString('en-US')} events/s, ${args.runs} run(s) each; ` +
    `Node ${process.version}, ${os.cpus().length} CPUs, load average ${load0.toFixed(1)}${args.parallelism > 1 ? `; SET 'parallelism' = '${args.parallelism}'` : ''}`);
  console.log(`events per query: ${args.queries.map((q) => `${q} ${eventsOf(q, args).toLocaleString('en-US')}`).join(', ')}`);
  const weir = {};
  for (const q of args.queries) {
    const events = eventsOf(q, args);
    const runs = [];
    const uiRuns = [];
    for (let r = 0; r < args.runs; r++) {
      // with --ui, runs with and without the dashboard alternate, in turns (ABBA), so that a load
      // that grows or shrinks during the bench weighs on both alike
      for (const ui of args.ui ? (r % 2 === 0 ? [false, true] : [true, false]) : [false]) {
        const res = await runChild(q, events, args.generator, ui, args.parallelism);
        if (res.error) {
          console.log(`  weir ${q}${ui ? ' --ui' : ''}: failed: ${res.error}`);
          weir[q] = { error: res.error };
          break;
        }
        (ui ? uiRuns : runs).push(res);
        console.log(`  weir ${q}${ui ? ' --ui' : ''} run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s, ${fmtRate((events / res.ms) * 1000)} events/s, ` +
          `CPU ${(res.cpuMs / 1000).toFixed(2)} s, peak RSS ${Math.round(res.maxRssKb / 1024)} MB, ` +
          `${res.checksum.rows.toLocaleString('en-US')} rows, checksum ${res.checksum.sum} (${(res.checkMs / 1000).toFixed(2)} s, not counted)` +
          (res.state?.length > 0 ? `, state rows over time ${stateCurve(res.state)}` : '') +
          (ui ? `, ${res.batches} batches, ${Math.round(res.eventBytes / 1024)} KiB of events read, ${res.scrapes} scrapes` : ''));
      }
      if (weir[q]?.error) break;
    }
    if (weir[q]?.error) continue;
    weir[q] = {
      rate: (events / median(runs.map((x) => x.ms))) * 1000,
      cpuRate: (events / median(runs.map((x) => x.cpuMs))) * 1000,
      rssMb: Math.max(...runs.map((x) => x.maxRssKb)) / 1024,
      checksums: [...runs, ...uiRuns].map((x) => x.checksum),
      ...(args.ui ? { uiRate: (events / median(uiRuns.map((x) => x.ms))) * 1000, uiCpuRate: (events / median(uiRuns.map((x) => x.cpuMs))) * 1000 } : {}),
    };
  }
  if (args.ui) {
    console.log('\nthe dashboard\'s cost to the query\'s process (serving /events to a client, /metrics scraped every second; medians):');
    for (const q of args.queries) {
      const w = weir[q];
      if (w.error) continue;
      const cost = (a, b) => `${(((a - b) / a) * 100).toFixed(1)} %`;
      console.log(`  ${q}: ${fmtRate(w.rate)} events/s without, ${fmtRate(w.uiRate)} with (${cost(w.rate, w.uiRate)} slower); ` +
        `per CPU-s ${fmtRate(w.cpuRate)} without, ${fmtRate(w.uiCpuRate)} with (${cost(w.cpuRate, w.uiCpuRate)})`);
    }
  }

  const duck = args.duckdb ? await runDuckDb(args.queries, args) : {};
  const checks = Object.fromEntries(args.queries.map((q) => [q, checkResult(q, weir[q], duck[q])]));

  const rows = args.queries.map((q) => {
    const w = weir[q];
    const d = duck[q];
    const failed = w.error !== undefined;
    return [
      q, eventsOf(q, args).toLocaleString('en-US'), failed ? 'failed' : fmtRate(w.rate), failed ? '–' : fmtRate(w.cpuRate),
      failed ? '–' : `${Math.round(w.rssMb)} MB`, d?.error ? 'failed' : fmtRate(d?.rate),
      !failed && d?.rate ? (w.rate / d.rate).toFixed(3) : '–', checks[q].text,
    ];
  });
  // events per CPU-second: less sensitive than wall time to other processes sharing the machine
  const head = ['query', 'events', `weir events/s (median of ${args.runs})`, 'weir events/CPU-s', 'peak RSS', 'duckdb events/s', 'weir/duckdb', 'result check'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells) => `| ${cells.map((c, k) => c.padEnd(widths[k])).join(' | ')} |`;
  console.log(`\ngenerator: ${args.generator === 'full'
    ? 'full-field (every field of every event, strings drawn as the reference generator draws them: comparable with published figures)'
    : 'PRUNED (only the fields each query reads: not comparable with other systems\' figures)'}`);
  console.log(`load average before ${load0.toFixed(1)}, after ${os.loadavg()[0].toFixed(1)}; ` +
    `${((Date.now() - started) / 60_000).toFixed(1)} min in all`);
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  const wrong = args.queries.filter((q) => checks[q].wrong);
  if (wrong.length > 0) {
    console.log(`\nresults that do not check out: ${wrong.map((q) => `${q} (${checks[q].text})`).join(', ')}`);
    process.exitCode = 1;
  }
  const failures = args.queries.filter((q) => weir[q].error);
  if (failures.length > 0) {
    console.log('\nfailed in this tree:');
    for (const q of failures) console.log(`  ${q}: ${weir[q].error}`);
  }
}

/**
 * A query's result check: every Weir run left the same rows and checksum, and they are DuckDB's
 * (when DuckDB ran; q12's processing-time windows are compared by count of runs only).
 */
function checkResult(q, w, d) {
  if (w.error) return { text: '–', wrong: false };
  const [first, ...others] = w.checksums;
  const same = (a, b) => a.rows === b.rows && a.sum === b.sum;
  const rows = `${first.rows.toLocaleString('en-US')} rows`;
  if (others.some((c) => !same(c, first))) return { text: `runs differ: ${w.checksums.map((c) => `${c.rows}/${c.sum}`).join(' ')}`, wrong: true };
  if (!d?.checksum) return { text: `${rows}, runs agree`, wrong: false };
  if (NEXMARK_DUCKDB[q].procTime) return { text: `${rows} (processing time: not compared)`, wrong: false };
  if (!same(first, d.checksum)) return { text: `≠ duckdb: ${first.rows}/${first.sum} vs ${d.checksum.rows}/${d.checksum.sum}`, wrong: true };
  return { text: `${rows} = duckdb`, wrong: false };
}

// run only as a script: importing the module (for benchScript) starts nothing
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  });
}
