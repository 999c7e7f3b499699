/**
 * ARRAY and MAP values through the engine against DuckDB's lists and maps (issue 11 item 6): element
 * access (1-based, NULL out of range), CARDINALITY, ARRAY_CONTAINS, ARRAY[...] built from columns,
 * nested arrays, CROSS JOIN UNNEST [WITH ORDINALITY] of one collection or several, LEFT JOIN UNNEST … ON TRUE, UNNEST of a MAP,
 * arrays and maps as GROUP BY keys, aggregation over unnested elements. The data has NULL arrays,
 * empty arrays, NULL elements, unicode text and nested arrays; every query runs over random batch
 * splits of the input (seed printed, replay with COLL_SEED), and a property test runs many splits.
 *
 * DuckDB differs from Flink in two places the data avoids: a negative index counts from the end
 * (Flink: NULL), and list_contains(l, NULL) is NULL (Flink: whether l holds a NULL); both are
 * checked against Flink's rule on their own below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameRows, Oracle, seeded, type Row } from '../support/oracle.js';
import { collectionRows, runInSlices, type CollectionRow } from '../support/sliced-run.js';

const SEED = Number(process.env.COLL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WORDS = ['a', 'b', 'ü', 'naïve', '日本', '🙂x', '', "it's"];

type Input = CollectionRow & { m: Map<string, number | null> | null };

function generate(count: number, seed: number): Input[] {
  const r = seeded(seed);
  return collectionRows(count, r, WORDS, 5, ({ maybe, list }) => ({
    m: maybe(0.15, () => new Map(list(3, () => [WORDS[Math.floor(r() * 4)]!, maybe(0.1, () => Math.floor(r() * 50))] as const))),
  }));
}

const WEIR_DDL = `CREATE TABLE t (id INT, k INT, tags ARRAY<STRING>, nums ARRAY<INT>, nested ARRAY<ARRAY<INT>>, m MAP<STRING, INT>)
  WITH ('connector' = 'memory');`;

/** A value as a DuckDB literal of the type `t` (lists typed by a CAST so an empty one has a type). */
function duckLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(duckLiteral).join(', ')}]`;
  if (v instanceof Map) return `MAP {${[...v].map(([k, x]) => `${duckLiteral(k)}: ${duckLiteral(x)}`).join(', ')}}`;
  throw new Error(`no DuckDB literal for ${String(v)}`);
}

async function loadDuck(oracle: Oracle, rows: readonly Input[]): Promise<void> {
  await oracle.connection.run('CREATE OR REPLACE TABLE t (id INTEGER, k INTEGER, tags VARCHAR[], nums INTEGER[], nested INTEGER[][], m MAP(VARCHAR, INTEGER))');
  for (let i = 0; i < rows.length; i += 200) {
    const values = rows.slice(i, i + 200).map((x) => `(${x.id}, ${duckLiteral(x.k)}, CAST(${duckLiteral(x.tags)} AS VARCHAR[]), `
      + `CAST(${duckLiteral(x.nums)} AS INTEGER[]), CAST(${duckLiteral(x.nested)} AS INTEGER[][]), CAST(${duckLiteral(x.m)} AS MAP(VARCHAR, INTEGER)))`);
    await oracle.connection.run(`INSERT INTO t VALUES ${values.join(', ')}`);
  }
}

/** A Weir row as plain JSON-like values: a Map as the sorted list of its [key, value] pairs. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
const plainRows = (rows: readonly Row[]): Row[] => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));

/** Run `select` into a memory sink of `columns` over `input` pushed in random slices (1..max rows). */
async function run(columns: string, select: string, input: readonly Input[], r: () => number, max = 40): Promise<Row[]> {
  return plainRows(await runInSlices(WEIR_DDL, columns, select, input, r, max));
}

interface Case {
  readonly name: string;
  readonly columns: string;
  readonly weir: string;
  readonly duck: string;
}

const CASES: readonly Case[] = [
  {
    name: 'element access, CARDINALITY, ARRAY_CONTAINS, constructors, nested arrays',
    columns: 'id INT, c INT, first STRING, second STRING, nk INT, arr ARRAY<INT>, n1 ARRAY<INT>, n12 INT, has3 BOOLEAN, cn INT',
    weir: `SELECT id, CARDINALITY(tags), tags[1], tags[2], nums[k], ARRAY[id, k, NULL], nested[1], nested[1][2],
      ARRAY_CONTAINS(nums, 3), CARDINALITY(nested[2]) FROM t WHERE CARDINALITY(tags) > 0 OR tags IS NULL OR nums[1] = 0`,
    duck: `SELECT id, len(tags) AS c, tags[1] AS first, tags[2] AS second, nums[k] AS nk, [id, k, NULL] AS arr, nested[1] AS n1,
      nested[1][2] AS n12, list_contains(nums, 3) AS has3, len(nested[2]) AS cn FROM t WHERE len(tags) > 0 OR tags IS NULL OR nums[1] = 0`,
  },
  {
    name: 'CROSS JOIN UNNEST WITH ORDINALITY',
    columns: 'id INT, tag STRING, pos INT',
    weir: 'SELECT id, tag, pos FROM t CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u (tag, pos)',
    duck: 'SELECT id, tags[i] AS tag, i AS pos FROM (SELECT id, tags, generate_subscripts(tags, 1) AS i FROM t)',
  },
  {
    name: 'LEFT JOIN UNNEST … ON TRUE keeps NULL and empty arrays',
    columns: 'id INT, x INT, plus INT',
    weir: 'SELECT id, x, x + k FROM t LEFT JOIN UNNEST(nums) AS u (x) ON TRUE',
    duck: `SELECT t.id, u.x, u.x + t.k AS plus FROM t LEFT JOIN (SELECT id, unnest(nums) AS x FROM t) AS u ON t.id = u.id`,
  },
  {
    name: 'UNNEST of nested arrays, twice',
    columns: 'id INT, inner_pos INT, v INT',
    weir: `SELECT id, p, v FROM t CROSS JOIN UNNEST(nested) WITH ORDINALITY AS a (inner_arr, p) CROSS JOIN UNNEST(inner_arr) AS b (v)`,
    duck: `SELECT id, p AS inner_pos, unnest(nested[p]) AS v FROM (SELECT id, nested, generate_subscripts(nested, 1) AS p FROM t)`,
  },
  {
    name: 'UNNEST of a MAP, and map[key]',
    columns: 'id INT, mk STRING, mv INT, ma INT, mc INT',
    weir: `SELECT id, mk, mv, m['a'], CARDINALITY(m) FROM t CROSS JOIN UNNEST(m) AS u (mk, mv)`,
    duck: `SELECT id, unnest(map_keys(m)) AS mk, unnest(map_values(m)) AS mv, m['a'] AS ma, cardinality(m) AS mc FROM t`,
  },
  {
    name: 'GROUP BY an array (NULL and empty arrays are groups of their own)',
    columns: 'nums ARRAY<INT>, c BIGINT, s BIGINT',
    weir: 'SELECT nums, COUNT(*), SUM(id) FROM t WHERE CARDINALITY(nums) < 2 OR nums IS NULL GROUP BY nums',
    duck: 'SELECT nums, COUNT(*) AS c, SUM(id) AS s FROM t WHERE len(nums) < 2 OR nums IS NULL GROUP BY nums',
  },
  {
    // several collections side by side, the shorter padded with NULLs (Calcite's and DuckDB's rule)
    name: 'UNNEST of several collections at once',
    columns: 'id INT, x INT, tag STRING, mk STRING, mv INT',
    weir: 'SELECT id, x, tag, mk, mv FROM t CROSS JOIN UNNEST(nums, tags, m) AS u (x, tag, mk, mv)',
    duck: 'SELECT id, unnest(nums) AS x, unnest(tags) AS tag, unnest(map_keys(m)) AS mk, unnest(map_values(m)) AS mv FROM t',
  },
  {
    name: 'UNNEST of several collections WITH ORDINALITY counts to the longest',
    columns: 'id INT, x INT, tag STRING, pos INT',
    weir: 'SELECT id, x, tag, pos FROM t CROSS JOIN UNNEST(nums, tags) WITH ORDINALITY AS u (x, tag, pos)',
    duck: `SELECT id, unnest(nums) AS x, unnest(tags) AS tag,
      unnest(range(1, greatest(coalesce(len(nums), 0), coalesce(len(tags), 0)) + 1)) AS pos FROM t`,
  },
  {
    name: 'LEFT JOIN UNNEST of several collections keeps rows whose collections are all empty',
    columns: 'id INT, x INT, tag STRING',
    weir: 'SELECT id, x, tag FROM t LEFT JOIN UNNEST(nums, tags) AS u (x, tag) ON TRUE',
    duck: `SELECT t.id, u.x, u.tag FROM t LEFT JOIN (SELECT id, unnest(nums) AS x, unnest(tags) AS tag FROM t) AS u ON t.id = u.id`,
  },
  {
    // ROW(a, b) names its fields EXPR$0, EXPR$1 (Flink); a row groups by its field values, NULLs too
    name: 'ROW(…) constructor: grouped by, its fields read back',
    columns: 'rk INT, rt STRING, c BIGINT, s BIGINT',
    weir: 'SELECT r.EXPR$0, r.EXPR$1, COUNT(*), SUM(id) FROM (SELECT id, ROW(k, tags[1]) AS r FROM t) GROUP BY r',
    duck: 'SELECT k AS rk, tags[1] AS rt, COUNT(*) AS c, SUM(id) AS s FROM t GROUP BY k, tags[1]',
  },
  {
    name: 'aggregates over unnested elements, grouped by element',
    columns: 'tag STRING, c BIGINT, mn INT',
    weir: 'SELECT tag, COUNT(*), MIN(id) FROM t CROSS JOIN UNNEST(tags) AS u (tag) GROUP BY tag',
    duck: 'SELECT tag, COUNT(*) AS c, MIN(id) AS mn FROM (SELECT id, unnest(tags) AS tag FROM t) GROUP BY tag',
  },
];

const rows = generate(400, SEED);
let oracle: Oracle;
const expected = new Map<string, Row[]>();

beforeAll(async () => {
  console.log(`collections-oracle.test.ts seed ${SEED} (replay with COLL_SEED=${SEED})`);
  oracle = await Oracle.create();
  await loadDuck(oracle, rows);
  for (const c of CASES) expected.set(c.name, await oracle.query(c.duck));
}, 60_000);
afterAll(() => oracle.close());

describe('collections against DuckDB', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const want = expected.get(c.name)!;
      expect(want.length, 'the oracle returns rows').toBeGreaterThan(5);
      expectSameRows(await run(c.columns, c.weir, rows, seeded(SEED + i + 1)), want, c.name);
    });
  });

  it('property: any split of the input into batches gives DuckDB\'s rows (UNNEST, GROUP BY array)', async () => {
    const r = seeded(SEED + 100);
    for (let trial = 0; trial < 6; trial++) {
      const c = CASES[trial % 2 === 0 ? 1 : 5]!;
      const max = 1 + Math.floor(r() * 80);
      const got = await run(c.columns, c.weir, rows.slice(0, 150), seeded(SEED + 200 + trial), max);
      const want = await oracle.query(c.duck.replace(/FROM t\b/g, 'FROM (SELECT * FROM t WHERE id < 150) AS t'));
      expectSameRows(got, want, `${c.name}, trial ${trial} (batches of 1..${max} rows)`);
    }
  }, 120_000);
});

describe('Flink rules where DuckDB differs', () => {
  const one = (select: string, columns: string): Promise<Row[]> => run(columns, select, [rows[0]!], seeded(1));

  it('a negative or zero index is NULL, past the end too; ARRAY_CONTAINS(arr, NULL) finds a NULL element', async () => {
    const got = await one(`SELECT ARRAY[1, 2][-1], ARRAY[1, 2][0], ARRAY[1, 2][3], ARRAY_CONTAINS(ARRAY[1, NULL], NULL),
      ARRAY_CONTAINS(ARRAY[1, 2], CAST(NULL AS INT)), ARRAY_CONTAINS(CAST(NULL AS ARRAY<INT>), 1) FROM t`,
      'a INT, b INT, c INT, d BOOLEAN, e BOOLEAN, f BOOLEAN');
    expect(got).toEqual([{ a: null, b: null, c: null, d: true, e: false, f: null }]);
  });

  it('ELEMENT: the one element, NULL for an empty array, an error for more', async () => {
    const got = await one(`SELECT ELEMENT(ARRAY['x']), ELEMENT(CAST(ARRAY[1] AS ARRAY<INT>)) FROM t`, 'a STRING, b INT');
    expect(got).toEqual([{ a: 'x', b: 1 }]);
    await expect(one('SELECT ELEMENT(ARRAY[1, 2]) FROM t', 'a INT')).rejects.toThrow(/ELEMENT takes an array of at most one element, got one of 2/);
  });

  it('MAP[...] with a repeated key keeps the last value; map[missing] is NULL; CAST to text', async () => {
    const got = await one(`SELECT MAP['a', 1, 'b', 2, 'a', 3]['a'], MAP['a', 1]['zz'], CARDINALITY(MAP['a', 1, 'a', 2]),
      CAST(ARRAY[1, NULL] AS STRING), CAST(MAP['k', ARRAY[1.5]] AS STRING) FROM t`, 'a INT, b INT, c INT, d STRING, e STRING');
    expect(got).toEqual([{ a: 3, b: null, c: 1, d: '[1, NULL]', e: '{k=[1.5]}' }]);
  });
});
