/**
 * The batch oracle for window queries: DuckDB computes the windows of the rows the watermark did not
 * drop, as one batch.
 *
 * Which rows survive is decided by replaying the watermark rule (CONTRACT.md): batch k runs with the
 * watermark max(ts of batches < k) - delay (-∞ for the first); a (row, window) pair is late when
 * window_end ≤ that watermark (a HOP row may be late for some of its windows only); a SESSION row is
 * late when ts + gap ≤ the watermark. Times are epoch milliseconds held as BIGINT, and windows are
 * computed with integer arithmetic aligned to the epoch (as Flink; DuckDB's time_bucket aligns to
 * 2000-01-03 unless told otherwise), generate_series for HOP and CUMULATE, and lag() for sessions.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'vitest';
import { execute, type Action, type Row } from './stream-test.js';
import { seeded } from './oracle.js';

export interface EventRow {
  readonly item: string;
  readonly price: number;
  readonly ts: number;
}

export type OracleWindow =
  | { readonly kind: 'tumble'; readonly size: number; readonly offset?: number }
  | { readonly kind: 'hop'; readonly slide: number; readonly size: number }
  | { readonly kind: 'cumulate'; readonly step: number; readonly size: number }
  | { readonly kind: 'session'; readonly gap: number };

/** The watermark each batch runs with, for a single source with WATERMARK FOR ts AS ts - delay. */
export function batchWatermarks(batches: readonly (readonly EventRow[])[], delay: number): number[] {
  const out: number[] = [];
  let max = -Infinity;
  for (const b of batches) {
    out.push(max - delay);
    for (const r of b) if (r.ts > max) max = r.ts;
  }
  return out;
}

/** Rows dropped per batch: for each batch the number of rows late for every window they belong to. */
export function expectedDropped(batches: readonly (readonly EventRow[])[], delay: number, w: OracleWindow): number[] {
  const wms = batchWatermarks(batches, delay);
  return batches.map((b, k) => b.filter((r) => isLate(r.ts, wms[k]!, w)).length);
}

const floorTo = (t: number, size: number, offset: number): number => Math.floor((t - offset) / size) * size + offset;

/** Whether a row at `ts` is late for all of its windows under watermark `wm`. */
export function isLate(ts: number, wm: number, w: OracleWindow): boolean {
  switch (w.kind) {
    case 'tumble': return floorTo(ts, w.size, w.offset ?? 0) + w.size <= wm;
    case 'hop': return floorTo(ts, w.slide, 0) + w.size <= wm; // its latest window ends last
    case 'cumulate': return floorTo(ts, w.size, 0) + w.size <= wm;
    case 'session': return ts + w.gap <= wm;
  }
}

const NO_WM = -1e15;

/**
 * The final windows of `SELECT item, window_start AS ws, window_end AS we, COUNT(*) AS n,
 * SUM(price) AS total, MAX(price) AS top ... GROUP BY item, window_start, window_end` over the rows
 * that survive the watermark, as DuckDB computes them.
 */
