/**
 * ARRAY, MAP and MULTISET values in checkpointed state (issue 11 item 6): group keys that are arrays
 * and maps, accumulators holding arrays (LAST_VALUE) and building MULTISETs (COLLECT), and join
 * state and Top-N state holding rows with array and map columns. Each query is stopped and restarted on its
 * checkpoint partway (once as a clean stop, once as a crash after the sink got the last batch but
 * before its commit), and must end with the rows of a run that was never interrupted; COLLECT and
 * the array-keyed counts are checked against DuckDB too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { dropLastCommits } from '../support/stream-test.js';
import { expectSameRows, Oracle, seeded, type Row } from '../support/oracle.js';

const SEED = Number(process.env.COLL_RESTART_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Input { id: number; k: number | null; tags: (string | null)[] | null; m: Map<string, number> | null; w: string | null }

function generate(count: number, seed: number): Input[] {
  const r = seeded(seed);
  const words = ['x', 'y', 'ü', '日本'];
  const pick = (): string => words[Math.floor(r() * words.length)]!;
  return Array.from({ length: count }, (_, id) => ({
    id,
    k: r() < 0.1 ? null : Math.floor(r() * 4),
    tags: r() < 0.15 ? null : Array.from({ length: Math.floor(r() * 3) }, () => (r() < 0.1 ? null : pick())),
    m: r() < 0.2 ? null : new Map(Array.from({ length: Math.floor(r() * 2) }, () => [pick(), Math.floor(r() * 3)] as const)),
    w: r() < 0.1 ? null : pick(),
  }));
}

const DDL = `CREATE TABLE t (id INT, k INT, tags ARRAY<STRING>, m MAP<STRING, INT>, w STRING) WITH ('connector' = 'memory');`;

interface Case { readonly name: string; readonly columns: string; readonly select: string }

const CASES: readonly Case[] = [
  { name: 'array keys', columns: 'tags ARRAY<STRING>, c BIGINT, lk INT', select: 'SELECT tags, COUNT(*), LAST_VALUE(k) FROM t GROUP BY tags' },
  { name: 'map keys', columns: 'm MAP<STRING, INT>, c BIGINT', select: 'SELECT m, COUNT(*) FROM t GROUP BY m' },
  { name: 'array accumulators', columns: 'k INT, lt ARRAY<STRING>, ft ARRAY<STRING>', select: 'SELECT k, LAST_VALUE(tags), FIRST_VALUE(tags) FROM t GROUP BY k' },
  { name: 'COLLECT', columns: 'k INT, words MULTISET<STRING>', select: 'SELECT k, COLLECT(w) FROM t GROUP BY k' },
  {
    // equal arrays, maps and rows count as one value of the MULTISET (never by object identity)
    name: 'COLLECT of arrays, maps and rows',
    columns: 'k INT, ct MULTISET<ARRAY<STRING>>, cm MULTISET<MAP<STRING, INT>>, cr MULTISET<ROW<w STRING, n INT>>',
    select: 'SELECT k, COLLECT(tags), COLLECT(m), COLLECT(ROW(w, CARDINALITY(tags))) FROM t GROUP BY k',
  },
  {
    name: 'Top-N rows',
    columns: 'k INT, id INT, tags ARRAY<STRING>, m MAP<STRING, INT>, rn BIGINT',
    select: 'SELECT k, id, tags, m, rn FROM (SELECT k, id, tags, m, ROW_NUMBER() OVER (PARTITION BY k ORDER BY id DESC) AS rn FROM t) WHERE rn <= 2',
  },
  {
    name: 'join state',
    columns: 'id INT, bid INT, btags ARRAY<STRING>, bm MAP<STRING, INT>',
    select: 'SELECT a.id, b.id, b.tags, b.m FROM t AS a JOIN t AS b ON a.k = b.k AND a.tags = b.tags WHERE a.id < b.id',
  },
];

/** Maps as sorted [key, value] lists, so rows compare by value. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
const plainRows = (rows: readonly Row[]): Row[] => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'weir-coll-restart-'));

/**
 * Push `input` in slices into `c`'s query; `restartAt` slice indices stop the engine and start the
 * same SQL on the same checkpoint (optionally dropping the last commit first, as a crash would).
 */
