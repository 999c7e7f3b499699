/**
 * UNNEST of several collections (issue 11 item 6) against DuckDB: `CROSS JOIN UNNEST(a, b)` zips the
 * collections by position, as many rows as the longest, the shorter (and a NULL one) padded with
 * NULL, as DuckDB's unnest of several lists in one SELECT; WITH ORDINALITY numbers the zipped rows;
 * a MAP among them gives its key and value columns; LEFT JOIN keeps a row whose collections are all
 * NULL or empty. The data has NULL and empty arrays, NULL elements and arrays of different lengths,
 * pushed in random batch splits (seed printed, replay with ZIP_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { expectSameRows, Oracle, seeded, type Row } from '../support/oracle.js';
import { randomShapes, runInSlices } from '../support/sliced-run.js';

const SEED = Number(process.env.ZIP_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Input { id: number; tags: (string | null)[] | null; nums: (number | null)[] | null; m: Map<string, number | null> | null }

function generate(count: number, seed: number): Input[] {
  const r = seeded(seed);
  const { maybe, list } = randomShapes(r);
  return Array.from({ length: count }, (_, id) => ({
    id,
    tags: maybe(0.15, () => list(4, () => maybe(0.15, () => ['a', 'ü', '日本', ''][Math.floor(r() * 4)]!))),
    nums: maybe(0.15, () => list(5, () => maybe(0.1, () => Math.floor(r() * 7) - 2))),
    m: maybe(0.15, () => new Map(list(3, () => [['k', 'l', 'm'][Math.floor(r() * 3)]!, maybe(0.1, () => Math.floor(r() * 50))] as const))),
  }));
}

const lit = (v: unknown): string => {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (v instanceof Map) return `MAP {${[...v].map(([k, x]) => `${lit(k)}: ${lit(x)}`).join(', ')}}`;
  throw new Error(`no literal for ${String(v)}`);
};

const ZIP_DDL = "CREATE TABLE t (id INT, tags ARRAY<STRING>, nums ARRAY<INT>, m MAP<STRING, INT>) WITH ('connector' = 'memory');";

async function run(columns: string, select: string, input: readonly Input[], r: () => number): Promise<Row[]> {
  return runInSlices(ZIP_DDL, columns, select, input, r, 30);
}

const LONGEST = 'greatest(len(coalesce(tags, [])), len(coalesce(nums, [])))';
const CASES = [
  {
    name: 'CROSS JOIN UNNEST(tags, nums): zipped, the shorter padded with NULL',
    columns: 'id INT, tag STRING, num INT',
    weir: 'SELECT id, tag, num FROM t CROSS JOIN UNNEST(tags, nums) AS u (tag, num)',
    duck: 'SELECT id, unnest(tags) AS tag, unnest(nums) AS num FROM t',
  },
  {
    name: 'WITH ORDINALITY over two collections numbers the zipped rows',
    columns: 'id INT, tag STRING, num INT, pos INT',
    weir: 'SELECT id, tag, num, pos FROM t CROSS JOIN UNNEST(tags, nums) WITH ORDINALITY AS u (tag, num, pos)',
    duck: `SELECT id, unnest(tags) AS tag, unnest(nums) AS num, unnest(range(1, ${LONGEST} + 1)) AS pos FROM t`,
  },
  {
    name: 'a MAP among them gives key and value columns',
    columns: 'id INT, num INT, mk STRING, mv INT',
    weir: 'SELECT id, num, mk, mv FROM t CROSS JOIN UNNEST(nums, m) AS u (num, mk, mv)',
    duck: 'SELECT id, unnest(nums) AS num, unnest(map_keys(m)) AS mk, unnest(map_values(m)) AS mv FROM t',
  },
  {
    name: 'LEFT JOIN UNNEST(tags, nums) ON TRUE keeps rows with nothing to unnest',
    columns: 'id INT, tag STRING, num INT',
    weir: 'SELECT id, tag, num FROM t LEFT JOIN UNNEST(tags, nums) AS u (tag, num) ON TRUE',
    duck: `SELECT id, unnest(tags) AS tag, unnest(nums) AS num FROM t WHERE ${LONGEST} > 0
      UNION ALL SELECT id, NULL, NULL FROM t WHERE ${LONGEST} = 0`,
  },
] as const;

let oracle: Oracle;
const rows = generate(300, SEED);

beforeAll(async () => {
  console.log(`unnest-zip.test.ts seed ${SEED} (replay with ZIP_SEED=${SEED})`);
  oracle = await Oracle.create();
  await oracle.connection.run('CREATE TABLE t (id INTEGER, tags VARCHAR[], nums INTEGER[], m MAP(VARCHAR, INTEGER))');
  await oracle.connection.run(`INSERT INTO t VALUES ${rows.map((x) => `(${x.id}, CAST(${lit(x.tags)} AS VARCHAR[]), CAST(${lit(x.nums)} AS INTEGER[]), CAST(${lit(x.m)} AS MAP(VARCHAR, INTEGER)))`).join(', ')}`);
}, 60_000);
afterAll(() => oracle.close());

describe('UNNEST of several collections against DuckDB', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const want = await oracle.query(c.duck);
      expect(want.length).toBeGreaterThan(50);
      for (let trial = 0; trial < 3; trial++) {
        expectSameRows(await run(c.columns, c.weir, rows, seeded(SEED + 10 * i + trial)), want, `${c.name} (split ${trial})`);
      }
    }, 30_000);
  });

  it('the same collection twice, and default column names EXPR$0, EXPR$1', async () => {
    const got = await run('id INT, a INT, b INT', 'SELECT id, EXPR$0, EXPR$1 FROM t CROSS JOIN UNNEST(nums, ARRAY[10, 20])', rows.slice(0, 40), seeded(SEED));
    const want = await oracle.query('SELECT id, unnest(nums) AS a, unnest([10, 20]) AS b FROM t WHERE id < 40');
    expectSameRows(got, want, 'EXPR$ names');
  });

  it('ROW elements zipped with a longer array: the ROW fields are NULL past its end', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(`CREATE TABLE t (id INT, rs ARRAY<ROW<p STRING, q INT>>, nums ARRAY<INT>) WITH ('connector' = 'memory');
        CREATE TABLE out (id INT, p STRING, q INT, n INT, pos INT) WITH ('connector' = 'memory');
        INSERT INTO out SELECT id, p, q, n, pos FROM t
          CROSS JOIN UNNEST(rs, nums) WITH ORDINALITY AS u (p, q, n, pos);`);
      const rs = [{ p: 'x', q: 1 }];
      engine.input('t').push([{ id: 1, rs, nums: [7, 8] }, { id: 2, rs, nums: null }, { id: 3, rs, nums: [] }, { id: 4, rs: null, nums: [5] }]);
      await q!.processAllAvailable();
      expect(engine.output('out').rows()).toEqual([
        { id: 1, p: 'x', q: 1, n: 7, pos: 1 }, { id: 1, p: null, q: null, n: 8, pos: 2 },
        { id: 2, p: 'x', q: 1, n: null, pos: 1 }, { id: 3, p: 'x', q: 1, n: null, pos: 1 },
        { id: 4, p: null, q: null, n: 5, pos: 1 },
      ]);
    } finally {
      await engine.stop();
    }
  });
});
