/**
 * State TTL on Top-N and deduplication against a model of Flink's rule: batches of rows at random
 * processing times (and a restart in the middle), each checked against plain maps that keep the top
 * 2 rows of each partition and expire a partition no row entered for the TTL (lastWrite + ttl <= now):
 * a later row starts it over, ranked among the rows after it, and the upsert sink keeps what was
 * emitted for the old one until replaced (nothing retracted). Keep-first deduplication emits a key
 * again once it expired. EXPLAIN shows `state ttl`, progress numRowsExpired. Seeded (fast-check);
 * replay with WEIR_SEED.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { fcParams } from '../support/property.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, advanceClock, checkAnswer, checkProgress, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';

afterAll(removeTempDirs);

const TTL = 10_000;
const DDL = `SET 'table.exec.state.ttl' = '10 s';
  CREATE TABLE t (k STRING, v BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE o (k STRING, v BIGINT, rn BIGINT, PRIMARY KEY (k, rn) NOT ENFORCED) WITH ('connector' = 'memory');`;
const TOP2 = `INSERT INTO o SELECT k, v, rn FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM t) WHERE rn <= 2;`;

interface Step { readonly advanceMs: number; readonly rows: readonly { k: string; v: number }[] }

const stepArb: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.constantFrom(0, 1000, 4000, 9999, 10_000, 15_000),
  rows: fc.array(fc.record({ k: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 6 }),
});

/** The top 2 per partition (ties: the earlier row) in state, and the upsert sink by (k, rn), after each step; and the expiries per step. */
function model(steps: readonly Step[]): { sinks: Row[][]; expired: number[] } {
  const state = new Map<string, { rows: number[]; lastWrite: number }>();
  const sink = new Map<string, Row>();
  const sinks: Row[][] = [], expired: number[] = [];
  let now = 0;
  for (const step of steps) {
    now += step.advanceMs;
    let gone = 0;
    for (const [k, p] of state) if (p.lastWrite + TTL <= now) { state.delete(k); gone++; }
    for (const r of step.rows) {
      const p = state.get(r.k) ?? { rows: [], lastWrite: now };
      const at = p.rows.findIndex((v) => r.v > v);
      const pos = at < 0 ? p.rows.length : at;
      if (pos >= 2) continue; // not in the top 2: nothing written
      p.rows.splice(pos, 0, r.v);
      p.rows.length = Math.min(p.rows.length, 2);
      p.lastWrite = now;
      state.set(r.k, p);
      p.rows.forEach((v, i) => sink.set(`${r.k}/${i + 1}`, { k: r.k, v, rn: i + 1 }));
    }
    sinks.push([...sink.values()]);
    expired.push(gone);
  }
  return { sinks, expired };
}

function actions(steps: readonly Step[], expected: ReturnType<typeof model>, restartAt: number): Action[] {
  return steps.flatMap((step, i) => [
    ...(i === restartAt ? [stopAndRestart()] : []),
    ...(step.advanceMs > 0 ? [advanceClock(step.advanceMs)] : []),
    addData('t', step.rows),
    checkAnswer('o', expected.sinks[i]!),
    checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired, `expired in step ${i}`).toBe(expected.expired[i])),
  ]);
}

describe('state TTL on Top-N against a model', () => {
  it('top 2 per key in update mode, with a restart: every batch matches the model', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 6 }), fc.nat(), async (steps, r) => {
      await testStream(`${DDL} ${TOP2}`, actions(steps, model(steps), 1 + (r % (steps.length - 1))), { checkpointDir: tempDir('state-ttl-topn-') });
    }), fcParams({ numRuns: 5 }));
  }, 60_000);

  it('the model itself: a partition written within the TTL keeps its rows, one past it starts over', () => {
    const steps: Step[] = [
      { advanceMs: 0, rows: [{ k: 'a', v: 5 }, { k: 'a', v: 7 }] },
      { advanceMs: 9999, rows: [{ k: 'a', v: 1 }] }, // not in the top 2: no write
      { advanceMs: 1, rows: [{ k: 'a', v: 2 }] }, // 10 s after the last write: expired, starts over
    ];
    const m = model(steps);
    expect(m.sinks[2]).toEqual([{ k: 'a', v: 2, rn: 1 }, { k: 'a', v: 5, rn: 2 }]);
    expect(m.expired).toEqual([0, 0, 1]);
  });

  it('EXPLAIN shows the TTL on Top-N and deduplication, not on a window Top-N', async () => {
    const text = await new Engine().explain(`${DDL} ${TOP2}`);
    expect(text).toMatch(/TopN\(.*mode=update, state ttl 10 s\) \[operator 0\]/);
  });

  it('keep-first deduplication emits a key again once its state expired', async () => {
    const sql = `SET 'table.exec.state.ttl' = '10 s';
      CREATE TABLE t (k STRING, v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'memory');
      CREATE TABLE d (k STRING, v BIGINT) WITH ('connector' = 'memory');
      INSERT INTO d SELECT k, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt ASC) AS rn FROM t) WHERE rn = 1;`;
    expect(await new Engine().explain(sql)).toMatch(/TopN\(.*mode=append, state ttl 10 s\)/);
    await testStream(sql, [
      addData('t', [{ k: 'a', v: 1 }, { k: 'a', v: 2 }, { k: 'b', v: 3 }]),
      advanceClock(9000),
      addData('t', [{ k: 'a', v: 4 }]), // still within the TTL: a duplicate (and no write)
      checkAnswer('d', [{ k: 'a', v: 1 }, { k: 'b', v: 3 }]),
      advanceClock(1000),
      addData('t', [{ k: 'a', v: 5 }]), // 10 s after a's only write: expired, a first row again
      checkAnswer('d', [{ k: 'a', v: 1 }, { k: 'b', v: 3 }, { k: 'a', v: 5 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsExpired).toBe(2)),
    ]);
  });
});
