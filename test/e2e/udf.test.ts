import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const DDL = `
  CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
  CREATE TABLE out (w STRING, n INT) WITH ('connector' = 'memory');`;

async function run(engine: Engine, sql: string, rows: { w: string | null }[]) {
  const [q] = await engine.execute(sql, { file: path.join(__dirname, 'fixtures', 'udf.sql') });
  engine.input('words').push(rows);
  await q!.processAllAvailable();
  const out = engine.output('out').rows();
  await engine.stop();
  return { q: q!, out };
}

describe('user-defined scalar functions', () => {
  it('calls a function registered through the API', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('vowels', (s: string | null) => (s === null ? null : s.replace(/[^aeiou]/g, '').length), { returns: 'INT' });
    const { out } = await run(engine, `${DDL} INSERT INTO out SELECT w, vowels(w) FROM words;`, [{ w: 'banana' }, { w: null }]);
    expect(out).toEqual([{ w: 'banana', n: 3 }, { w: null, n: null }]);
  });

  it('loads CREATE FUNCTION from a JavaScript module relative to the script', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const { out } = await run(engine, `${DDL}
      CREATE FUNCTION count_char AS 'count-char.js';
      INSERT INTO out SELECT w, count_char(w, 'a') FROM words;`, [{ w: 'banana' }, { w: 'kiwi' }]);
    expect(out).toEqual([{ w: 'banana', n: 3 }, { w: 'kiwi', n: 0 }]);
  });

  it('reports a function that throws with its name, and fails the query', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('boom', () => { throw new Error('kaput'); }, { returns: 'INT' });
    const [q] = await engine.execute(`${DDL} INSERT INTO out SELECT w, boom(w) FROM words;`);
    engine.input('words').push([{ w: 'x' }]);
    await expect(q!.processAllAvailable()).rejects.toThrow(/boom.*kaput/);
    await engine.stop();
  });

  it('runs the benchmark\'s Java class com.github.nexmark.flink.udf.CountChar natively, as a BIGINT', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(`
      CREATE TABLE words (w STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (w STRING, n BIGINT) WITH ('connector' = 'memory');
      CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';
      INSERT INTO out SELECT w, count_char(w, 'c') FROM words;`);
    engine.input('words').push([{ w: 'cocoa cake' }, { w: 'kiwi' }, { w: null }]);
    await q!.processAllAvailable();
    expect(engine.output('out').rows()).toEqual([{ w: 'cocoa cake', n: 3 }, { w: 'kiwi', n: 0 }, { w: null, n: 0 }]);
    expect(q!.explain()).toMatch(/count_char\(w#\d+, 'c'\)/);
    await engine.stop();
  });

  it('refuses another Java class name, saying Java classes cannot be loaded, at the name\'s position', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const err = await engine.execute(`CREATE FUNCTION f AS 'com.example.udf.Reverse';`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('UNSUPPORTED');
    expect((err as WeirError).message).toBe("CREATE FUNCTION f: 'com.example.udf.Reverse' looks like a Java class, and Java classes cannot be loaded; "
      + "give the path of a JavaScript module (.js or .mjs) that exports 'f' (the Java classes Weir implements natively: com.github.nexmark.flink.udf.CountChar)");
    expect((err as WeirError).span).toMatchObject({ line: 1, column: 22 });
    // a dotted name that ends in .js is a module path: the module loader's own error
    await expect(engine.execute(`CREATE FUNCTION g AS 'no.such.module.js';`)).rejects.toThrow(/cannot load function module 'no.such.module.js'/);
    await engine.stop();
  });

  it('refuses a call with the wrong number of arguments at plan time, naming the function, at the call', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await engine.execute(`${DDL} CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';`);
    const sql = 'INSERT INTO out SELECT w, count_char(w) FROM words;';
    const err = await engine.execute(sql).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).message).toBe('COUNT_CHAR expects 2 arguments, got 1');
    expect((err as WeirError).span).toMatchObject({ line: 1, column: sql.indexOf('count_char') + 1 });
    // a JavaScript module's function: its declared parameters give the arity
    const js = new Engine({ clock: new ManualClock(0) });
    await js.execute(`${DDL} CREATE FUNCTION count_char AS 'count-char.js';`, { file: path.join(__dirname, 'fixtures', 'udf.sql') });
    const sql2 = "INSERT INTO out SELECT w, count_char(w, 'a', 'b') FROM words;";
    const err2 = await js.execute(sql2).catch((e: unknown) => e);
    expect((err2 as WeirError).message).toBe('COUNT_CHAR expects 2 arguments, got 3');
    expect((err2 as WeirError).span).toMatchObject({ line: 1, column: sql2.indexOf('count_char') + 1 });
    await js.stop();
    // a native function's argument types are checked too
    const sql3 = "INSERT INTO out SELECT w, count_char(w, TRUE) FROM words;";
    const err3 = await engine.execute(sql3).catch((e: unknown) => e);
    expect((err3 as WeirError).message).toBe('COUNT_CHAR expects VARCHAR as argument 2, got BOOLEAN');
    expect((err3 as WeirError).span).toMatchObject({ line: 1, column: sql3.indexOf('TRUE') + 1 });
    await engine.stop();
  });

  it('fails the query at run time naming the function and the row\'s arguments when the function throws', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('picky', (s: string | null) => { if (s === 'bad') throw new Error('bad input'); return 1; }, { returns: 'INT' });
    const [q] = await engine.execute(`${DDL} INSERT INTO out SELECT w, picky(w) FROM words;`);
    engine.input('words').push([{ w: 'good' }, { w: 'bad' }]);
    const err = await q!.processAllAvailable().catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain("function picky failed on the row with picky('bad'): bad input");
    await engine.stop();
    // the native CountChar with a NULL character fails as the Java code does, with the row
    const e2 = new Engine({ clock: new ManualClock(0) });
    const [q2] = await e2.execute(`${DDL} CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';
      CREATE TABLE out2 (w STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out2 SELECT w, count_char('abc', w) FROM words;`);
    e2.input('words').push([{ w: 'a' }, { w: null }]);
    const err2 = await q2!.processAllAvailable().catch((e: unknown) => e);
    expect(String((err2 as Error).message)).toContain("function count_char failed on the row with count_char('abc', NULL): the character to count is NULL");
    await e2.stop();
  });

  it('refuses a module without the function when a query starts (the module is imported only then)', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    await expect(engine.execute(`${DDL} CREATE FUNCTION nope AS 'count-char.js'; INSERT INTO out SELECT w, nope(w) FROM words;`,
      { file: path.join(__dirname, 'fixtures', 'udf.sql') }))
      .rejects.toThrow(/exports no function 'nope'/);
  });
  it('fails the query when a result is not of the declared type, naming the function, the value and the row (never 0)', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('sloppy', (s: string | null) => (s === 'two' ? 'str' : 1), { returns: 'INT' });
    const [q] = await engine.execute(`${DDL} INSERT INTO out SELECT w, sloppy(w) FROM words;`);
    engine.input('words').push([{ w: 'one' }, { w: 'two' }]);
    const err = await q!.processAllAvailable().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).code).toBe('RUNTIME');
    expect((err as WeirError).message).toBe(`function sloppy returned "str" on the row with sloppy('two'), which is not an integer: it declares INT`);
    expect(engine.output('out').rows()).toEqual([]);
    await engine.stop();
  });

  it('refuses an async function when it is registered, through the API or a module', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const err = (() => { try { engine.registerFunction('later', async (s: string) => s, { returns: 'STRING' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(WeirError);
    expect((err as WeirError).message).toBe('function later is an async function: async functions are not supported; '
      + 'a scalar function must return its value synchronously (load what it needs before the query starts)');
    const sql = `${DDL}\nCREATE FUNCTION slow_upper AS 'async-fn.mjs';\nINSERT INTO out SELECT w, CHAR_LENGTH(slow_upper(w)) FROM words;`;
    const err2 = await engine.execute(sql, { file: path.join(__dirname, 'fixtures', 'udf.sql') }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(WeirError);
    expect((err2 as WeirError).message).toContain('function slow_upper is an async function: async functions are not supported');
    expect((err2 as WeirError).span).toMatchObject({ line: 4, column: 1 });
    await engine.stop();
  });

  it('fails the query when a plain function returns a Promise', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerFunction('promising', (s: string | null) => Promise.resolve(s), { returns: 'STRING' });
    const [q] = await engine.execute(`${DDL} INSERT INTO out SELECT promising(w), 1 FROM words;`);
    engine.input('words').push([{ w: 'a' }]);
    const err = await q!.processAllAvailable().catch((e: unknown) => e);
    expect((err as WeirError).message).toContain("function promising returned a Promise on the row with promising('a'): async functions are not supported");
    await engine.stop();
  });
});
