/**
 * Batch-split properties: however an input is cut into micro-batches (empty batches included), a
 * query's final result must equal DuckDB's over all the rows as one batch.
 *
 * - `batchSplits(rows, maxCuts)`: rows from `rows` and consecutive batches that cover them, cut at
 *   up to `maxCuts` random points (equal points give empty batches).
 * - `replayInBatches(oracle, input, queries, split)`: the queries over a memory table `t` of
 *   `input`'s columns in one Engine, each into its memory sink `out_<name>`; one push per batch with
 *   processAllAvailable after each; then every sink's result table is compared with DuckDB's
 *   `duck` SELECT over all the rows, and the first query must have read every row.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';
import { expectSameRows, weirColumns, type Oracle, type OracleColumn, type Row } from './oracle.js';

export interface BatchSplit {
  readonly rows: Row[];
  readonly batches: Row[][];
}

/** A query of a batch-split property: Weir's SELECT over `t` into a sink of `columns`, and DuckDB's answer for it. */
export interface SplitQuery {
  readonly name: string;
  /** the sink table's column list, in Weir's DDL */
  readonly columns: string;
  readonly weir: string;
  readonly duck: string;
}

/** Rows and the sizes of consecutive batches (some empty) that cover them. */
export function batchSplits(rows: fc.Arbitrary<Row[]>, maxCuts: number): fc.Arbitrary<BatchSplit> {
  return rows.chain((all) =>
    fc.array(fc.integer({ min: 0, max: all.length }), { maxLength: maxCuts }).map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), all.length];
      return { rows: all, batches: points.slice(1).map((p, i) => all.slice(points[i]!, p)) };
    }));
}

/** Run `queries` over `split`'s batches and compare each final result with DuckDB over all its rows (see the header). */
export async function replayInBatches(oracle: Oracle, input: readonly OracleColumn[], queries: readonly SplitQuery[], split: BatchSplit,
  settings?: Record<string, string>): Promise<void> {
  const engine = new Engine({ clock: new ManualClock(0), ...(settings ? { settings } : {}) });
  try {
    const running = await engine.execute([
      `CREATE TABLE t (${weirColumns(input)}) WITH ('connector' = 'memory');`,
      ...queries.map((q) => `CREATE TABLE out_${q.name} (${q.columns}) WITH ('connector' = 'memory');
        INSERT INTO out_${q.name} ${q.weir};`),
    ].join('\n'));
    for (const b of split.batches) {
      engine.input('t').push(b);
      for (const q of running) await q.processAllAvailable();
    }
    await oracle.createTable('t', input, split.rows);
    for (const q of queries) expectSameRows(engine.output(`out_${q.name}`).rows(), await oracle.query(q.duck), q.name);
    expect(running[0]!.recentProgress.reduce((n, p) => n + p.numInputRows, 0)).toBe(split.rows.length);
  } finally {
    await engine.stop();
  }
}
