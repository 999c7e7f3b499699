#!/usr/bin/env node
/**
 * The jdbc sink's rate beside its client's own, same rows, same machine, one run:
 *
 * - PostgreSQL (a server started here: initdb into a temp dir, as the postgres user when root):
 *   Weir's `INSERT INTO pg_table SELECT * FROM src` against node-postgres issuing multi-row
 *   INSERT ... VALUES statements (1000 rows each) in one transaction, and against node-postgres
 *   issuing Weir's own statements (INSERT ... SELECT FROM unnest of one array per column).
 * - SQLite (a temp file): Weir against better-sqlite3 running one prepared INSERT per row in a
 *   transaction.
 *
 * The rows (id BIGINT, k VARCHAR, price BIGINT, ts TIMESTAMP(3), amount DECIMAL(12, 2)) are in a
 * memory table before the query starts, pushed in 50 000-row batches, so Weir's time is the
 * query's: reading the batches, converting values, the statements, the per-batch transactions.
 *
 *   node bench/connectors/jdbc.js [--rows N] [--runs N]
 *
 * Uses dist/ (npm run build). Durability is the servers' default (fsync on) for both sides.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import Database from 'better-sqlite3';
import { Engine } from '../../dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const ROWS = arg('--rows', 500_000);
const RUNS = arg('--runs', 3);
const PUSH = 50_000;
const PER_STATEMENT = 1_000;

const rows = Array.from({ length: ROWS }, (_, i) => ({
  id: i, k: `key-${i % 1000}`, price: (i * 7919) % 100_000, ts: 1_700_000_000_000 + i * 10, amount: `${Math.floor(i / 100)}.${String(i % 100).padStart(2, '0')}`,
}));
const DDL = (t, types) => `CREATE TABLE ${t} (id ${types.bigint}, k TEXT, price ${types.bigint}, ts ${types.ts}, amount ${types.dec})`;

/** A PostgreSQL server in a temp dir on a free port; stop() removes it. */
async function startPostgres() {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  const bin = path.join(root, version, 'bin');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const cmd = (b, a) => (asRoot ? ['runuser', ['-u', 'postgres', '--', b, ...a]] : [b, a]);
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  execFileSync(...cmd(path.join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'weir', '-E', 'UTF8', '--locale=C', '--no-sync']), { stdio: 'pipe' });
  const port = await new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
  spawn(...cmd(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir]), { stdio: 'ignore' });
  const connect = async (database) => { const c = new pg.Client({ host: '127.0.0.1', port, user: 'weir', database }); c.on('error', () => {}); await c.connect(); return c; };
  for (let i = 0; ; i++) {
    try { const c = await connect('postgres'); await c.query('CREATE DATABASE weir'); await c.end(); break; } catch (e) { if (i > 200) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  return {
    url: `postgresql://weir@127.0.0.1:${port}/weir`,
    connect: () => connect('weir'),
    stop: async () => {
      const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGINT');
      for (;;) { try { process.kill(pid, 0); await new Promise((r) => setTimeout(r, 50)); } catch { break; } }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Weir: the rows (already in a memory table) into the jdbc table; rows/s of the query. */
async function weirRate(url, table) {
  const engine = new Engine();
  await engine.execute(`CREATE TABLE src (id BIGINT, k STRING, price BIGINT, ts TIMESTAMP(3), amount DECIMAL(12, 2)) WITH ('connector' = 'memory');`);
  for (let i = 0; i < rows.length; i += PUSH) engine.input('src').push(rows.slice(i, i + PUSH));
  const t0 = performance.now();
  const [q] = await engine.execute(`
    CREATE TABLE ${table} (id BIGINT, k STRING, price BIGINT, ts TIMESTAMP(3), amount DECIMAL(12, 2)) WITH ('connector' = 'jdbc', 'url' = '${url}', 'table-name' = '${table}');
    INSERT INTO ${table} SELECT * FROM src;`);
  await q.processAllAvailable();
  const ms = performance.now() - t0;
  await engine.stop();
  return ROWS / (ms / 1000);
}

/** node-postgres alone: 1000-row INSERT ... VALUES statements in one transaction, as applications often write them. */
async function pgRate(server, table) {
  const c = await server.connect();
  const t0 = performance.now();
  // (formatting the timestamps is part of the client's work, as it is of Weir's)
  const iso = rows.map((r) => new Date(r.ts).toISOString());
  await c.query('BEGIN');
  const values = (n) => Array.from({ length: n }, (_, r) => `(${[1, 2, 3, 4, 5].map((j) => `$${r * 5 + j}`).join(', ')})`).join(', ');
  const full = `INSERT INTO ${table} (id, k, price, ts, amount) VALUES ${values(PER_STATEMENT)}`;
  for (let i = 0; i < rows.length; i += PER_STATEMENT) {
    const n = Math.min(PER_STATEMENT, rows.length - i);
    const params = [];
    for (let r = i; r < i + n; r++) params.push(rows[r].id, rows[r].k, rows[r].price, iso[r], rows[r].amount);
    await c.query(n === PER_STATEMENT ? full : `INSERT INTO ${table} (id, k, price, ts, amount) VALUES ${values(n)}`, params);
  }
  await c.query('COMMIT');
  const ms = performance.now() - t0;
  await c.end();
  return ROWS / (ms / 1000);
}

/** node-postgres alone, the statements Weir sends: INSERT ... SELECT FROM unnest(arrays), 50 000 rows each, in one transaction. */
async function pgUnnestRate(server, table) {
  const c = await server.connect();
  const t0 = performance.now();
  await c.query('BEGIN');
  const sql = `INSERT INTO ${table} (id, k, price, ts, amount) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamp(3)[], $5::numeric(12,2)[])`;
  for (let i = 0; i < rows.length; i += PUSH) {
    const slice = rows.slice(i, i + PUSH);
    await c.query(sql, [slice.map((r) => r.id), slice.map((r) => r.k), slice.map((r) => r.price), slice.map((r) => new Date(r.ts).toISOString()), slice.map((r) => r.amount)]);
  }
  await c.query('COMMIT');
  const ms = performance.now() - t0;
  await c.end();
  return ROWS / (ms / 1000);
}

/** better-sqlite3 alone: one prepared INSERT per row in a transaction. */
function sqliteRate(file, table) {
  const db = new Database(file);
  const t0 = performance.now();
  const ts = rows.map((r) => new Date(r.ts).toISOString().replace('T', ' ').replace('Z', ''));
  const insert = db.prepare(`INSERT INTO ${table} (id, k, price, ts, amount) VALUES (?, ?, ?, ?, ?)`);
  db.transaction(() => { for (let i = 0; i < rows.length; i++) insert.run(rows[i].id, rows[i].k, rows[i].price, ts[i], rows[i].amount); })();
  const ms = performance.now() - t0;
  db.close();
  return ROWS / (ms / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${Math.round(x).toLocaleString('en-US')} rows/s`;

const server = await startPostgres();
const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-bench-sqlite-'));
const file = path.join(dir, 'bench.db');
try {
  const admin = await server.connect();
  const sqlite = new Database(file);
  const result = { pgWeir: [], pgClient: [], pgUnnest: [], sqliteWeir: [], sqliteClient: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const t of [`w${run}`, `c${run}`, `u${run}`]) await admin.query(DDL(t, { bigint: 'BIGINT', ts: 'TIMESTAMP(3)', dec: 'NUMERIC(12, 2)' }));
    for (const t of [`w${run}`, `c${run}`]) sqlite.exec(DDL(t, { bigint: 'INTEGER', ts: 'TEXT', dec: 'TEXT' }));
    result.pgClient.push(await pgRate(server, `c${run}`));
    result.pgUnnest.push(await pgUnnestRate(server, `u${run}`));
    result.pgWeir.push(await weirRate(server.url, `w${run}`));
    result.sqliteClient.push(sqliteRate(file, `c${run}`));
    result.sqliteWeir.push(await weirRate(`sqlite:${file}`, `w${run}`));
    const counts = await admin.query(`SELECT (SELECT COUNT(*) FROM w${run}) AS w, (SELECT COUNT(*) FROM c${run}) AS c`);
    if (Number(counts.rows[0].w) !== ROWS || Number(counts.rows[0].c) !== ROWS) throw new Error(`row counts differ: ${JSON.stringify(counts.rows[0])}`);
    const sw = sqlite.prepare(`SELECT (SELECT COUNT(*) FROM w${run}) AS w, (SELECT COUNT(*) FROM c${run}) AS c`).get();
    if (sw.w !== ROWS || sw.c !== ROWS) throw new Error(`sqlite row counts differ: ${JSON.stringify(sw)}`);
  }
  sqlite.close();
  await admin.end();
  console.log(`jdbc sink, ${ROWS.toLocaleString('en-US')} rows (5 columns), median of ${RUNS} runs`);
  console.log(`  PostgreSQL  weir ${fmt(median(result.pgWeir))}   node-postgres alone ${fmt(median(result.pgClient))}   ratio ${(median(result.pgWeir) / median(result.pgClient)).toFixed(2)}`);
  console.log(`              node-postgres alone with Weir's statements (unnest arrays) ${fmt(median(result.pgUnnest))}   ratio ${(median(result.pgWeir) / median(result.pgUnnest)).toFixed(2)}`);
  console.log(`  SQLite      weir ${fmt(median(result.sqliteWeir))}   better-sqlite3 alone ${fmt(median(result.sqliteClient))}   ratio ${(median(result.sqliteWeir) / median(result.sqliteClient)).toFixed(2)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
