/**
 * `/metrics` in Prometheus' text format, through prom-client, on a Registry of the dashboard's own
 * (never the global one, so an application's metrics and Weir's do not mix unless it merges them).
 *
 * Every figure is read from the QueryFeed when Prometheus scrapes (prom-client's `collect`), so a
 * micro-batch costs nothing here beyond the feed's running totals.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ChartPoint } from './chart-point.js';
import { DURATION_PHASES, type QueryFeed, type QueryView } from './query-feed.js';

type Labels = Record<string, string | number>;
type Reading = (v: QueryView, last: ChartPoint) => Iterable<[Labels, number]>;

interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly kind: 'gauge' | 'counter';
  /** labels beyond `query` and `query_id` */
  readonly labels?: readonly string[];
  /** the values of a query that has run at least one batch */
  readonly read: Reading;
}

const one = (value: number | null | undefined): Iterable<[Labels, number]> =>
  value === null || value === undefined || !Number.isFinite(value) ? [] : [[{}, value]];

/** Per-operator values, labelled with the operator's id (from the plan) and name. */
function perOperator(v: QueryView, last: ChartPoint, value: (i: number) => number | null): [Labels, number][] {
  const out: [Labels, number][] = [];
  last.operators.forEach((o, i) => {
    const x = value(i);
    if (x === null || !Number.isFinite(x)) return;
    out.push([{ operator_id: v.plan.stateOperatorIds[i] ?? i, operator: o.name }, x]);
  });
  return out;
}

function perSource(last: ChartPoint, value: (s: ChartPoint['sources'][number]) => number | null): [Labels, number][] {
  const out: [Labels, number][] = [];
  last.sources.forEach((s, i) => {
    const x = value(s);
    if (x !== null && Number.isFinite(x)) out.push([{ source: i, source_description: s.description }, x]);
  });
  return out;
}

