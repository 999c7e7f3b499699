/**
 * One replay of the compared query over simulated arrival, on a ManualClock: at each tick the rows
 * that have arrived by then are pushed to the memory tables standing in for the real ones and the
 * query processes everything available; ticks with no arrivals are skipped (nothing can happen in
 * them: the windows close by watermark, and the watermark moves only with rows). At the end the
 * inputs are ended, the watermark goes to +infinity and the windows still open flush.
 *
 * What it records: every result row with the processing time of the batch that emitted it, and for
 * every batch the watermark it ran with and the pushes it read, so a row's lateness can be
 * attributed later.
 */
import { WeirError } from '../../common/errors.js';
import { Engine } from '../../engine/engine.js';
import { ManualClock } from '../../executor/streaming/clock.js';
import type { QueryProgress } from '../../executor/streaming/progress.js';
import type { CatalogTable } from '../../planner/catalog.js';
import type { StreamingPlan } from '../../planner/incremental/physical.js';
import { planAppend, type Analysis } from './analyze.js';

export interface ReplayTable {
  readonly name: string;
  /** rows to push, file order */
  readonly rows: readonly Record<string, unknown>[];
  /** arrival time of each row */
  readonly arrival: Float64Array;
}

export interface ReplayOptions {
  readonly analysis: Analysis;
  readonly script: { readonly text: string; readonly target: string };
  readonly settings: Readonly<Record<string, string>>;
  readonly tableOverride: (t: CatalogTable) => CatalogTable | undefined;
  readonly tables: readonly ReplayTable[];
  readonly start: number;
  readonly tickMs: number;
}

export interface Emission {
  /** output values by column position */
  readonly values: readonly unknown[];
  readonly at: number;
  readonly batchId: number;
  /** emitted by a batch that ran after the inputs were ended */
  readonly afterEnd: boolean;
}

export interface ReplayResult {
  /** the replay's own plan (its tables are the rewritten ones) */
  readonly plan: StreamingPlan;
  readonly engine: Engine;
  readonly emissions: readonly Emission[];
  /** per table (as `tables`): the watermark the batch that read each row ran with */
  readonly watermarkAtRead: readonly Float64Array[];
  /** rows the window operator dropped as late, from progress */
  readonly droppedLate: number;
  readonly endMs: number;
}

/** A progress watermark back to epoch ms. */
function watermarkOf(p: QueryProgress): number {
  const w = p.eventTime.watermark;
  if (w === null) return -Infinity;
  if (w === '+infinity') return Infinity;
  const ms = Date.parse(w);
  return Number.isNaN(ms) ? -Infinity : ms;
}

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const clock = new ManualClock(o.start);
  const engine = new Engine({
    clock,
    settings: { ...o.settings, 'output-mode': 'append' },
    tableOverride: o.tableOverride,
    memory: { changelog: 'all' }, // every emission with its batch id, read after the run
  });
  const queries = await engine.execute(o.script.text, { file: o.analysis.file });
  const query = queries[0];
  if (queries.length !== 1 || !query) throw new WeirError('RUNTIME', `weir compare: the replay started ${queries.length} queries, expected 1`);
  const chosen = o.analysis.chosen;
  const plan = planAppend(chosen, engine.catalog);

  // which table each plan source reads, and which rows each push of a table held
  const tableIndex = new Map(o.tables.map((t, i) => [t.name.toLowerCase(), i]));
  const sourceTable = plan.sources.map((s) => tableIndex.get(s.table.name.toLowerCase()));
  const pushes: number[][][] = o.tables.map(() => []);
  const watermarkAtRead = o.tables.map((t) => new Float64Array(t.rows.length).fill(NaN));
  const batchTime = new Map<number, number>();
  let droppedLate = 0;
  let ended = false;
  const afterEnd = new Set<number>();
  query.addListener((ev) => {
    if (ev.type !== 'progress') return;
    const p = ev.progress;
    batchTime.set(p.batchId, clock.now());
    if (ended) afterEnd.add(p.batchId);
    const wm = watermarkOf(p);
    for (const op of p.stateOperators) droppedLate += op.numRowsDroppedByWatermark;
    p.sources.forEach((s, i) => {
      const t = sourceTable[i];
      if (t === undefined || typeof s.endOffset !== 'number') return;
      const from = typeof s.startOffset === 'number' ? s.startOffset : 0;
      for (let k = from; k < s.endOffset; k++) for (const row of pushes[t]![k] ?? []) watermarkAtRead[t]![row] = wm;
    });
  });

  // every row, in arrival order (file order among equal arrivals)
  const events: { table: number; row: number; at: number }[] = [];
  o.tables.forEach((t, ti) => t.arrival.forEach((at, row) => events.push({ table: ti, row, at })));
  events.sort((a, b) => a.at - b.at || a.table - b.table || a.row - b.row);
  let now = o.start;
  try {
    for (let e = 0; e < events.length;) {
      // the first tick at or after the next arrival
      const due = o.start + Math.ceil((events[e]!.at - o.start) / o.tickMs) * o.tickMs;
      if (due > now) now = due;
      clock.set(now);
      const batch: number[][] = o.tables.map(() => []);
      for (; e < events.length && events[e]!.at <= now; e++) batch[events[e]!.table]!.push(events[e]!.row);
      batch.forEach((rows, ti) => {
        if (rows.length === 0) return;
        pushes[ti]!.push(rows);
        engine.input(o.tables[ti]!.name).push(rows.map((r) => o.tables[ti]!.rows[r]!));
      });
      await query.processAllAvailable();
    }
    ended = true;
    for (const t of o.tables) engine.input(t.name).end();
    await query.awaitTermination();
  } finally {
    // a failure above must not leave the query polling in the background
    if (query.isActive) await engine.stop();
  }

  const out = engine.output(o.script.target);
  const names = out.schema.columns.map((c) => c.name);
  const emissions = out.changes()
    .filter((c) => c.kind === 'insert' || c.kind === 'update_after')
    .map((c) => ({
      values: names.map((n) => c.row[n]),
      at: batchTime.get(c.batchId) ?? now,
      batchId: c.batchId,
      afterEnd: afterEnd.has(c.batchId),
    }));
  return { plan, engine, emissions, watermarkAtRead, droppedLate, endMs: now };
}
