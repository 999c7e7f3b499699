/**
 * Grouping keys through SQL: values that the old key encoding (String(v) joined by an unescaped
 * \u0001) merged or split are their own groups, and values SQL groups together meet.
 */
import { afterEach, describe, it } from 'vitest';
import { addData, checkAnswer, testStream } from '../../support/stream-test.js';
import { removeTempDirs } from '../../support/recovery.js';

afterEach(removeTempDirs);

describe('group keys through SQL', () => {
  it('keeps the string pairs (x\\u0001sy, z) and (x, y\\u0001sz) apart', async () => {
    await testStream(`
      CREATE TABLE t (a STRING, b STRING, v INT) WITH ('connector' = 'memory');
      CREATE TABLE out (a STRING, b STRING, n BIGINT, total BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT a, b, COUNT(*), SUM(v) FROM t GROUP BY a, b;`, [
      addData('t', [{ a: 'x\u0001sy', b: 'z', v: 1 }, { a: 'x', b: 'y\u0001sz', v: 10 }, { a: 'x', b: 'y\u0001sz', v: 100 }]),
      checkAnswer('out', [{ a: 'x\u0001sy', b: 'z', n: 1, total: 1 }, { a: 'x', b: 'y\u0001sz', n: 2, total: 110 }]),
    ]);
  });

  it('groups by a ROW value: equal ROW values meet, different ones stay apart', async () => {
    await testStream(`
      CREATE TABLE t (r ROW<a INT, b STRING>, v INT) WITH ('connector' = 'memory');
      CREATE TABLE out (r ROW<a INT, b STRING>, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT r, COUNT(*) FROM t GROUP BY r;`, [
      addData('t', [{ r: { a: 1, b: 'x' }, v: 1 }, { r: { a: 2, b: 'x' }, v: 1 }, { r: { a: 1, b: 'x' }, v: 1 }]),
      addData('t', [{ r: { a: 1, b: 'x' }, v: 1 }, { r: { a: 1, b: null }, v: 1 }]),
      checkAnswer('out', [{ r: { a: 1, b: 'x' }, n: 3 }, { r: { a: 2, b: 'x' }, n: 1 }, { r: { a: 1, b: null }, n: 1 }]),
    ]);
  });

  it('groups a window aggregation by a ROW value (one group per equal ROW value, not per row object)', async () => {
    await testStream(`
      CREATE TABLE t (r ROW<a INT, b STRING>, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'memory');
      CREATE TABLE out (r ROW<a INT, b STRING>, window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT r, window_start, COUNT(*)
        FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY r, window_start, window_end;`, [
      addData('t', [{ r: { a: 1, b: 'x' }, ts: 1000 }, { r: { a: 1, b: 'x' }, ts: 2000 }, { r: { a: 2, b: 'x' }, ts: 3000 }]),
      addData('t', [{ r: { a: 1, b: 'x' }, ts: 4000 }, { r: { a: 9, b: 'z' }, ts: 20_000 }]),
      checkAnswer('out', [{ r: { a: 1, b: 'x' }, window_start: 0, n: 3 }, { r: { a: 2, b: 'x' }, window_start: 0, n: 1 }]),
    ]);
  });

  it('groups NaN with NaN and -0 with 0, as DuckDB does', async () => {
    await testStream(`
      CREATE TABLE t (d DOUBLE, k STRING) WITH ('connector' = 'memory');
      CREATE TABLE out (d DOUBLE, k STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT d, k, COUNT(*) FROM t GROUP BY d, k;`, [
      addData('t', [{ d: NaN, k: 'a' }, { d: 0, k: 'a' }, { d: 1.5, k: 'a' }]),
      addData('t', [{ d: NaN, k: 'a' }, { d: -0, k: 'a' }, { d: 0, k: 'b' }]),
      checkAnswer('out', [{ d: NaN, k: 'a', n: 2 }, { d: 0, k: 'a', n: 2 }, { d: 1.5, k: 'a', n: 1 }, { d: 0, k: 'b', n: 1 }]),
    ]);
  });

  it('joins on a ROW key and on two string keys with separators', async () => {
    await testStream(`
      CREATE TABLE l (r ROW<a INT, b STRING>, s1 STRING, s2 STRING, x INT) WITH ('connector' = 'memory');
      CREATE TABLE rr (r ROW<a INT, b STRING>, s1 STRING, s2 STRING, y INT) WITH ('connector' = 'memory');
      CREATE TABLE out1 (x INT, y INT) WITH ('connector' = 'memory');
      CREATE TABLE out2 (x INT, y INT) WITH ('connector' = 'memory');
      INSERT INTO out1 SELECT l.x, rr.y FROM l JOIN rr ON l.r = rr.r;
      INSERT INTO out2 SELECT l.x, rr.y FROM l JOIN rr ON l.s1 = rr.s1 AND l.s2 = rr.s2;`, [
      addData('l', [{ r: { a: 1, b: 'x' }, s1: 'x\u0001sy', s2: 'z', x: 1 }, { r: { a: 2, b: 'x' }, s1: 'x', s2: 'y\u0001sz', x: 2 }]),
      addData('rr', [{ r: { a: 1, b: 'x' }, s1: 'x', s2: 'y\u0001sz', y: 10 }]),
      checkAnswer('out1', [{ x: 1, y: 10 }]),
      checkAnswer('out2', [{ x: 2, y: 10 }]),
    ]);
  });

  it('ranks a Top-N partitioned by separator strings and a DECIMAL (keyed by its encoding)', async () => {
    await testStream(`
      CREATE TABLE t (a STRING, b STRING, d DECIMAL(10, 2), v INT) WITH ('connector' = 'memory');
      CREATE TABLE out (a STRING, b STRING, d DECIMAL(10, 2), v INT) WITH ('connector' = 'memory');
      INSERT INTO out SELECT a, b, d, v FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY a, b, d ORDER BY v DESC) AS rn FROM t) WHERE rn <= 1;`, [
      addData('t', [{ a: 'x\u0001sy', b: 'z', d: 1.5, v: 5 }, { a: 'x', b: 'y\u0001sz', d: 1.5, v: 1 }]),
      addData('t', [{ a: 'x\u0001sy', b: 'z', d: 1.5, v: 9 }, { a: 'x', b: 'y\u0001sz', d: 2, v: 7 }, { a: 'x', b: 'y\u0001sz', d: 2, v: 3 }]),
      checkAnswer('out', [
        { a: 'x\u0001sy', b: 'z', d: 1.5, v: 9 }, { a: 'x', b: 'y\u0001sz', d: 1.5, v: 1 }, { a: 'x', b: 'y\u0001sz', d: 2, v: 7 },
      ]),
    ]);
  });
});
