/**
 * Process functions (TABLE(f(TABLE t PARTITION BY k))) through the stream DSL: value, list and map
 * state per key across a restart, event-time timers (fired by the watermark in time order, deleted,
 * restored after a restart), processing-time timers (fired by the clock), emitted rows checked, a
 * throwing function failing the query naming the key, and the refusals.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { addData, advanceClock, checkAnswer, expectFailure, stopAndRestart, testStream } from '../support/stream-test.js';

const FX = path.join(__dirname, 'fixtures', 'process');
const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-ptf-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
/** a TIMESTAMP as the memory sink gives it back: epoch milliseconds */
const ms = (s: number): number => T0 + s * 1000;

describe('keyed state', () => {
  const SQL = `
    CREATE FUNCTION counter AS '${FX}/state-kinds.mjs';
    CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, n INT, items STRING, seen INT, distinct_values INT) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM TABLE(counter(TABLE t PARTITION BY k));`;

  it('keeps value, list and map state per key, across a restart', async () => {
    await testStream(SQL, [
      addData('t', [{ k: 'a', v: 'x' }, { k: 'b', v: 'x' }, { k: 'a', v: 'y' }]),
      checkAnswer('out', [
        { k: 'a', n: 1, items: 'x', seen: 1, distinct_values: 1 },
        { k: 'b', n: 1, items: 'x', seen: 1, distinct_values: 1 },
        { k: 'a', n: 2, items: 'x,y', seen: 1, distinct_values: 2 },
      ]),
      stopAndRestart(),
      addData('t', [{ k: 'a', v: 'x' }, { k: 'b', v: 'reset' }, { k: 'b', v: 'z' }]),
      checkAnswer('out', [
        { k: 'a', n: 1, items: 'x', seen: 1, distinct_values: 1 },
        { k: 'b', n: 1, items: 'x', seen: 1, distinct_values: 1 },
        { k: 'a', n: 2, items: 'x,y', seen: 1, distinct_values: 2 },
        { k: 'a', n: 3, items: 'x,y,x', seen: 2, distinct_values: 2 },
        // 'reset' clears every state of b before it emits
        { k: 'b', n: 2, items: '', seen: null, distinct_values: 0 },
        { k: 'b', n: 1, items: 'z', seen: 1, distinct_values: 1 },
      ]),
    ], { checkpointDir: tmp() });
  });
});

describe('event-time timers', () => {
  const SQL = `
    CREATE FUNCTION timeout AS '${FX}/event-timeout.mjs';
    CREATE TABLE t (k STRING, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, fired_at TIMESTAMP(3), cnt INT, wm TIMESTAMP(3), row_time TIMESTAMP(3)) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM TABLE(timeout(TABLE t PARTITION BY k, 10000));`;

  it('fire when the watermark passes them, in time order, before the later rows; survive a restart', async () => {
    const env = await testStream(SQL, [
      addData('t', [{ k: 'a', v: '', ts: at(0) }, { k: 'b', v: '', ts: at(3) }, { k: 'a', v: '', ts: at(2) }]),
      // watermark 3 s: nothing due (a at 12 s, b at 13 s)
      checkAnswer('out', []),
      stopAndRestart(),
      // this batch runs at watermark 3 s; its rows re-arm b (at 25 s); the next batch's watermark (15 s) fires a
      addData('t', [{ k: 'b', v: '', ts: at(15) }, { k: 'c', v: '', ts: at(14) }, { k: 'd', v: '', ts: at(15) }, { k: 'd', v: 'cancel', ts: at(15) }]),
      checkAnswer('out', [{ k: 'a', fired_at: ms(12), cnt: 2, wm: ms(15), row_time: ms(12) }]),
      addData('t', [{ k: 'e', v: '', ts: at(40) }]),
    ], { checkpointDir: tmp() });
    // watermark 40 s fires c (24 s) then b (25 s), in time order; d's timer was deleted
    const rows = env.engine.output('out').rows();
    expect(rows.slice(1)).toEqual([
      { k: 'c', fired_at: ms(24), cnt: 1, wm: ms(40), row_time: ms(24) },
      { k: 'b', fired_at: ms(25), cnt: 2, wm: ms(40), row_time: ms(25) },
    ]);
  });

  it('all fire when the bounded input ends (the watermark goes to +infinity)', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const [q] = await engine.execute(SQL);
    engine.input('t').push([{ k: 'a', v: '', ts: at(0) }, { k: 'b', v: '', ts: at(1) }]);
    engine.input('t').end();
    await q!.awaitTermination(10_000);
    expect(engine.output('out').rows().map((r) => [r.k, r.fired_at, r.cnt])).toEqual([['a', ms(10), 1], ['b', ms(11), 1]]);
    // ctx.watermark is +Infinity then: the fixture emits it as NULL
    expect(engine.output('out').rows().map((r) => r.wm)).toEqual([null, null]);
  });
});