async function run(c: Case, input: readonly Input[], restartAt: readonly number[], crash: boolean): Promise<Row[]> {
  const sql = `${DDL} CREATE TABLE out (${c.columns}) WITH ('connector' = 'memory'); INSERT INTO out ${c.select};`;
  const dir = tmp();
  const clock = new ManualClock(0);
  let engine = new Engine({ clock, checkpointDir: dir });
  let [q] = await engine.execute(sql);
  const r = seeded(SEED + 7);
  try {
    for (let i = 0, slice = 0; i < input.length; slice++) {
      const n = 1 + Math.floor(r() * 12);
      engine.input('t').push(input.slice(i, i + n) as unknown as Row[]);
      await q!.processAllAvailable();
      i += n;
      if (restartAt.includes(slice)) {
        await engine.stop();
        if (crash) await dropLastCommits(dir);
        engine = new Engine({ clock, checkpointDir: dir, memoryTables: engine.memoryTables });
        [q] = await engine.execute(sql);
        await q!.processAllAvailable();
      }
    }
    return plainRows(engine.output('out').rows());
  } finally {
    await engine.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows = generate(90, SEED);
let oracle: Oracle;

beforeAll(async () => {
  console.log(`collections-restart.test.ts seed ${SEED} (replay with COLL_RESTART_SEED=${SEED})`);
  oracle = await Oracle.create();
  const lit = (v: unknown): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.map(lit).join(', ')}]` : String(v));
  await oracle.connection.run('CREATE TABLE t (id INTEGER, k INTEGER, tags VARCHAR[], w VARCHAR)');
  await oracle.connection.run(`INSERT INTO t VALUES ${rows.map((x) => `(${x.id}, ${lit(x.k)}, CAST(${lit(x.tags)} AS VARCHAR[]), ${lit(x.w)})`).join(', ')}`);
});
afterAll(() => oracle.close());

describe('collections in checkpointed state', () => {
  for (const c of CASES) {
    it(`${c.name}: a clean restart and a crash before the commit end with the uninterrupted rows`, async () => {
      const whole = await run(c, rows, [], false);
      expect(whole.length).toBeGreaterThan(0);
      expectSameRows(await run(c, rows, [2, 5], false), whole, `${c.name}, clean restarts`);
      expectSameRows(await run(c, rows, [3], true), whole, `${c.name}, crash before commit`);
    }, 60_000);
  }

  it('array keys and COLLECT equal DuckDB', async () => {
    const counts = await run(CASES[0]!, rows, [4], true);
    const want = await oracle.query('SELECT tags, COUNT(*) AS c FROM t GROUP BY tags');
    expectSameRows(counts.map((r) => ({ tags: r.tags, c: r.c })), want);
    const collected = await run(CASES[3]!, rows, [4], false);
    // DuckDB: each k's non-NULL words with their counts, as sorted [word, count] pairs
    const pairs = await oracle.query('SELECT k, w, COUNT(*) AS n FROM t WHERE w IS NOT NULL GROUP BY k, w');
    const keys = await oracle.query('SELECT DISTINCT k FROM t');
    const expected = keys.map((kr) => ({
      k: kr.k,
      words: pairs.filter((p) => p.k === kr.k).map((p) => [p.w, p.n]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    }));
    expectSameRows(collected, expected);
  }, 60_000);

  it('UNNEST of a COLLECT multiset, retracted and re-emitted as the groups change, ends as DuckDB\'s rows', async () => {
    const c: Case = {
      name: 'unnest collect', columns: 'k INT, w STRING, n INT',
      select: 'SELECT k, w, n FROM (SELECT k, COLLECT(w) AS ws FROM t GROUP BY k) CROSS JOIN UNNEST(ws) WITH ORDINALITY AS u (w, n)',
    };
    const got = await run(c, rows, [3], true);
    const want = await oracle.query('SELECT k, w FROM t WHERE w IS NOT NULL');
    expectSameRows(got.map((r) => ({ k: r.k, w: r.w })), want);
    // the positions number each group's elements 1..count
    for (const kr of new Set(got.map((r) => r.k))) {
      const ns = got.filter((r) => r.k === kr).map((r) => r.n as number).sort((a, b) => a - b);
      expect(ns).toEqual(ns.map((_, i) => i + 1));
    }
  }, 60_000);

  it('UNNEST of an ARRAY of ROWs makes the fields columns, NULL for a NULL element', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE o (id INT, lines ARRAY<ROW<product STRING, qty INT>>) WITH ('connector' = 'memory');
        CREATE TABLE out (id INT, product STRING, qty INT) WITH ('connector' = 'memory');
        INSERT INTO out SELECT id, product, qty FROM o LEFT JOIN UNNEST(lines) AS l ON TRUE;`);
      engine.input('o').push([
        { id: 1, lines: [{ product: 'ü', qty: 2 }, null, { product: null, qty: 5 }] },
        { id: 2, lines: [] },
        { id: 3, lines: null },
      ]);
      await q!.processAllAvailable();
      expectSameRows(engine.output('out').rows(), [
        { id: 1, product: 'ü', qty: 2 }, { id: 1, product: null, qty: null }, { id: 1, product: null, qty: 5 },
        { id: 2, product: null, qty: null }, { id: 3, product: null, qty: null },
      ]);
    } finally {
      await engine.stop();
    }
  });
});
