#!/usr/bin/env node
/**
 * File formats beside DuckDB: Nexmark bids (every field) written by Weir to JSON Lines and CSV files
 * through the filesystem sink (timed: the sinks' rows/s, generation included), then
 *   SELECT auction, COUNT(*), MAX(price) FROM bid GROUP BY auction
 * over those files by Weir (a bounded filesystem source, the result in a memory table) and by DuckDB
 * (`SET threads = 1`, read_json / read_csv of the same files), in the same run, each `--runs` times;
 * the medians and their ratio are printed and the two results must be equal (row by row). The
 * writers alone: the format's encode (the bytes the file sink writes) over the bids read back, beside
 * DuckDB's COPY TO of the same rows. A file copy: a query reading every column of the files and
 * writing them to new files of the same format, beside DuckDB's COPY from the files to a file, both
 * checked (checksums of every column of the output against the input). JSON, CSV and Parquet, in
 * and out. The aggregation once more over the CSV bids as one file quoting every cell, with a header.
 *
 *   npm run build && node bench/files.js [--events 2000000] [--runs 3] [--dir /tmp/weir-files]
 *
 * 2 M events hold 1.84 M bids (46 of every 50 events).
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, '..', 'test', 'fixtures', 'nexmark');

function parseArgs(argv) {
  const args = { events: 2_000_000, runs: 3, dir: path.join(os.tmpdir(), 'weir-bench-files') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--events') { args.events = Number(v.replace(/_/g, '')); i++; }
    else if (argv[i] === '--runs') { args.runs = Number(v); i++; }
    else if (argv[i] === '--dir') { args.dir = v; i++; }
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

const BID_COLUMNS = 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, dateTime TIMESTAMP(3), extra VARCHAR';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function settings(events, dir) {
  return {
    TPS: '10000000', EVENTS_NUM: String(events), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen', FLINK_HOME: dir, NEXMARK_DIR: dir, SUBMIT_TIME: 'bench',
  };
}

/** Bids of `events` Nexmark events into `dir/<format>` by a Weir query: {ms, rows}. */
async function writeBids(Engine, events, dir, format) {
  const out = path.join(dir, format);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const read = (f) => readFileSync(path.join(FIXTURES, f), 'utf8');
  const engine = new Engine({ settings: settings(events, dir) });
  await engine.execute(`${read('ddl_gen.sql')};\n${read('ddl_views.sql')}
    CREATE TABLE bid_out (${BID_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = '${format}');`);
  // every batch's progress, counted as it comes (recentProgress keeps only the last hundred batches,
  // and a run of 2 M events has two hundred)
  let rows = 0;
  engine.addListener((e) => { if (e.type === 'progress') rows += e.progress.sink?.numOutputRows ?? e.progress.numOutputRows ?? 0; });
  const t0 = performance.now();
  const [q] = await engine.execute('INSERT INTO bid_out SELECT auction, bidder, price, channel, url, dateTime, extra FROM bid;');
  await q.awaitTermination();
  const ms = performance.now() - t0;
  await engine.stop();
  return { ms, rows };
}

/** Weir's aggregation over the files of `dir`: {ms, rows}. */
async function weirAggregate(Engine, dir, format, options = '') {
  const engine = new Engine();
  const [q] = await engine.execute(`
    CREATE TABLE bid (${BID_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}'${options});
    CREATE TABLE agg (auction BIGINT, n BIGINT, max_price BIGINT, PRIMARY KEY (auction) NOT ENFORCED) WITH ('connector' = 'memory');
    INSERT INTO agg SELECT auction, COUNT(*), MAX(price) FROM bid GROUP BY auction;`);
  const t0 = performance.now();
  await q.awaitTermination();
  const ms = performance.now() - t0;
  const rows = engine.output('agg').rows();
  // stopped, so that its 120 K groups do not stay in the heap the next measurements run in
  await engine.stop();
  return { ms, rows };
}

async function duckAggregate(con, dir, format, from = undefined) {
  const glob = path.join(dir, `part-*.${format}`);
  from ??= format === 'json'
    ? `read_json('${glob}', format = 'newline_delimited')`
    : format === 'parquet' ? `read_parquet('${glob}')`
    : `read_csv('${glob}', header = false, columns = {'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'url': 'VARCHAR', 'dateTime': 'TIMESTAMP', 'extra': 'VARCHAR'})`;
  const t0 = performance.now();
  const reader = await con.runAndReadAll(`SELECT auction, COUNT(*) AS n, MAX(price) AS max_price FROM ${from} GROUP BY auction`);
  const ms = performance.now() - t0;
  return { ms, rows: reader.getRowObjects() };
}