describe('processing-time timers', () => {
  const SQL = `
    CREATE FUNCTION ticker AS '${FX}/proc-timer.mjs';
    CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, cnt INT, fired_at BIGINT, domain STRING, key_text STRING) WITH ('connector' = 'memory');
    INSERT INTO out SELECT * FROM TABLE(ticker(TABLE t PARTITION BY k));`;

  it('fire when the clock passes them, also after a restart', async () => {
    await testStream(SQL, [
      addData('t', [{ k: 'a', v: '' }, { k: 'a', v: '' }]),
      advanceClock(500),
      addData('t', [{ k: 'b', v: '' }, { k: 'a', v: '' }]),
      checkAnswer('out', []),
      advanceClock(500),
      checkAnswer('out', [{ k: 'a', cnt: 3, fired_at: 1000, domain: 'processing', key_text: '{"k":"a"}' }]),
      stopAndRestart(),
      advanceClock(499),
      checkAnswer('out', [{ k: 'a', cnt: 3, fired_at: 1000, domain: 'processing', key_text: '{"k":"a"}' }]),
      advanceClock(1),
      checkAnswer('out', [
        { k: 'a', cnt: 3, fired_at: 1000, domain: 'processing', key_text: '{"k":"a"}' },
        { k: 'b', cnt: 1, fired_at: 1500, domain: 'processing', key_text: '{"k":"b"}' },
      ]),
    ], { checkpointDir: tmp() });
  });
});

