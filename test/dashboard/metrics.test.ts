/**
 * /metrics: Prometheus' text format (every line parsed, every sample of a declared family), with
 * values that follow the queries' progress batch after batch: rows, batches, watermark and its lags,
 * state rows per operator, open windows, late rows dropped, rejected records, and the state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type QueryProgress } from '../../src/index.js';

interface Sample { readonly labels: Record<string, string>; readonly value: number }

/** Parse the text exposition format strictly: HELP/TYPE comments and samples, nothing else. */
export function parsePrometheus(text: string): Map<string, Sample[]> {
  const families = new Map<string, Sample[]>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$/.exec(line);
    if (help) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) { types.set(type[1]!, type[2]!); families.set(type[1]!, []); continue; }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|NaN|Inf))(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const rest = m[2].replace(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g, (_all, k: string, v: string) => { labels[k] = v; return ''; });
      if (rest !== '') throw new Error(`bad labels in: ${line}`);
    }
    // histogram and summary samples carry suffixes of their family's name
    const family = [m[1]!, m[1]!.replace(/_(bucket|sum|count)$/, '')].find((f) => types.has(f));
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    families.get(family)!.push({ labels, value: Number(m[3]!.replace('Inf', 'Infinity')) });
  }
  return families;
}

async function scrape(url: string): Promise<Map<string, Sample[]>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

function value(m: Map<string, Sample[]>, name: string, labels: Record<string, string>): number | undefined {
  return m.get(name)?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const SQL = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE counts (item STRING, we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'memory');
  INSERT INTO counts SELECT item, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY item, window_start, window_end;`;

describe('/metrics', () => {
  it('reports the progress of each batch in Prometheus text format', async () => {
    const clock = new ManualClock(1_000_000);
    const engine = new Engine({ clock });
    const d = await engine.serveDashboard({ port: 0 });
    try {
      const [q] = await engine.execute(SQL);
      const labels = { query: q!.name, query_id: q!.id };
      const check = async (): Promise<Map<string, Sample[]>> => {
        const m = await scrape(`${d.url}metrics`);
        const all: readonly QueryProgress[] = q!.recentProgress;
        const last = q!.lastProgress!;
        expect(value(m, 'weir_query_batches_total', labels)).toBe(all.length);
        expect(value(m, 'weir_query_input_rows_total', labels)).toBe(all.reduce((a, p) => a + p.numInputRows, 0));
        expect(value(m, 'weir_query_output_rows_total', labels)).toBe(all.reduce((a, p) => a + p.sink.numOutputRows, 0));
        expect(value(m, 'weir_query_input_rows_per_second', labels)).toBeCloseTo(last.inputRowsPerSecond, 6);
        expect(value(m, 'weir_query_batch_duration_seconds', { ...labels, phase: 'total' })).toBeCloseTo(last.durationMs.triggerExecution / 1000, 9);
        const op = { ...labels, operator_id: '0', operator: 'windowAggregate' };
        expect(value(m, 'weir_query_state_rows', op)).toBe(last.stateOperators[0]!.numRowsTotal);
        expect(value(m, 'weir_query_open_windows', op)).toBe(last.stateOperators[0]!.numOpenWindows);
        expect(value(m, 'weir_query_late_rows_dropped_total', op)).toBe(all.reduce((a, p) => a + p.stateOperators[0]!.numRowsDroppedByWatermark, 0));
        expect(value(m, 'weir_query_state', { ...labels, state: 'running' })).toBe(1);
        const wm = last.eventTime.watermark === null ? undefined : Date.parse(last.eventTime.watermark) / 1000;
        expect(value(m, 'weir_query_watermark_seconds', labels)).toBe(wm);
        if (wm !== undefined) {
          expect(value(m, 'weir_query_watermark_lag_clock_seconds', labels)).toBeCloseTo(Date.parse(last.timestamp) / 1000 - wm, 6);
          // behind the newest event time seen so far (a batch without rows has none of its own)
          const newest = Math.max(...all.filter((p) => p.eventTime.max).map((p) => Date.parse(p.eventTime.max!) / 1000));
          expect(value(m, 'weir_query_max_event_time_seconds', labels)).toBe(newest);
          expect(value(m, 'weir_query_watermark_lag_event_time_seconds', labels)).toBeCloseTo(newest - wm, 6);
        }
        return m;
      };
      engine.input('bids').push([{ item: 'a', price: 1, ts: 1000 }, { item: 'b', price: 2, ts: 4000 }, { item: 'a', price: 3, ts: 9000 }]);
      await q!.processAllAvailable();
      const first = await check();
      expect(value(first, 'weir_query_input_rows_total', labels)).toBe(3);
      expect(value(first, 'weir_query_open_windows', { ...labels, operator_id: '0' })).toBe(1);

      clock.advance(1000);
      engine.input('bids').push([{ item: 'a', price: 4, ts: 25_000 }]);
      await q!.processAllAvailable();
      clock.advance(1000);
      // the watermark is now 23 s: the window [0 s, 10 s) has closed and a row for it is late
      engine.input('bids').push([{ item: 'b', price: 5, ts: 2000 }, { item: 'c', price: 6, ts: 26_000 }]);
      await q!.processAllAvailable();
      const later = await check();
      expect(value(later, 'weir_query_input_rows_total', labels)).toBe(6);
      expect(value(later, 'weir_query_late_rows_dropped_total', { ...labels, operator_id: '0' })).toBe(1);
      expect(value(later, 'weir_query_watermark_seconds', labels)).toBe(23);
      expect(value(later, 'weir_query_output_rows_total', labels)).toBe(2);

      await q!.stop();
      const stopped = await scrape(`${d.url}metrics`);
      expect(value(stopped, 'weir_query_state', { ...labels, state: 'stopped' })).toBe(1);
      expect(value(stopped, 'weir_query_state', { ...labels, state: 'running' })).toBe(0);
    } finally {
      await d.close();
      await engine.stop();
    }
  });

  it('counts rejected records', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-metrics-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'a.json'), '{"k":"x","v":1}\nnot json at all\n{"k":"y","v":2}\n');
    const engine = new Engine({ clock: new ManualClock(0), stderr: { write: () => true } as never });
    const d = await engine.serveDashboard({ port: 0 });
    try {
      const [q] = await engine.execute(`
        CREATE TABLE files (k STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'json');
        CREATE TABLE sums (k STRING, total INT) WITH ('connector' = 'memory');
        INSERT INTO sums SELECT k, SUM(v) FROM files GROUP BY k;`);
      await q!.awaitTermination();
      const m = await scrape(`${d.url}metrics`);
      const labels = { query: q!.name, query_id: q!.id };
      expect(value(m, 'weir_query_rejected_records_total', labels)).toBe(1);
      expect(value(m, 'weir_query_input_rows_total', labels)).toBe(2);
      expect(value(m, 'weir_query_state', { ...labels, state: 'stopped' })).toBe(1);
    } finally {
      await d.close();
    }
  });
});
