/**
 * `SET 'table.exec.state.ttl'` on a regular GROUP BY, with Flink's semantics: a key not written for
 * the TTL (the batches' processing time) has expired; a row for it starts a new group and the old
 * result is not retracted; a key written within the TTL keeps its state; expired keys are dropped
 * from state as batches run and counted in progress; the last-write times survive a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import type { WeirError } from '../../src/common/errors.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, advanceClock, checkAnswer, checkProgress, execute, stopAndRestart, testStream } from '../support/stream-test.js';

afterAll(removeTempDirs);

const DDL = `
  CREATE TABLE t (k STRING, v BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE o (k STRING, n BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
`;
const QUERY = 'INSERT INTO o SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k;';
const MIN = 60_000;

describe('state TTL on GROUP BY', () => {
  it('a key untouched past the TTL starts over; a key written within it keeps its state', async () => {
    await testStream(`SET 'table.exec.state.ttl' = '10 min';${DDL}${QUERY}`, [
      addData('t', [{ k: 'a', v: 1 }, { k: 'a', v: 2 }, { k: 'b', v: 10 }]),
      checkAnswer('o', [{ k: 'a', n: 2, s: 3 }, { k: 'b', n: 1, s: 10 }]),
      advanceClock(6 * MIN),
      addData('t', [{ k: 'b', v: 20 }]), // b written at 6 min: kept until 16 min
      checkAnswer('o', [{ k: 'a', n: 2, s: 3 }, { k: 'b', n: 2, s: 30 }]),
      advanceClock(4 * MIN), // 10 min: a (last written at 0) has expired, b has not
      addData('t', [{ k: 'a', v: 5 }, { k: 'b', v: 5 }]),
      // a starts a new group: its new result replaces the old one by key (nothing retracted before it)
      checkAnswer('o', [{ k: 'a', n: 1, s: 5 }, { k: 'b', n: 3, s: 35 }]),
      checkProgress((p) => {
        expect(p.stateOperators[0]!.numRowsExpired).toBe(1);
        expect(p.stateOperators[0]!.numRowsTotal).toBe(2);
      }),
    ]);
  });

  it('drops expired keys from state as batches run, counts them in progress, and sends no retraction', async () => {
    const sql = `SET 'table.exec.state.ttl' = '1 h';${DDL}
      CREATE TABLE c (k STRING, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO c SELECT k, COUNT(*) FROM t GROUP BY k;`;
    await testStream(sql, [
      addData('t', [{ k: 'x', v: 1 }, { k: 'y', v: 1 }, { k: 'z', v: 1 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBe(0)),
      advanceClock(30 * MIN),
      addData('t', [{ k: 'z', v: 1 }]),
      advanceClock(30 * MIN), // x and y: 1 h unwritten
      addData('t', [{ k: 'w', v: 1 }]),
      checkProgress((p) => {
        expect(p.stateOperators[0]!.numRowsExpired).toBe(2);
        expect(p.stateOperators[0]!.numRowsTotal).toBe(2); // z and w
      }),
      addData('t', [{ k: 'x', v: 1 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBe(0)),
      execute((env) => {
        const changes = env.engine.output('c').changes().map((c) => `${c.kind} ${c.row.k} ${c.row.n}`);
        // x's first result is never retracted: its new group is a fresh insert
        expect(changes.filter((c) => c.includes(' x '))).toEqual(['insert x 1', 'insert x 1']);
      }),
    ]);
  });

  it('keeps the last-write times across a restart', async () => {
    await testStream(`SET 'table.exec.state.ttl' = '10 min';${DDL}${QUERY}`, [
      addData('t', [{ k: 'a', v: 1 }]),
      advanceClock(5 * MIN),
      addData('t', [{ k: 'b', v: 1 }]),
      stopAndRestart(),
      advanceClock(5 * MIN), // 10 min: a expired, b (5 min) not
      addData('t', [{ k: 'a', v: 7 }, { k: 'b', v: 7 }]),
      checkAnswer('o', [{ k: 'a', n: 1, s: 7 }, { k: 'b', n: 2, s: 8 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBe(1)),
      stopAndRestart(),
      advanceClock(9 * MIN), // 19 min: a and b were written at 10 min
      addData('t', [{ k: 'a', v: 1 }]),
      checkAnswer('o', [{ k: 'a', n: 2, s: 8 }, { k: 'b', n: 2, s: 8 }]),
    ], { checkpointDir: tempDir('state-ttl-') });
  });

  it('without the setting state is kept forever (no expiry, no count in progress)', async () => {
    await testStream(`${DDL}${QUERY}`, [
      addData('t', [{ k: 'a', v: 1 }]),
      advanceClock(1000 * 24 * 60 * MIN),
      addData('t', [{ k: 'a', v: 1 }]),
      checkAnswer('o', [{ k: 'a', n: 2, s: 2 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBeUndefined()),
    ]);
  });

  it('shows the TTL in EXPLAIN on the aggregate line', async () => {
    for (const [text, shown] of [['1 h', '1 h'], ['30 min', '30 min'], ['90 s', '90 s'], ['100 ms', '100 ms'], ['7200000', '2 h']]) {
      const plan = await new Engine().explain(`SET 'table.exec.state.ttl' = '${text}';${DDL}${QUERY}`);
      expect(plan).toMatch(new RegExp(`Aggregate\\(keys=\\[k#0\\], aggs=\\[.*\\], mode=update, state ttl ${shown}\\) \\[operator 0\\]`));
    }
    expect(await new Engine().explain(`${DDL}${QUERY}`)).not.toContain('state ttl');
    expect(await new Engine().explain(`SET 'table.exec.state.ttl' = '0';${DDL}${QUERY}`)).not.toContain('state ttl');
  });

  it('a bad duration is an error at the SET', async () => {
    const err = await new Engine().execute(`CREATE TABLE t (k STRING) WITH ('connector' = 'memory');\n  SET 'table.exec.state.ttl' = 'an hour';`, { file: 'q.sql' })
      .then(() => undefined, (e: WeirError) => e);
    expect(err).toBeDefined();
    expect(err!.format()).toMatch(/^q\.sql:2:3: .*SET 'table\.exec\.state\.ttl' = 'an hour': expected a duration such as '1 h', '30 min'/);
  });
});

describe('state TTL on regular joins', () => {
  const JOIN_DDL = `SET 'table.exec.state.ttl' = '10 min';
    CREATE TABLE l (k STRING, a STRING) WITH ('connector' = 'memory');
    CREATE TABLE r (k STRING, b STRING) WITH ('connector' = 'memory');
    CREATE TABLE j (k STRING, a STRING, b STRING) WITH ('connector' = 'memory');`;

  it('a stored row is matched within the TTL and never after it; progress counts the rows removed', async () => {
    await testStream(`${JOIN_DDL} INSERT INTO j SELECT l.k, a, b FROM l JOIN r ON l.k = r.k;`, [
      addData('l', [{ k: 'x', a: 'l0' }, { k: 'y', a: 'l0' }]),
      advanceClock(6 * MIN),
      addData('l', [{ k: 'x', a: 'l6' }]),
      addData('r', [{ k: 'x', b: 'r6' }]),
      checkAnswer('j', [{ k: 'x', a: 'l0', b: 'r6' }, { k: 'x', a: 'l6', b: 'r6' }]),
      advanceClock(4 * MIN), // 10 min: the rows stored at 0 are gone, those of 6 min are not
      addData('r', [{ k: 'x', b: 'r10' }, { k: 'y', b: 'r10' }]),
      checkAnswer('j', [{ k: 'x', a: 'l0', b: 'r6' }, { k: 'x', a: 'l6', b: 'r6' }, { k: 'x', a: 'l6', b: 'r10' }]),
      checkProgress((p) => {
        expect(p.stateOperators[0]!.numRowsExpired).toBe(2);
        expect(p.stateOperators[0]!.numRowsTotal).toBe(4); // l6, r6 and the two r10 rows
      }),
    ]);
  });

  it('keeps the storing times across a restart, and shows the TTL in EXPLAIN', async () => {
    const sql = `${JOIN_DDL} INSERT INTO j SELECT l.k, a, b FROM l LEFT JOIN r ON l.k = r.k;`;
    expect(await new Engine().explain(sql)).toMatch(/Join\(left, keys=\[k#0 = k#0\], retracting, state ttl 10 min\) \[operator 0\]/);
    await testStream(sql, [
      addData('l', [{ k: 'x', a: 'l0' }]),
      stopAndRestart(),
      advanceClock(10 * MIN),
      // x's left row expired: the right row finds nothing, and the padded row is not retracted
      addData('r', [{ k: 'x', b: 'r10' }]),
      checkAnswer('j', [{ k: 'x', a: 'l0', b: null }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBe(1)),
    ], { checkpointDir: tempDir('state-ttl-join-') });
  });
});