/** DuckDB's reader of the part files of `dir` in `format`, every bid column typed as the DDL types it. */
function duckFrom(dir, format) {
  const glob = path.join(dir, `part-*.${format}`);
  const columns = `{'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'url': 'VARCHAR', 'dateTime': 'TIMESTAMP', 'extra': 'VARCHAR'}`;
  return format === 'json' ? `read_json('${glob}', format = 'newline_delimited', columns = ${columns})`
    : format === 'parquet' ? `read_parquet('${glob}')`
    : `read_csv('${glob}', header = false, columns = ${columns})`;
}

/** Every column's checksum of the bids of `dir`, as DuckDB reads them: what a copy must keep. */
async function duckChecksum(con, dir, format) {
  const reader = await con.runAndReadAll(`SELECT count(*)::VARCHAR || ' ' || sum(auction)::VARCHAR || ' ' || sum(bidder)::VARCHAR || ' ' || sum(price)::VARCHAR
    || ' ' || sum(hash(channel) % 1000003)::VARCHAR || ' ' || sum(hash(url) % 1000003)::VARCHAR || ' ' || sum(epoch_ms(dateTime))::VARCHAR
    || ' ' || sum(hash(extra) % 1000003)::VARCHAR AS c FROM ${duckFrom(dir, format)}`);
  return reader.getRowObjects()[0].c;
}

/**
 * A query copying the bids of `dir` into new files of the same format (filesystem source, every
 * column, to the filesystem sink), timed to its end; beside it DuckDB's COPY of the same files
 * (read and written, one thread). Both outputs must hold the input's rows (checksums of every column).
 */
async function copyFiles(Engine, con, dir, format) {
  const out = path.join(path.dirname(dir), `${format}-copy`);
  rmSync(out, { recursive: true, force: true });
  const engine = new Engine();
  const [q] = await engine.execute(`
    CREATE TABLE bid (${BID_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = '${format}');
    CREATE TABLE bid_copy (${BID_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = '${format}');
    INSERT INTO bid_copy SELECT * FROM bid;`);
  const t0 = performance.now();
  await q.awaitTermination();
  const weirMs = performance.now() - t0;
  await engine.stop();
  const target = path.join(path.dirname(dir), `duck-copy.${format}`);
  const t1 = performance.now();
  await con.run(`COPY (SELECT * FROM ${duckFrom(dir, format)}) TO '${target}' (FORMAT ${format})`);
  const duckMs = performance.now() - t1;
  rmSync(target, { force: true });
  const want = await duckChecksum(con, dir, format);
  const got = await duckChecksum(con, out, format);
  rmSync(out, { recursive: true, force: true });
  return { weirMs, duckMs, check: got === want ? 'equal' : `the copy's checksum ${got}, the input's ${want}` };
}

/** The two results as sorted "auction n max" lines; the first difference, or undefined. */
function difference(weirRows, duckRows) {
  const norm = (rows) => rows.map((r) => `${BigInt(r.auction)} ${BigInt(r.n)} ${BigInt(r.max_price)}`).sort();
  const a = norm(weirRows);
  const b = norm(duckRows);
  if (a.length !== b.length) return `${a.length} groups from Weir, ${b.length} from DuckDB`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `Weir ${a[i]} / DuckDB ${b[i]}`;
  return undefined;
}

/**
 * The format's writer alone (what the file sink writes: encodeBuffer / encodeBytes) over the bids of
 * `dir` (written as `formatName`), read back with every column: rows/s, the median of `runs`. DuckDB's
 * COPY of the same rows to the same format beside it.
 */
