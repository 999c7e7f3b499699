/**
 * The two time domains of `weir compare`.
 *
 * Arrival is simulated, deterministically: row i of a table (in file order) arrives at
 * start + i·1000/rate ms, start being the first row's event time so both timelines sit on one axis;
 * or a column of the rows holds the arrival time. The rate defaults to the input's own average
 * event rate (rows over the event-time span), so arrival takes as long as the events did.
 *
 * The replays read memory tables standing in for the real ones. In the event-time run they are the
 * tables as declared; in the processing-time run the rowtime column holds the arrival time and the
 * watermark follows it with no delay, so every window is an arrival-time window.
 */
import { WeirError } from '../../common/errors.js';
import { isNumeric, isTemporal } from '../../common/types.js';
import type { CatalogTable } from '../../planner/catalog.js';
import { col } from '../../planner/expr.js';
import type { ArrivalModel } from './report.js';
import type { TableInput } from './input.js';
import type { Placement } from './probe.js';

/** The column that carries the arrival time when the rowtime column is computed. */
export const ARRIVAL_COLUMN = '__weir_arrival';

export interface Timelines {
  readonly model: ArrivalModel;
  /** processing time of the first tick */
  readonly start: number;
  /** per table (as `inputs`), per row in file order: arrival time, epoch ms */
  readonly arrival: readonly Float64Array[];
}

export interface ArrivalOptions {
  readonly rate?: number;
  readonly arrivalColumn?: string;
}

function eventTimeRange(placements: readonly Placement[][][]): { first: number; min: number; max: number; firstByTable: number[] } {
  let min = Infinity, max = -Infinity;
  const firstByTable = placements.map((rows) => {
    let first = NaN;
    for (const ps of rows) {
      for (const p of ps) {
        if (!Number.isFinite(p.time)) continue;
        if (first !== first) first = p.time;
        if (p.time < min) min = p.time;
        if (p.time > max) max = p.time;
      }
    }
    return first;
  });
  const firsts = firstByTable.filter((t) => t === t);
  return { first: firsts.length > 0 ? Math.min(...firsts) : 0, min, max, firstByTable };
}

/** Arrival times of every row; `eventPlacements` are the event-time run's placements, per table. */
export function arrivalTimes(inputs: readonly TableInput[], eventPlacements: readonly Placement[][][], opts: ArrivalOptions): Timelines {
  if (opts.arrivalColumn !== undefined) return fromColumn(inputs, opts.arrivalColumn);
  const range = eventTimeRange(eventPlacements);
  let rate = opts.rate;
  const defaulted = rate === undefined;
  if (rate === undefined) {
    const n = Math.max(0, ...inputs.map((t) => t.rows.length));
    const span = range.max - range.min;
    rate = n > 1 && span > 0 ? ((n - 1) * 1000) / span : 1;
  }
  const r = rate;
  const arrival = inputs.map((t) => Float64Array.from(t.rows, (_, i) => Math.round(range.first + (i * 1000) / r)));
  return { model: { kind: 'rate', rowsPerSecond: r, defaulted }, start: range.first, arrival };
}

function fromColumn(inputs: readonly TableInput[], name: string): Timelines {
  let start = Infinity;
  const arrival = inputs.map((t) => {
    const c = t.table.physical.map((i) => t.table.columns[i]!).find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) {
      const names = t.table.physical.map((i) => t.table.columns[i]!.name).join(', ');
      throw new WeirError('OPTION', `--arrival ${name}: table '${t.table.name}' has no such column (its columns: ${names})`);
    }
    if (!isTemporal(c.type) && !isNumeric(c.type)) {
      throw new WeirError('OPTION', `--arrival ${name}: the column must be a TIMESTAMP or a number of epoch milliseconds`);
    }
    return Float64Array.from(t.rows, (row, i) => {
      const v = row[c.name];
      const ms = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v;
      if (typeof ms !== 'number' || !Number.isFinite(ms)) {
        throw new WeirError('INPUT', `--arrival ${name}: row ${i + 1} of table '${t.table.name}' has no arrival time (${String(v)})`);
      }
      if (ms < start) start = ms;
      return ms;
    });
  });
  return { model: { kind: 'column', column: name }, start: Number.isFinite(start) ? start : 0, arrival };
}

const MEMORY = { options: new Map([['connector', 'memory']]), optionSpans: new Map() };

/** The event-time run's table: as declared, but a memory table. */
export function eventTimeTable(t: CatalogTable): CatalogTable {
  return { ...t, ...MEMORY };
}

/** The processing-time run's table: a memory table whose rowtime is the arrival time, watermark without delay. */
export function processingTimeTable(t: CatalogTable): CatalogTable | undefined {
  const wm = t.watermark;
  if (!wm) return eventTimeTable(t);
  if (t.columns.some((c) => c.name === ARRIVAL_COLUMN)) return undefined; // already rewritten (IF NOT EXISTS)
  const rowtime = t.columns[wm.column]!;
  const zeroDelay = { column: wm.column, expr: col(wm.column, rowtime.name, rowtime.type), span: wm.span };
  if (t.physical.includes(wm.column)) return { ...t, ...MEMORY, watermark: zeroDelay };
  // a computed rowtime (`ts AS TO_TIMESTAMP(...)`) becomes a reference to a new physical column holding the arrival
  const computed = new Map(t.computed);
  computed.set(wm.column, col(t.physical.length, ARRIVAL_COLUMN, rowtime.type));
  return {
    ...t,
    ...MEMORY,
    columns: [...t.columns, { name: ARRIVAL_COLUMN, type: rowtime.type, nullable: true }],
    physical: [...t.physical, t.columns.length],
    computed,
    watermark: zeroDelay,
  };
}

/** The rows the processing-time run pushes: the rowtime (or the arrival column) set to the arrival time. */
export function processingTimeRows(t: CatalogTable, rows: readonly Record<string, unknown>[], arrival: Float64Array): Record<string, unknown>[] {
  const wm = t.watermark;
  if (!wm) return rows.slice();
  const name = t.physical.includes(wm.column) ? t.columns[wm.column]!.name : ARRIVAL_COLUMN;
  return rows.map((r, i) => ({ ...r, [name]: arrival[i]! }));
}