describe('mistakes', () => {
  const DDL = (fn: string, exportName = fn) => `
    CREATE FUNCTION ${fn} AS '${FX}/bad-process.mjs';
    CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'memory');
    CREATE TABLE out (k STRING, x INT) WITH ('connector' = 'memory');
    ${exportName === fn ? '' : ''}`;

  async function failure(sql: string, rows: object[] = []): Promise<Error> {
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const [q] = await engine.execute(sql);
      engine.input('t').push(rows as never[]);
      await q!.awaitTermination(5_000);
      throw new Error('the query did not fail');
    } catch (e) {
      // a user mistake in the SQL: FILE:LINE:COLUMN: message (as the CLI prints it)
      return e instanceof WeirError && e.span ? new Error(e.format()) : e as Error;
    } finally {
      await engine.stop();
    }
  }

  it('a throwing function fails the query naming the function and the key; the batch rolls back', async () => {
    (globalThis as Record<string, unknown>).__weirPtfFail = true;
    const SQL = `
      CREATE FUNCTION flaky AS '${FX}/bad-process.mjs';
      CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (k STRING, n INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT * FROM TABLE(flaky(TABLE t PARTITION BY k));`;
    try {
      await testStream(SQL, [
        addData('t', [{ k: 'a', v: '' }]),
        { describe: 'push the bad row', run: async (env) => { env.engine.input('t').push([{ k: 'a', v: '' }, { k: 'a', v: 'boom' }]); } },
        expectFailure(/process function flaky \(key k="a"\) failed on the row \{"k":"a","v":"boom"\}: boom/),
        // the failed batch wrote nothing: run again, it counts from the committed state (1)
        { describe: 'stop failing', run: async () => { (globalThis as Record<string, unknown>).__weirPtfFail = false; } },
        stopAndRestart(),
        checkAnswer('out', [{ k: 'a', n: 1 }, { k: 'a', n: 2 }, { k: 'a', n: 3 }]),
      ], { checkpointDir: tmp() });
    } finally {
      delete (globalThis as Record<string, unknown>).__weirPtfFail;
    }
  });

  it('state must be plain data; emitted values must fit the declared types', async () => {
    const e1 = await failure(`${DDL('not_plain')} INSERT INTO out SELECT * FROM TABLE(not_plain(TABLE t PARTITION BY k));`, [{ k: 'a', v: '' }]);
    expect(e1.message).toMatch(/process function not_plain \(key k="a"\): the value of state 'when' must be plain data .* got an object of class Map/);
    const e2 = await failure(`${DDL('emits_wrong')} INSERT INTO out SELECT * FROM TABLE(emits_wrong(TABLE t PARTITION BY k));`, [{ k: 'a', v: '' }]);
    expect(e2.message).toMatch(/emits_wrong \(column x\) returned "text"/);
    const e3 = await failure(`${DDL('no_on_timer')} INSERT INTO out SELECT * FROM TABLE(no_on_timer(TABLE t PARTITION BY k));`, [{ k: 'a', v: '' }]);
    expect(e3.message).toMatch(/process function no_on_timer \(key k="a"\) registers a timer but has no onTimer/);
  });

  it('refuses state without PARTITION BY, a function of another kind, a wrong returns, a missing process', async () => {
    // without PARTITION BY the table has row semantics (process-tables.test.ts): no key, so state is refused when used
    const e1 = await failure(`${DDL('not_plain')} INSERT INTO out SELECT 'k', x FROM TABLE(not_plain(TABLE t));`, [{ k: 'a', v: '' }]);
    expect(e1.message).toMatch(/process function not_plain used ctx.state, but its table has row semantics \(no PARTITION BY\)/);
    const e2 = await failure(`${DDL('plain_scalar')} INSERT INTO out SELECT * FROM TABLE(plain_scalar(TABLE t PARTITION BY k));`);
    expect(e2.message).toMatch(/plain_scalar is a scalar function, not a process function: TABLE\(plain_scalar\(TABLE t PARTITION BY k\)\)/);
    const e3 = await failure(`${DDL('bad_returns')} INSERT INTO out SELECT * FROM TABLE(bad_returns(TABLE t PARTITION BY k));`);
    expect(e3.message).toMatch(/function bad_returns of module '.*bad-process.mjs': 'returns': .*FOO/);
    const e4 = await failure(`${DDL('no_process')} INSERT INTO out SELECT * FROM TABLE(no_process(TABLE t PARTITION BY k));`);
    expect(e4.message).toMatch(/function no_process of module .*: a function of kind 'process' needs a method 'process'/);
    const e5 = await failure(`${DDL('throws')} INSERT INTO out SELECT * FROM TABLE(throws(TABLE t PARTITION BY UPPER(k)));`);
    expect(e5.message).toMatch(/PARTITION BY of process function throws takes column names/);
    const e6 = await failure(`${DDL('throws')} INSERT INTO out SELECT * FROM TABLE(throws(TABLE t PARTITION BY k, RAND()));`);
    expect(e6.message).toMatch(/:\d+:\d+: the scalar arguments of process function throws must be constants/);
  });

  it('refuses through the API: registerProcessFunction checks the shape', () => {
    const engine = new Engine();
    expect(() => engine.registerProcessFunction('f', { returns: 'n NOPE', process() {} })).toThrow(/function f: 'returns': .*NOPE/);
    expect(() => engine.registerProcessFunction('f', { returns: 'n INT' } as never)).toThrow(/needs a method 'process'/);
    expect(() => engine.registerProcessFunction('f', { returns: 'n INT', async process() {} } as never)).toThrow(/'process' is an async function/);
  });

  it('refuses a table function and an aggregate in TABLE(…), and an input that updates', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerTableFunction('split', { returns: 'w STRING', eval: () => [] });
    engine.registerProcessFunction('pf', { returns: 'n INT', process() {} });
    await engine.execute(`CREATE TABLE t (k STRING, v STRING) WITH ('connector' = 'memory');`);
    await expect(engine.explain(`SELECT * FROM TABLE(split(TABLE t PARTITION BY k))`)).rejects.toThrow(/split is a table function \(call it in LATERAL TABLE\(…\)\), not a process function/);
    await engine.execute('CREATE VIEW counts AS SELECT k, COUNT(*) AS c FROM t GROUP BY k;');
    await expect(engine.explain(`SELECT * FROM TABLE(pf(TABLE counts PARTITION BY k))`))
      .rejects.toThrow(/process function pf over a result that updates .* is not supported yet/);
    await expect(engine.explain(`SELECT * FROM TABLE(pf(TABLE t PARTITION BY k, cnt => 3))`)).rejects.toThrow(/named scalar arguments .* not supported yet/);
    await expect(engine.explain(`SELECT * FROM TABLE(pf(TABLE t PARTITION BY k, v))`)).rejects.toThrow(/column 'v' not found/);
  });
});

