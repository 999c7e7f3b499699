/**
 * State TTL on GROUP BY against a model of Flink's semantics: batches of rows at random processing
 * times (and a restart in the middle), each checked against a plain map that expires a key
 * unwritten for the TTL (lastWrite + ttl <= now) and starts it over. The sink is upserted by key, so
 * an expired key keeps its last row there until a new group for it replaces it. Complete mode shows
 * only the keys still in state. Seeded (fast-check); replay with WEIR_SEED.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fcParams } from '../support/property.js';
import { removeTempDirs, tempDir } from '../support/recovery.js';
import { addData, advanceClock, checkAnswer, stopAndRestart, testStream, type Action, type Row } from '../support/stream-test.js';

afterAll(removeTempDirs);

const TTL = 10_000;
const DDL = `SET 'table.exec.state.ttl' = '10 s';
  CREATE TABLE t (k STRING, v BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE o (k STRING, n BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');`;

interface Step { readonly advanceMs: number; readonly rows: readonly { k: string; v: number }[] }

const stepArb: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.constantFrom(0, 1000, 4000, 9999, 10_000, 15_000),
  rows: fc.array(fc.record({ k: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: -5, max: 5 }) }), { minLength: 1, maxLength: 6 }),
});

/** What Flink would hold (state) and what the upsert sink shows (sink) after each step. */
function model(steps: readonly Step[], complete: boolean): Row[][] {
  const state = new Map<string, { n: number; s: number; lastWrite: number }>();
  const sink = new Map<string, Row>();
  const out: Row[][] = [];
  let now = 0;
  for (const step of steps) {
    now += step.advanceMs;
    for (const [k, g] of state) if (g.lastWrite + TTL <= now) state.delete(k);
    for (const r of step.rows) {
      const g = state.get(r.k) ?? { n: 0, s: 0, lastWrite: now };
      g.n++; g.s += r.v; g.lastWrite = now;
      state.set(r.k, g);
      sink.set(r.k, { k: r.k, n: g.n, s: g.s });
    }
    out.push(complete ? [...state].map(([k, g]) => ({ k, n: g.n, s: g.s })) : [...sink.values()]);
  }
  return out;
}

function actions(steps: readonly Step[], expected: readonly Row[][], restartAt: number): Action[] {
  return steps.flatMap((step, i) => [
    ...(i === restartAt ? [stopAndRestart()] : []),
    ...(step.advanceMs > 0 ? [advanceClock(step.advanceMs)] : []),
    addData('t', step.rows),
    checkAnswer('o', expected[i]!),
  ]);
}

describe('state TTL against a model', () => {
  it('update mode, with a restart: every batch matches the model', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 8 }), fc.nat(), async (steps, r) => {
      const expected = model(steps, false);
      await testStream(`${DDL} INSERT INTO o SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k;`,
        actions(steps, expected, 1 + (r % (steps.length - 1))), { checkpointDir: tempDir('state-ttl-model-') });
    }), fcParams({ numRuns: 8 }));
  }, 60_000);

  it('complete mode shows only the keys still in state', async () => {
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 8 }), async (steps) => {
      const expected = model(steps, true);
      await testStream(`SET 'output-mode' = 'complete'; ${DDL} INSERT INTO o SELECT k, COUNT(*), SUM(v) FROM t GROUP BY k;`,
        actions(steps, expected, -1));
    }), fcParams({ numRuns: 8 }));
  }, 60_000);

  it('the model itself: a key written within the TTL survives, one past it starts over', () => {
    const steps: Step[] = [{ advanceMs: 0, rows: [{ k: 'a', v: 1 }] }, { advanceMs: 9999, rows: [{ k: 'a', v: 1 }] }, { advanceMs: 10_000, rows: [{ k: 'a', v: 3 }] }];
    expect(model(steps, false).map((rows) => rows[0])).toEqual([{ k: 'a', n: 1, s: 1 }, { k: 'a', n: 2, s: 2 }, { k: 'a', n: 1, s: 3 }]);
  });
});