async function encodeRate(dir, formatName, runs, con) {
  const { readTextFile } = await import('../dist/connectors/filesystem/read-text.js');
  const { formatFromOptions } = await import('../dist/connectors/formats/format.js');
  const { T } = await import('../dist/common/types.js');
  const schema = { columns: [
    ...['auction', 'bidder', 'price'].map((name) => ({ name, type: T.BIGINT, nullable: true })),
    { name: 'channel', type: T.VARCHAR, nullable: true }, { name: 'url', type: T.VARCHAR, nullable: true },
    { name: 'dateTime', type: T.TIMESTAMP, nullable: true }, { name: 'extra', type: T.VARCHAR, nullable: true },
  ] };
  const { format } = formatFromOptions(new Map([["format", formatName]]), new Map(), "filesystem");
  await format.load?.();
  const batches = [];
  for (const f of readdirSync(dir).filter((f) => f.startsWith('part-')).sort()) {
    if (format.binary) batches.push((await format.decodeBytes(readFileSync(path.join(dir, f)), schema, f)).batch);
    else for (const r of await readTextFile(path.join(dir, f), format.streamDecoder(schema, f), 4 << 20)) batches.push(r.batch);
  }
  const rows = batches.reduce((a, b) => a + b.numRows, 0);
  const weir = [];
  const weirCpu = [];
  const duckMs = [];
  const glob = path.join(dir, `part-*.${format.extension}`);
  const from = format.name === 'json' ? `read_json('${glob}', format = 'newline_delimited')`
    : format.name === 'parquet' ? `read_parquet('${glob}')` : `read_csv('${glob}', header = false)`;
  await con.run(`CREATE OR REPLACE TABLE bids_${format.name} AS SELECT * FROM ${from}`);
  const target = path.join(os.tmpdir(), `weir-bench-duck-copy.${format.extension}`);
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let bytes = 0;
    for (const b of batches) bytes += (format.binary ? format.encodeBytes(b, schema) : format.encodeBuffer(b, schema)).length;
    weir.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    weirCpu.push((cpu.user + cpu.system) / 1000);
    const t1 = performance.now();
    await con.run(`COPY bids_${format.name} TO '${target}' (FORMAT ${format.name})`);
    duckMs.push(performance.now() - t1);
    if (bytes === 0) throw new Error('nothing encoded');
  }
  rmSync(target, { force: true });
  // rows per CPU-second: on a loaded machine the wall time counts other processes' turns too
  return { rows, weirRate: rows / median(weir) * 1000, weirCpuRate: rows / median(weirCpu) * 1000, duckRate: rows / median(duckMs) * 1000 };
}

/**
 * The CSV bids again as one file quoting every cell, with a header line (DuckDB's COPY with
 * FORCE_QUOTE *, as Python's csv.QUOTE_ALL writes), read by the same aggregation in Weir
 * (`'csv.header' = 'true'`) and DuckDB (`header = true`): {weir, duck} medians (ms), the check.
 */
async function quotedCsvAggregate(Engine, con, csvDir, runs) {
  const dir = path.join(path.dirname(csvDir), 'csv-quoted');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'part-0.csv');
  await con.run(`COPY (SELECT * FROM ${duckFrom(csvDir, 'csv')}) TO '${file}' (FORMAT csv, HEADER true, FORCE_QUOTE *)`);
  const weirTimes = [];
  const duckTimes = [];
  let check;
  for (let r = 0; r < runs; r++) {
    const a = await weirAggregate(Engine, dir, 'csv', ", 'csv.header' = 'true'");
    const b = await duckAggregate(con, dir, 'csv', `read_csv('${file}', header = true)`);
    weirTimes.push(a.ms);
    duckTimes.push(b.ms);
    check = difference(a.rows, b.rows);
    console.log(`  csv, every cell quoted, run ${r + 1}: Weir ${a.ms.toFixed(0)} ms, DuckDB ${b.ms.toFixed(0)} ms, ${a.rows.length} groups, ${check ?? 'equal'}`);
  }
  const mb = statSync(file).size / 1e6;
  rmSync(dir, { recursive: true, force: true });
  return { mb, weir: median(weirTimes), duck: median(duckTimes), check: check ?? 'equal' };
}