describe('EXPLAIN', () => {
  it('shows the process function, its partition keys, arguments and time column', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    engine.registerProcessFunction('pf', { returns: 'n INT, note STRING', process() {} });
    await engine.execute(`CREATE TABLE t (k STRING, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');`);
    const text = await engine.explain(`SELECT k, n FROM TABLE(pf(TABLE t PARTITION BY k, 5, 'x')) WHERE n > 1`);
    expect(text).toContain("ProcessFunction(pf(partitionBy=[k#0], args=[5, 'x'], time=ts#2, columns=[n, note]), emit=append) [operator 0]");
  });
});

describe('the call', () => {
  it('takes several partition columns, a WITH query, and shows rows as objects with epoch-ms times', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const seen: unknown[] = [];
    engine.registerProcessFunction('echo', {
      returns: 'n INT, arg STRING',
      process(row, ctx, arg) {
        const c = ctx as { key: unknown; timestamp: unknown; state: { value(n: string): unknown; update(n: string, v: unknown): void }; emit(r: unknown): void };
        seen.push([row, c.key, c.timestamp]);
        const n = ((c.state.value('n') as number | null) ?? 0) + 1;
        c.state.update('n', n);
        c.emit([n, arg]);
      },
    });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE t (a STRING, b INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
        CREATE TABLE out (a STRING, b INT, n INT, arg STRING) WITH ('connector' = 'memory');
        INSERT INTO out WITH w AS (SELECT a, b, ts FROM t WHERE b > 0)
          SELECT * FROM TABLE(echo(TABLE w PARTITION BY (a, b), 'hi'));`);
      engine.input('t').push([{ a: 'x', b: 1, ts: at(1) }, { a: 'x', b: 2, ts: at(2) }, { a: 'x', b: 1, ts: at(3) }, { a: 'y', b: -1, ts: at(4) }]);
      await q!.processAllAvailable();
      expect(engine.output('out').rows()).toEqual([
        { a: 'x', b: 1, n: 1, arg: 'hi' }, { a: 'x', b: 2, n: 1, arg: 'hi' }, { a: 'x', b: 1, n: 2, arg: 'hi' },
      ]);
      expect(seen[0]).toEqual([{ a: 'x', b: 1, ts: ms(1) }, { a: 'x', b: 1 }, ms(1)]);
    } finally {
      await engine.stop();
    }
  });
});

describe('on_time', () => {
  it('adds a rowtime column (row time, or timer time) that a window downstream can use', async () => {
    const SQL = `
      CREATE FUNCTION timeout AS '${FX}/event-timeout.mjs';
      CREATE TABLE t (k STRING, v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
      CREATE VIEW fired AS SELECT * FROM TABLE(timeout(input => TABLE t PARTITION BY k, 10000, on_time => DESCRIPTOR(ts), uid => 'timeouts'));
      CREATE TABLE out (k STRING, fired_at TIMESTAMP(3), rowtime TIMESTAMP(3)) WITH ('connector' = 'memory');
      CREATE TABLE per_minute (window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT k, fired_at, rowtime FROM fired;
      INSERT INTO per_minute SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE fired, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
        GROUP BY window_start, window_end;`;
    const engine = new Engine({ clock: new ManualClock(0) });
    const queries = await engine.execute(SQL);
    engine.input('t').push([{ k: 'a', v: '', ts: at(0) }, { k: 'b', v: '', ts: at(55) }, { k: 'c', v: '', ts: at(70) }]);
    engine.input('t').end();
    for (const q of queries) await q.awaitTermination(10_000);
    expect(engine.output('out').rows()).toEqual([
      { k: 'a', fired_at: ms(10), rowtime: ms(10) }, { k: 'b', fired_at: ms(65), rowtime: ms(65) }, { k: 'c', fired_at: ms(80), rowtime: ms(80) },
    ]);
    expect(engine.output('per_minute').rows()).toEqual([{ window_start: ms(0), n: 1 }, { window_start: ms(60), n: 2 }]);
    expect(await engine.explain('SELECT * FROM fired')).toContain('columns=[fired_at, cnt, wm, row_time, rowtime]');
  });
});
