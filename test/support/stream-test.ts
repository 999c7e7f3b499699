/**
 * A small DSL for stream behaviour, in the spirit of Spark's StreamTest: a script of actions run
 * against the memory source and sink with a ManualClock.
 *
 *   await testStream(SQL, [
 *     addData('bids', [{ ... }]),
 *     checkAnswer('out', [{ ... }]),
 *     advanceClock(1000),
 *     checkProgress((p) => expect(p.numInputRows).toBe(3)),
 *   ]);
 *
 * Every action that changes input waits until the queries have processed everything available.
 */
import { expect } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import type { StreamingQuery } from '../../src/executor/streaming/streaming-query.js';

export type Row = Record<string, unknown>;

export interface StreamEnv {
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly queries: StreamingQuery[];
}

export type Action = { readonly describe: string; run(env: StreamEnv): Promise<void> };

async function settle(env: StreamEnv): Promise<void> {
  for (const q of env.queries) if (q.isActive) await q.processAllAvailable();
}

export const addData = (table: string, rows: readonly Row[]): Action => ({
  describe: `addData(${table}, ${rows.length} rows)`,
  async run(env) {
    env.engine.input(table).push(rows as Row[]);
    await settle(env);
  },
});

/** Compare a memory sink's rows with `expected`, in any order unless `ordered`. */
export const checkAnswer = (table: string, expected: readonly Row[], opts: { ordered?: boolean } = {}): Action => ({
  describe: `checkAnswer(${table})`,
  async run(env) {
    await settle(env);
    const actual = env.engine.output(table).rows();
    if (opts.ordered) expect(actual).toEqual(expected);
    else expect(sortRows(actual)).toEqual(sortRows(expected));
  },
});

export const advanceClock = (ms: number): Action => ({
  describe: `advanceClock(${ms})`,
  async run(env) {
    env.clock.advance(ms);
    // let an interval trigger that just came due run its batch
    await new Promise((r) => setTimeout(r, 0));
    await settle(env);
  },
});

export const checkProgress = (f: (last: QueryProgress, all: readonly QueryProgress[]) => void, query = 0): Action => ({
  describe: 'checkProgress',
  async run(env) {
    await settle(env);
    const q = env.queries[query]!;
    expect(q.lastProgress, 'the query has run a batch').toBeDefined();
    f(q.lastProgress!, q.recentProgress);
  },
});

/** The next action must fail, with an error whose message matches. */
export const expectFailure = (pattern: RegExp, query = 0): Action => ({
  describe: `expectFailure(${pattern})`,
  async run(env) {
    await expect(env.queries[query]!.awaitTermination(5_000)).rejects.toThrow(pattern);
  },
});

export const execute = (f: (env: StreamEnv) => Promise<void> | void): Action => ({ describe: 'execute', run: async (env) => { await f(env); } });

export async function testStream(sql: string, actions: readonly Action[], opts: { startMs?: number; settings?: Record<string, string> } = {}): Promise<StreamEnv> {
  const clock = new ManualClock(opts.startMs ?? 0);
  const engine = new Engine({ clock, settings: opts.settings });
  const queries = await engine.execute(sql);
  const env: StreamEnv = { engine, clock, queries };
  try {
    for (const a of actions) {
      try {
        await a.run(env);
      } catch (e) {
        (e as Error).message = `during ${a.describe}: ${(e as Error).message}`;
        throw e;
      }
    }
  } finally {
    await engine.stop();
  }
  return env;
}

/** Rows in a canonical order, for comparisons that ignore order. */
export function sortRows(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