export async function oracleWindows(batches: readonly (readonly EventRow[])[], delay: number, w: OracleWindow): Promise<Row[]> {
  const wms = batchWatermarks(batches, delay);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run('CREATE TABLE t (item VARCHAR, price INTEGER, ts BIGINT, wm BIGINT)');
    const values: string[] = [];
    batches.forEach((b, k) => {
      const wm = Number.isFinite(wms[k]!) ? wms[k]! : NO_WM;
      for (const r of b) values.push(`('${r.item.replace(/'/g, "''")}', ${r.price}, ${r.ts}, ${wm})`);
    });
    for (let i = 0; i < values.length; i += 1000) await con.run(`INSERT INTO t VALUES ${values.slice(i, i + 1000).join(', ')}`);
    const reader = await con.runAndReadAll(windowSql(w));
    return reader.getRowObjectsJS().map((r) => ({
      item: r.item, ws: Number(r.ws), we: Number(r.we), n: Number(r.n), total: Number(r.total), top: Number(r.top),
    }));
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

const AGG = 'COUNT(*) AS n, SUM(price) AS total, MAX(price) AS top';

function windowSql(w: OracleWindow): string {
  switch (w.kind) {
    case 'tumble': {
      const off = w.offset ?? 0;
      return `WITH p AS (SELECT *, CAST(floor((ts - ${off}) / ${w.size}) AS BIGINT) * ${w.size} + ${off} AS ws FROM t)
        SELECT item, ws, ws + ${w.size} AS we, ${AGG} FROM p WHERE ws + ${w.size} > wm GROUP BY item, ws`;
    }
    case 'hop':
      return `WITH p AS (
          SELECT t.*, CAST(floor(ts / ${w.slide}) AS BIGINT) * ${w.slide} - g.i * ${w.slide} AS ws
          FROM t CROSS JOIN generate_series(0, ${w.size / w.slide - 1}) AS g(i))
        SELECT item, ws, ws + ${w.size} AS we, ${AGG} FROM p WHERE ws + ${w.size} > wm GROUP BY item, ws`;
    case 'cumulate':
      return `WITH p AS (
          SELECT t.*, CAST(floor(ts / ${w.size}) AS BIGINT) * ${w.size} AS ws, g.k FROM t CROSS JOIN generate_series(1, ${w.size / w.step}) AS g(k)),
        q AS (SELECT *, ws + k * ${w.step} AS we FROM p WHERE ws + k * ${w.step} > ts)
        SELECT item, ws, we, ${AGG} FROM q WHERE we > wm GROUP BY item, ws, we`;
    case 'session':
      // a new session starts where the gap to the previous row of the item exceeds `gap` (rows
      // exactly `gap` apart touch, and touching windows merge, as Flink's TimeWindow.intersects)
      return `WITH a AS (SELECT * FROM t WHERE ts + ${w.gap} > wm),
        b AS (SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY item ORDER BY ts) <= ${w.gap} THEN 0 ELSE 1 END AS fresh FROM a),
        c AS (SELECT *, SUM(fresh) OVER (PARTITION BY item ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sid FROM b)
        SELECT item, MIN(ts) AS ws, MAX(ts) + ${w.gap} AS we, ${AGG} FROM c GROUP BY item, sid`;
  }
}

/** A deterministic pseudo-random generator (mulberry32): one for all tests, in oracle.ts. */
export const rng = seeded;

/**
 * Out-of-order events split into batches: `n` rows over `spanMs`, shuffled within `disorderMs`,
 * cut into `batchCount` batches, plus `lateCount` rows that are `lateByMs` or more behind the
 * watermark of the batch they are put in (deliberately late). Times are even milliseconds.
 */
export function makeBatches(opts: {
  seed: number; n: number; spanMs: number; disorderMs: number; batchCount: number; items?: number;
  lateCount?: number; lateByMs?: number; delay?: number;
}): EventRow[][] {
  const r = rng(opts.seed);
  const items = opts.items ?? 3;
  const rows = Array.from({ length: opts.n }, (_, i) => ({
    item: `i${Math.floor(r() * items)}`,
    price: 1 + Math.floor(r() * 100),
    ts: 2 * Math.floor((i * opts.spanMs) / opts.n / 2),
    key: 0,
  }));
  // bounded disorder: sort by time plus a random displacement in [0, disorder)
  for (const x of rows) x.key = x.ts + r() * opts.disorderMs;
  rows.sort((a, b) => a.key - b.key);
  const per = Math.ceil(rows.length / opts.batchCount);
  const batches: EventRow[][] = [];
  for (let i = 0; i < rows.length; i += per) batches.push(rows.slice(i, i + per).map(({ item, price, ts }) => ({ item, price, ts })));
  const lateCount = opts.lateCount ?? 0;
  if (lateCount > 0) {
    const wms = batchWatermarks(batches, opts.delay ?? 0);
    for (let j = 0; j < lateCount; j++) {
      const k = 1 + Math.floor(r() * (batches.length - 1));
      if (!Number.isFinite(wms[k]!)) continue;
      const ts = 2 * Math.floor((wms[k]! - (opts.lateByMs ?? 0) - r() * 5000) / 2);
      batches[k]!.push({ item: `i${Math.floor(r() * items)}`, price: 1 + Math.floor(r() * 100), ts });
    }
  }
  return batches;
}

/** Push each batch, end the input (the watermark goes to +∞), wait for the query to finish. */
export function replay(table: string, batches: readonly (readonly EventRow[])[]): Action[] {
  return [
    ...batches.map((b): Action => ({
      describe: `batch of ${b.length}`,
      async run(env) {
        env.engine.input(table).push(b.map((r) => ({ ...r })));
        for (const q of env.queries) await q.processAllAvailable();
      },
    })),
    execute(async (env) => {
      env.engine.input(table).end();
      for (const q of env.queries) expect(await q.awaitTermination(10_000)).toBe(true);
    }),
  ];
}

