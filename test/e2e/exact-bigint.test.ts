/**
 * BIGINT is an int64 from input to sink: values beyond 2^53 keep every digit through filters,
 * arithmetic, casts, group keys, joins and aggregates, and an overflow fails the query naming the
 * expression and the value (never a wrapped or rounded number).
 */
import { describe, it } from 'vitest';
import { addData, checkAnswer, expectFailure, testStream } from '../support/stream-test.js';

const P53 = 9007199254740992n; // 2^53: the first integer a double cannot tell from its neighbour
const MAX = 9223372036854775807n;

const DDL = `
  CREATE TABLE t (k BIGINT, v BIGINT, s STRING) WITH ('connector' = 'memory');
`;

describe('exact BIGINT', () => {
  it('keeps 2^53 and 2^53 + 1 apart as group keys and sums exactly', async () => {
    await testStream(`${DDL}
      CREATE TABLE o (k BIGINT, total BIGINT, n BIGINT, mx BIGINT, mn BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, SUM(v), COUNT(*), MAX(v), MIN(v) FROM t GROUP BY k;`, [
      addData('t', [
        { k: P53, v: P53 + 1n, s: 'a' }, { k: P53 + 1n, v: 1, s: 'b' }, { k: P53 + 1n, v: 2, s: 'c' },
        { k: -P53 - 1n, v: MAX, s: 'd' }, { k: -P53 - 1n, v: -MAX, s: 'e' }, { k: 7, v: P53 + 3n, s: 'f' },
      ]),
      checkAnswer('o', [
        { k: P53, total: P53 + 1n, n: 1, mx: P53 + 1n, mn: P53 + 1n },
        { k: P53 + 1n, total: 3, n: 2, mx: 2, mn: 1 },
        { k: -P53 - 1n, total: 0, n: 2, mx: MAX, mn: -MAX },
        { k: 7, total: P53 + 3n, n: 1, mx: P53 + 3n, mn: P53 + 3n },
      ]),
      // a sum may pass 2^63 on the way as long as the result is back in range
      addData('t', [{ k: 7, v: MAX, s: 'g' }, { k: 7, v: -MAX, s: 'h' }]),
      checkAnswer('o', [
        { k: P53, total: P53 + 1n, n: 1, mx: P53 + 1n, mn: P53 + 1n },
        { k: P53 + 1n, total: 3, n: 2, mx: 2, mn: 1 },
        { k: -P53 - 1n, total: 0, n: 2, mx: MAX, mn: -MAX },
        { k: 7, total: P53 + 3n, n: 3, mx: MAX, mn: -MAX },
      ]),
    ]);
  });

  it('filters, computes and casts beyond 2^53 exactly', async () => {
    await testStream(`${DDL}
      CREATE TABLE o (k BIGINT, v1 BIGINT, c BIGINT, txt STRING) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, v + 1, CAST(s AS BIGINT), CAST(v AS STRING) FROM t
        WHERE v = 9007199254740993 OR v > 9223372036854775805;`, [
      addData('t', [
        { k: 1, v: P53, s: '1' }, { k: 2, v: P53 + 1n, s: '9007199254740995' }, { k: 3, v: P53 + 2n, s: '3' },
        { k: 4, v: MAX - 1n, s: '-9223372036854775808' },
      ]),
      checkAnswer('o', [
        { k: 2, v1: P53 + 2n, c: P53 + 3n, txt: '9007199254740993' },
        { k: 4, v1: MAX, c: -MAX - 1n, txt: '9223372036854775806' },
      ]),
    ]);
  });

  it('joins on BIGINT keys beyond 2^53 without merging neighbours', async () => {
    await testStream(`${DDL}
      CREATE TABLE u (k BIGINT, name STRING) WITH ('connector' = 'memory');
      CREATE TABLE o (k BIGINT, s STRING, name STRING) WITH ('connector' = 'memory');
      INSERT INTO o SELECT t.k, t.s, u.name FROM t JOIN u ON t.k = u.k;`, [
      addData('u', [{ k: P53, name: 'even' }, { k: P53 + 1n, name: 'odd' }]),
      addData('t', [{ k: P53 + 1n, v: 0, s: 'x' }, { k: P53, v: 0, s: 'y' }, { k: P53 + 2n, v: 0, s: 'z' }]),
      checkAnswer('o', [{ k: P53 + 1n, s: 'x', name: 'odd' }, { k: P53, s: 'y', name: 'even' }]),
    ], { settings: { 'output-mode': 'append' } });
  });

  it('fails the query when SUM leaves the BIGINT range, naming the aggregate and the value', async () => {
    await testStream(`${DDL}
      CREATE TABLE o (k BIGINT, total BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, SUM(v) FROM t GROUP BY k;`, [
      addData('t', [{ k: 1, v: 9000000000000000000n, s: '' }]),
      checkAnswer('o', [{ k: 1, total: 9000000000000000000n }]),
      { describe: 'push the row that overflows', run: async (env) => { env.engine.input('t').push([{ k: 1, v: 9000000000000000000n, s: '' }]); } },
      expectFailure(/SUM\(v\) = 18000000000000000000 is out of range for BIGINT/),
    ]);
  });

  it('fails the query on an arithmetic overflow, naming the expression and the values', async () => {
    await testStream(`${DDL}
      CREATE TABLE o (k BIGINT, w BIGINT) WITH ('connector' = 'memory');
      INSERT INTO o SELECT k, v * 2 FROM t;`, [
      {
        describe: 'push a row whose double overflows', run: async (env) => { env.engine.input('t').push([{ k: 1, v: 5000000000000000000n, s: '' }]); },
      },
      expectFailure(/BIGINT overflow: 5000000000000000000 \* 2 = 10000000000000000000 is out of range for BIGINT in multiply\(v, 2\)/),
    ]);
  });
});