const dirBytes = (d) => readdirSync(d).reduce((a, f) => a + statSync(path.join(d, f)).size, 0);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { Engine } = await import('../dist/index.js');
  const duck = await import('@duckdb/node-api');
  mkdirSync(args.dir, { recursive: true });
  const instance = await duck.DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await instance.connect();
  await con.run('SET threads = 1');
  console.log(`files bench: ${args.events.toLocaleString('en-US')} Nexmark events, ${args.runs} runs, in ${args.dir} (node ${process.version}, ${os.cpus().length} cores)`);
  const table = [];
  let quoted;
  let failed = false;
  for (const format of ['json', 'csv', 'parquet']) {
    const w = await writeBids(Engine, args.events, args.dir, format);
    const dir = path.join(args.dir, format);
    const mb = dirBytes(dir) / 1e6;
    console.log(`  ${format}: Weir wrote ${w.rows.toLocaleString('en-US')} bids (${mb.toFixed(0)} MB) in ${(w.ms / 1000).toFixed(2)} s: ` +
      `${Math.round(w.rows / w.ms)} K rows/s (generation included)`);
    const weirTimes = [];
    const duckTimes = [];
    let check;
    for (let r = 0; r < args.runs; r++) {
      const a = await weirAggregate(Engine, dir, format);
      const b = await duckAggregate(con, dir, format);
      weirTimes.push(a.ms);
      duckTimes.push(b.ms);
      // the sink's own count must be what the files hold (the groups' counts add up to it)
      const counted = a.rows.reduce((x, row) => x + Number(row.n), 0);
      check = difference(a.rows, b.rows) ?? (counted === w.rows ? undefined : `the sink reported ${w.rows} rows written, the files hold ${counted}`);
      console.log(`  ${format} run ${r + 1}: Weir ${a.ms.toFixed(0)} ms, DuckDB ${b.ms.toFixed(0)} ms, ${a.rows.length} groups, ${check ?? 'equal'}`);
    }
    if (check) failed = true;
    const wm = median(weirTimes);
    const dm = median(duckTimes);
    const enc = await encodeRate(dir, format, args.runs, con);
    console.log(`  ${format} writer alone (the sink's encode): Weir ${(enc.weirRate / 1e6).toFixed(2)} M rows/s (${(enc.weirCpuRate / 1e6).toFixed(2)} M rows/CPU-s), DuckDB COPY ${(enc.duckRate / 1e6).toFixed(2)} M rows/s`);
    const copyWeir = [];
    const copyDuck = [];
    for (let r = 0; r < args.runs; r++) {
      const c = await copyFiles(Engine, con, dir, format);
      copyWeir.push(c.weirMs);
      copyDuck.push(c.duckMs);
      console.log(`  ${format} copy run ${r + 1}: Weir ${c.weirMs.toFixed(0)} ms, DuckDB ${c.duckMs.toFixed(0)} ms, ${c.check}`);
      if (c.check !== 'equal') { check ??= c.check; failed = true; }
    }
    const copy = { weirRate: w.rows / median(copyWeir) * 1000, duckRate: w.rows / median(copyDuck) * 1000 };
    table.push({ format, bids: w.rows, mb, sinkRate: w.rows / w.ms * 1000, enc, copy, weir: wm, duck: dm, ratio: dm / wm, check: check ?? 'equal' });
    if (format === 'csv') {
      quoted = await quotedCsvAggregate(Engine, con, dir, args.runs);
      if (quoted.check !== 'equal') failed = true;
    }
  }
  console.log('\n| format | bids | MB | Weir query writing them (rows/s) | Weir writer alone | (per CPU-s) | DuckDB COPY | Weir file copy | DuckDB file copy | Weir aggregate | DuckDB aggregate (1 thread) | DuckDB time / Weir time | results |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of table) {
    console.log(`| ${t.format} | ${t.bids.toLocaleString('en-US')} | ${t.mb.toFixed(0)} | ${(t.sinkRate / 1e6).toFixed(2)} M | ` +
      `${(t.enc.weirRate / 1e6).toFixed(2)} M | ${(t.enc.weirCpuRate / 1e6).toFixed(2)} M | ${(t.enc.duckRate / 1e6).toFixed(2)} M | ` +
      `${(t.copy.weirRate / 1e6).toFixed(2)} M | ${(t.copy.duckRate / 1e6).toFixed(2)} M | ` +
      `${(t.weir / 1000).toFixed(2)} s | ${(t.duck / 1000).toFixed(2)} s | ${t.ratio.toFixed(3)} | ${t.check} |`);
  }
  console.log(`\nCSV quoting every cell, with a header (${quoted.mb.toFixed(0)} MB in one file): Weir ${(quoted.weir / 1000).toFixed(2)} s, `
    + `DuckDB ${(quoted.duck / 1000).toFixed(2)} s, DuckDB time / Weir time ${(quoted.duck / quoted.weir).toFixed(3)}, ${quoted.check}`);
  con.closeSync();
  instance.closeSync();
  if (failed) process.exitCode = 1;
}

await main();