const SPECS: readonly MetricSpec[] = [
  { name: 'weir_query_input_rows_per_second', help: 'Rows read per second in the last micro-batch (arrival rate)', kind: 'gauge',
    read: (_v, p) => one(p.inputRate) },
  { name: 'weir_query_processed_rows_per_second', help: 'Rows processed per second of batch time in the last micro-batch', kind: 'gauge',
    read: (_v, p) => one(p.processedRate) },
  { name: 'weir_query_input_rows_total', help: 'Rows read by the query', kind: 'counter', read: (v) => one(v.totals.inputRows) },
  { name: 'weir_query_output_rows_total', help: 'Rows the query gave its sink', kind: 'counter', read: (v) => one(v.totals.outputRows) },
  { name: 'weir_query_batches_total', help: 'Micro-batches run', kind: 'counter', read: (v) => one(v.totals.batches) },
  { name: 'weir_query_batch_duration_seconds', help: 'Duration of the last micro-batch, by phase (total: the whole batch)', kind: 'gauge',
    labels: ['phase'], read: (_v, p) => DURATION_PHASES.map((ph) => [{ phase: ph }, p.duration[ph]]) },
  { name: 'weir_query_batch_duration_seconds_total', help: 'Time spent in micro-batches, by phase', kind: 'counter',
    labels: ['phase'], read: (v) => DURATION_PHASES.map((ph) => [{ phase: ph }, v.totals.durationSeconds[ph]]) },
  { name: 'weir_query_watermark_seconds', help: 'The watermark the last batch ran with (epoch seconds; absent before the first)', kind: 'gauge',
    read: (_v, p) => one(p.watermark) },
  { name: 'weir_query_max_event_time_seconds', help: 'The newest event time the query has seen (epoch seconds)', kind: 'gauge',
    read: (_v, p) => one(p.maxEventTime) },
  { name: 'weir_query_watermark_lag_event_time_seconds', help: 'How far the watermark is behind the newest event time the query has seen', kind: 'gauge',
    read: (_v, p) => one(p.lagEventTime) },
  { name: 'weir_query_watermark_lag_clock_seconds', help: 'How far the watermark is behind the processing time of the last batch', kind: 'gauge',
    read: (_v, p) => one(p.lagClock) },
  { name: 'weir_query_state_rows', help: 'Rows in a stateful operator\'s state', kind: 'gauge', labels: ['operator_id', 'operator'],
    read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.rows) },
  { name: 'weir_query_state_rows_updated', help: 'Rows of a stateful operator\'s state the last batch changed', kind: 'gauge',
    labels: ['operator_id', 'operator'], read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.rowsUpdated) },
  { name: 'weir_query_state_bytes', help: 'Memory a stateful operator\'s state takes', kind: 'gauge', labels: ['operator_id', 'operator'],
    read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.bytes) },
  { name: 'weir_query_state_disk_bytes', help: 'Bytes a stateful operator\'s state takes on disk (stores that checkpoint)', kind: 'gauge',
    labels: ['operator_id', 'operator'], read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.diskBytes) },
  { name: 'weir_query_late_rows_dropped_total', help: 'Rows dropped for arriving after the watermark closed their windows', kind: 'counter',
    labels: ['operator_id', 'operator'], read: (v, p) => perOperator(v, p, (i) => v.totals.lateRows[i] ?? 0) },
  { name: 'weir_query_open_windows', help: 'Windows holding state in a window operator', kind: 'gauge', labels: ['operator_id', 'operator'],
    read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.openWindows) },
  { name: 'weir_query_oldest_open_window_end_seconds', help: 'End of the oldest window a window operator holds open (epoch seconds)', kind: 'gauge',
    labels: ['operator_id', 'operator'], read: (v, p) => perOperator(v, p, (i) => p.operators[i]!.oldestOpenWindowEnd) },
  { name: 'weir_query_rejected_records_total', help: 'Malformed records kept aside instead of processed', kind: 'counter',
    read: (v) => one(v.totals.rejected) },
  { name: 'weir_source_input_rows_per_second', help: 'Rows an input read per second in the last batch', kind: 'gauge',
    labels: ['source', 'source_description'], read: (_v, p) => perSource(p, (s) => s.inputRate) },
  { name: 'weir_source_watermark_seconds', help: 'An input\'s own watermark (epoch seconds), when progress reports it', kind: 'gauge',
    labels: ['source', 'source_description'], read: (_v, p) => perSource(p, (s) => s.watermark) },
  { name: 'weir_source_max_event_time_seconds', help: 'An input\'s newest event time (epoch seconds), when progress reports it', kind: 'gauge',
    labels: ['source', 'source_description'], read: (_v, p) => perSource(p, (s) => s.maxEventTime) },
];

const STATES = ['running', 'stopped', 'failed'] as const;

/** A Registry holding Weir's metrics, read from `feed` at each scrape. */
export function createMetricsRegistry(feed: QueryFeed): Registry {
  // without prom-client's default process metrics: their event-loop figures read NaN between
  // samples, and an application that wants them has its own registry to merge
  const registry = new Registry();
  /** the views to report: the newest run of each query id */
  const current = (): QueryView[] => [...new Map(feed.all().map((v) => [v.id, v])).values()];
  new Gauge({
    name: 'weir_query_state', help: 'The state of each query: 1 for the one it is in (running, stopped, failed)',
    labelNames: ['query', 'query_id', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const v of current()) for (const s of STATES) this.set({ query: v.name, query_id: v.id, state: s }, v.state === s ? 1 : 0);
    },
  });
  for (const spec of SPECS) {
    const labelNames = ['query', 'query_id', ...(spec.labels ?? [])];
    const fill = (set: (labels: Labels, value: number) => void): void => {
      for (const v of current()) {
        const last = v.points[v.points.length - 1];
        if (!last) continue;
        for (const [labels, value] of spec.read(v, last)) set({ query: v.name, query_id: v.id, ...labels }, value);
      }
    };
    if (spec.kind === 'gauge') {
      new Gauge({ name: spec.name, help: spec.help, labelNames, registers: [registry],
        collect() { this.reset(); fill((l, x) => this.set(l, x)); } });
    } else {
      new Counter({ name: spec.name, help: spec.help, labelNames, registers: [registry],
        collect() { this.reset(); fill((l, x) => this.inc(l, x)); } });
    }
  }
  return registry;
}
