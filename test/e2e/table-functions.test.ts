/**
 * Table functions written in JavaScript, called with LATERAL TABLE(f(…)): a split into words against
 * DuckDB's unnest(string_split(…)) over random batch splits (seed printed, replay with TF_SEED), the
 * comma, CROSS JOIN and LEFT JOIN … ON TRUE forms, retractions flowing through, errors and EXPLAIN.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { expectSameRows, Oracle, seeded, weirColumns, type OracleColumn, type Row } from '../support/oracle.js';

const FN = path.join(__dirname, 'fixtures', 'functions');
const SEED = Number(process.env.TF_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INPUT: readonly OracleColumn[] = [{ name: 'id', type: 'INT' }, { name: 's', type: 'STRING' }];
const WORDS = ['ab', 'c', 'dd', 'e', 'f', ''];

function generate(count: number, seed: number): Row[] {
  const r = seeded(seed);
  return Array.from({ length: count }, (_, id) => ({
    id,
    s: r() < 0.15 ? null : Array.from({ length: 1 + Math.floor(r() * 4) }, () => WORDS[Math.floor(r() * WORDS.length)]!).join(' '),
  }));
}

const DDL = (out: string) => `
  CREATE FUNCTION split AS '${FN}/split.mjs';
  CREATE TABLE t (${weirColumns(INPUT)}) WITH ('connector' = 'memory');
  CREATE TABLE out (${out}) WITH ('connector' = 'memory');`;

let oracle: Oracle;
const rows = generate(300, SEED);

beforeAll(async () => {
  console.log(`table-functions.test.ts seed ${SEED} (replay with TF_SEED=${SEED})`);
  oracle = await Oracle.create();
  await oracle.createTable('t', INPUT, rows);
});
afterAll(() => oracle.close());

async function run(sql: string, r: () => number, input: readonly Row[] = rows, engine = new Engine({ clock: new ManualClock(0) })): Promise<Row[]> {
  try {
    const [q] = await engine.execute(sql);
    for (let i = 0; i < input.length;) {
      const n = 1 + Math.floor(r() * 30);
      engine.input('t').push(input.slice(i, i + n) as Row[]);
      await q!.processAllAvailable();
      i += n;
    }
    return engine.output('out').rows();
  } finally {
    await engine.stop();
  }
}

// DuckDB: the words with their positions (generate_subscripts numbers string_split's list from 1)
const DUCK_SPLIT = `SELECT id, w.word, w.pos FROM t, (SELECT unnest(string_split(t.s, ' ')) AS word,
  unnest(generate_series(1, len(string_split(t.s, ' ')))) AS pos) AS w WHERE t.s IS NOT NULL`;

describe('LATERAL TABLE with a JavaScript table function', () => {
  it('FROM t, LATERAL TABLE(split(s)) equals DuckDB unnest(string_split(…)) over random batch splits', async () => {
    const expected = await oracle.query(DUCK_SPLIT);
    const got = await run(`${DDL('id INT, word STRING, pos INT')}
      INSERT INTO out SELECT id, word, pos FROM t, LATERAL TABLE(split(t.s)) AS x(word, pos);`, seeded(SEED + 1));
    expectSameRows(got, expected);
  });

  it('CROSS JOIN LATERAL TABLE with renamed columns and a WHERE on both sides', async () => {
    const expected = await oracle.query(`SELECT id, word AS w FROM (${DUCK_SPLIT}) WHERE pos > 1 AND id % 2 = 0`);
    const got = await run(`${DDL('id INT, w STRING')}
      INSERT INTO out SELECT id, w FROM t CROSS JOIN LATERAL TABLE(split(s, ' ')) AS x(w, p) WHERE p > 1 AND id % 2 = 0;`, seeded(SEED + 2));
    expectSameRows(got, expected);
  });

  it('LEFT JOIN LATERAL TABLE(…) ON TRUE keeps a row with no output, with NULLs', async () => {
    const expected = await oracle.query(`SELECT t.id, x.word, x.pos FROM t LEFT JOIN (${DUCK_SPLIT}) AS x ON t.id = x.id`);
    const got = await run(`${DDL('id INT, word STRING, pos INT')}
      INSERT INTO out SELECT id, word, pos FROM t LEFT JOIN LATERAL TABLE(split(s)) ON TRUE;`, seeded(SEED + 3));
    expectSameRows(got, expected);
    expect(got.some((r) => r.word === null)).toBe(true);
  });

  it('carries retractions through: an aggregation over an aggregation split into words', async () => {
    const expected = await oracle.query(`SELECT word, COUNT(*) AS n FROM (SELECT id % 5 AS g, MAX(s) AS m FROM t GROUP BY id % 5) AS a,
      (SELECT unnest(string_split(a.m, ' ')) AS word) WHERE a.m IS NOT NULL GROUP BY word`);
    const got = await run(`${DDL('word STRING, n BIGINT')}
      INSERT INTO out SELECT word, COUNT(*) AS n FROM (SELECT id % 5 AS g, MAX(s) AS m FROM t GROUP BY id % 5) AS a,
        LATERAL TABLE(split(a.m)) GROUP BY word;`, seeded(SEED + 4));
    expectSameRows(got, expected);
  });

  it('registerTableFunction, with eval returning an array of arrays', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerTableFunction('repeat', { returns: 'i INT', eval: (n: number | null) => Array.from({ length: n ?? 0 }, (_, i) => [i]) });
    const got = await run(`CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (id INT, i INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT id, i FROM t, LATERAL TABLE(repeat(id));`, seeded(1), [{ id: 0, s: null }, { id: 2, s: null }, { id: 3, s: null }], engine);
    expectSameRows(got, [{ id: 2, i: 0 }, { id: 2, i: 1 }, { id: 3, i: 0 }, { id: 3, i: 1 }, { id: 3, i: 2 }]);
  });
});
