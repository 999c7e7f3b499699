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
 *
 * With `testStream(SQL, actions, { checkpointDir })`, `stopAndRestart()` stops the queries cleanly
 * and starts the same SQL in a new engine on the same checkpoint directory. The new engine shares
 * the old one's memory tables: pushed input stays (as a durable log would), and memory sinks keep
 * what they hold, so checkAnswer sees the result across runs.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { expect } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import type { QueryProgress } from '../../src/executor/streaming/progress.js';
import type { StreamingQuery } from '../../src/executor/streaming/streaming-query.js';

export type Row = Record<string, unknown>;

export interface StreamEnv {
  /** the running engine (a new one after stopAndRestart) */
  engine: Engine;
  readonly clock: ManualClock;
  /** the running queries (replaced in place by stopAndRestart) */
  readonly queries: StreamingQuery[];
  /** the script and the options testStream started it with, for stopAndRestart */
  readonly sql?: string;
  readonly checkpointDir?: string;
  readonly settings?: Record<string, string>;
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

export interface RestartOptions {
  /**
   * Simulate a crash after the last batch reached the sink but before it committed: delete the
   * newest `commits/N` of every query, so the restart re-runs batch N from its recorded offsets.
   */
  readonly dropLastCommit?: boolean;
  /** start this script instead of the original one (a changed query on the same checkpoint) */
  readonly sql?: string;
}

/**
 * Stop every query (each commits its batch in flight), then start the script again in a new engine
 * on the same checkpoint directory, sharing the memory tables, and wait until it caught up.
 */
export const stopAndRestart = (opts: RestartOptions = {}): Action => ({
  describe: `stopAndRestart(${JSON.stringify(opts)})`,
  async run(env) {
    if (env.checkpointDir === undefined || env.sql === undefined) throw new Error('stopAndRestart needs testStream(..., { checkpointDir })');
    await settle(env);
    await env.engine.stop();
    if (opts.dropLastCommit) await dropLastCommits(env.checkpointDir);
    const engine = new Engine({ clock: env.clock, settings: env.settings, checkpointDir: env.checkpointDir, memoryTables: env.engine.memoryTables });
    env.engine = engine;
    const queries = await engine.execute(opts.sql ?? env.sql);
    env.queries.splice(0, env.queries.length, ...queries);
    await settle(env);
  },
});

/** Delete the highest-numbered file of `<checkpoint>/<query>/commits` for every query. */
export async function dropLastCommits(checkpointDir: string): Promise<number[]> {
  const dropped: number[] = [];
  // a process killed during start-up may not have made its checkpoint yet: nothing to drop
  const queries = await fs.readdir(checkpointDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  for (const q of queries) {
    const dir = path.join(checkpointDir, q, 'commits');
    const ids = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number);
    if (ids.length === 0) continue;
    const last = Math.max(...ids);
    await fs.rm(path.join(dir, String(last)));
    dropped.push(last);
  }
  return dropped;
}

export async function testStream(
  sql: string,
  actions: readonly Action[],
  opts: { startMs?: number; settings?: Record<string, string>; checkpointDir?: string } = {},
): Promise<StreamEnv> {
  const clock = new ManualClock(opts.startMs ?? 0);
  const engine = new Engine({ clock, settings: opts.settings, checkpointDir: opts.checkpointDir, memory: { changelog: 'all' } });
  const queries = await engine.execute(sql);
  const env: StreamEnv = { engine, clock, queries, sql, checkpointDir: opts.checkpointDir, settings: opts.settings };
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
    await env.engine.stop();
  }
  return env;
}

/** Rows in a canonical order, for comparisons that ignore order. */
export function sortRows(rows: readonly Row[]): Row[] {
  const key = (r: Row): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
