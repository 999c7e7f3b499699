/**
 * Table functions written in JavaScript, called with LATERAL TABLE(f(…)): a split into words against
 * DuckDB's unnest(string_split(…)) over random batch splits (seed printed, replay with TF_SEED), the
 * comma, CROSS JOIN and LEFT JOIN … ON TRUE forms, retractions flowing through, errors and EXPLAIN.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryError } from '../support/query-error.js';
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
  CREATE FUNCTION split_words AS '${FN}/split.mjs';
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
  it('FROM t, LATERAL TABLE(split_words(s)) equals DuckDB unnest(string_split(…)) over random batch splits', async () => {
    const expected = await oracle.query(DUCK_SPLIT);
    const got = await run(`${DDL('id INT, word STRING, pos INT')}
      INSERT INTO out SELECT id, word, pos FROM t, LATERAL TABLE(split_words(t.s)) AS x(word, pos);`, seeded(SEED + 1));
    expectSameRows(got, expected);
  });

  it('CROSS JOIN LATERAL TABLE with renamed columns and a WHERE on both sides', async () => {
    const expected = await oracle.query(`SELECT id, word AS w FROM (${DUCK_SPLIT}) WHERE pos > 1 AND id % 2 = 0`);
    const got = await run(`${DDL('id INT, w STRING')}
      INSERT INTO out SELECT id, w FROM t CROSS JOIN LATERAL TABLE(split_words(s, ' ')) AS x(w, p) WHERE p > 1 AND id % 2 = 0;`, seeded(SEED + 2));
    expectSameRows(got, expected);
  });

  it('LEFT JOIN LATERAL TABLE(…) ON TRUE keeps a row with no output, with NULLs', async () => {
    const expected = await oracle.query(`SELECT t.id, x.word, x.pos FROM t LEFT JOIN (${DUCK_SPLIT}) AS x ON t.id = x.id`);
    const got = await run(`${DDL('id INT, word STRING, pos INT')}
      INSERT INTO out SELECT id, word, pos FROM t LEFT JOIN LATERAL TABLE(split_words(s)) ON TRUE;`, seeded(SEED + 3));
    expectSameRows(got, expected);
    expect(got.some((r) => r.word === null)).toBe(true);
  });

  it('carries retractions through: an aggregation over an aggregation split into words', async () => {
    const expected = await oracle.query(`SELECT word, COUNT(*) AS n FROM (SELECT id % 5 AS g, MAX(s) AS m FROM t GROUP BY id % 5) AS a,
      (SELECT unnest(string_split(a.m, ' ')) AS word) WHERE a.m IS NOT NULL GROUP BY word`);
    const got = await run(`${DDL('word STRING, n BIGINT')}
      INSERT INTO out SELECT word, COUNT(*) AS n FROM (SELECT id % 5 AS g, MAX(s) AS m FROM t GROUP BY id % 5) AS a,
        LATERAL TABLE(split_words(a.m)) GROUP BY word;`, seeded(SEED + 4));
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

describe('table function errors and EXPLAIN', () => {
  const BAD = `${FN}/bad-functions.mjs`;

  const failure = (engine: Engine, sql: string, input: readonly Row[] = []): Promise<WeirError> => queryError(engine, sql, input);

  it('a throwing eval fails the query naming the function and the row\'s arguments, at the call', async () => {
    const sql = `${DDL('id INT, x INT')}
      CREATE FUNCTION table_throws AS '${BAD}';
      INSERT INTO out SELECT id, x FROM t, LATERAL TABLE(table_throws(id));`;
    const e = await failure(new Engine({ clock: new ManualClock(0) }), sql, [{ id: 1, s: 'a' }, { id: 2, s: 'b' }]);
    expect(e.message).toBe('function table_throws failed on the row with table_throws(2): no');
    const line = sql.split('\n').findIndex((l) => l.includes('table_throws(id)'));
    expect(e.span).toMatchObject({ line: line + 1, column: sql.split('\n')[line]!.indexOf('table_throws(id)') + 1 });
  });

  it('refuses misuse at its position: a table function as a scalar, LATERAL over a scalar, RIGHT JOIN, ON other than TRUE', async () => {
    const mk = () => {
      const engine = new Engine({ clock: new ManualClock(0) });
      engine.registerFunction('up', (s: string) => s.toUpperCase(), { returns: 'STRING' });
      return engine;
    };
    const base = DDL('id INT, word STRING');
    const e1 = await failure(mk(), `${base} INSERT INTO out SELECT id, split_words(s) FROM t;`);
    expect(e1.message).toBe('SPLIT_WORDS is a table function: call it in FROM as LATERAL TABLE(split_words(...)), not in SELECT');
    const e2 = await failure(mk(), `${base} INSERT INTO out SELECT id, word FROM t, LATERAL TABLE(up(s)) AS x(word);`);
    expect(e2.message).toBe("up is not a table function: LATERAL TABLE(…) calls a function whose export has kind 'table'");
    const e3 = await failure(mk(), `${base} INSERT INTO out SELECT id, word FROM t RIGHT JOIN LATERAL TABLE(split_words(s)) ON TRUE;`);
    expect(e3.message).toMatch(/^RIGHT JOIN LATERAL TABLE\(…\) is not supported/);
    const sql4 = `INSERT INTO out SELECT id, word FROM t LEFT JOIN LATERAL TABLE(split_words(s)) ON word <> 'a';`;
    const e4 = await failure(mk(), `${base}\n${sql4}`);
    expect(e4.message).toBe('JOIN LATERAL TABLE(…) takes ON TRUE only (as Flink): put other conditions in WHERE');
    expect(e4.span).toMatchObject({ column: sql4.indexOf("word <> 'a'") + 1 });
    const e5 = await failure(mk(), `${base} INSERT INTO out SELECT id, w FROM t, LATERAL TABLE(split_words(s)) AS x(w);`);
    expect(e5.message).toBe('table function split_words has 2 columns but 1 column name is given');
  });

  it('refuses a registered table function without eval or with a bad returns', () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    expect(() => engine.registerTableFunction('f', { returns: 'x INT' } as never)).toThrow("function f: a function of kind 'table' needs a method 'eval'");
    expect(() => engine.registerTableFunction('f', { returns: 'x', eval: () => [] })).toThrow(/function f: 'returns': expected 'name TYPE' for each column/);
  });

  it('EXPLAIN shows one Correlate line; a module not imported yet cannot be explained inside LATERAL TABLE', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const insert = 'INSERT INTO out SELECT id, word FROM t LEFT JOIN LATERAL TABLE(split_words(s)) ON TRUE;';
    const e = await engine.explain(`${DDL('id INT, word STRING')} ${insert}`).catch((x: unknown) => x as WeirError);
    expect((e as WeirError).message).toMatch(/^the columns of table function split_words are unknown until its module '.*split.mjs' is imported/);
    const [q] = await engine.execute(insert);
    expect(q!.explain()).toMatch(/\n\s*Correlate\(left, split_words\(s#1\), columns=\[word, pos\]\)\n/);
    expect(await engine.explain(insert)).toMatch(/Correlate\(left, split_words\(s#1\), columns=\[word, pos\]\)/);
    await engine.stop();
  });
});
