/**
 * What the dashboard knows of each query, fed by the engine's listeners (started, progress,
 * retrying, terminated) and `query.status`, never by hooks inside the executor. It keeps a bounded
 * history per query (chart points, the last batches, running totals) and pushes each change to its
 * subscribers (the /events streams) as one serialized message shared by all of them.
 */
import type { QueryEvent, QueryListener, QueryProgress } from '../executor/streaming/progress.js';
import type { StreamingQuery } from '../executor/streaming/streaming-query.js';
import { chartPoint, type ChartPoint } from './chart-point.js';
import { parsePlanGraph, type PlanGraph } from './plan-graph.js';

/** What the dashboard needs of an engine. */
export interface DashboardHost {
  addListener(l: QueryListener): void;
  removeListener(l: QueryListener): void;
  /** every query the engine started, running or ended */
  queries(): readonly StreamingQuery[];
}

export type QueryState = 'running' | 'stopped' | 'failed';

export interface BatchRow {
  readonly batchId: number;
  readonly timestamp: string;
  readonly inputRows: number;
  readonly outputRows: number;
  readonly durationMs: number;
  readonly watermark: string | null;
  readonly rejected: number;
  readonly lateRows: number;
}

export interface QueryTotals {
  batches: number;
  inputRows: number;
  outputRows: number;
  rejected: number;
  /** late rows dropped, per stateful operator (progress.stateOperators order) */
  lateRows: number[];
  /** seconds spent per phase of the batches, summed */
  durationSeconds: Record<DurationPhase, number>;
}

export const DURATION_PHASES = ['latestOffset', 'getBatch', 'addBatch', 'commit', 'checkpoint', 'total'] as const;
export type DurationPhase = (typeof DURATION_PHASES)[number];

export interface QueryView {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  state: QueryState;
  status: string;
  error?: string;
  explain: string;
  plan: PlanGraph;
  readonly points: ChartPoint[];
  readonly batches: BatchRow[];
  readonly totals: QueryTotals;
}

/** chart points kept per query (about 10 minutes at one batch a second) */
export const MAX_POINTS = 600;
/** rows of the last-batches table */
export const MAX_BATCH_ROWS = 20;

export type FeedSubscriber = (event: 'query' | 'progress' | 'status', data: string) => void;

export class QueryFeed {
  private readonly views = new Map<string, QueryView>();
  private readonly subscribers = new Set<FeedSubscriber>();
  private readonly listener: QueryListener = (e) => this.onEvent(e);
  /** grows with every change the feed hears: what was derived from an equal version is still true */
  version = 0;

  constructor(private readonly host: DashboardHost) {
    // queries already running: their recent progress fills the charts' start
    for (const q of host.queries()) {
      const v = this.viewOf(q.id, q.runId, q.name);
      for (const p of q.recentProgress) this.addProgress(v, p);
      this.refresh(v);
    }
    host.addListener(this.listener);
  }

  close(): void {
    this.host.removeListener(this.listener);
    this.subscribers.clear();
  }

  subscribe(s: FeedSubscriber): () => void {
    this.subscribers.add(s);
    return () => { this.subscribers.delete(s); };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Every query the dashboard has seen, oldest first. */
  all(): QueryView[] {
    for (const v of this.views.values()) this.refresh(v);
    return [...this.views.values()];
  }

  /** Re-read each running query's status; push those that changed (a wait for a server, idle, busy). */
  pollStatus(): void {
    for (const v of this.views.values()) {
      if (v.state !== 'running') continue;
      const before = v.status;
      this.refresh(v);
      if (v.status !== before) this.version++;
      if (v.status !== before) this.publish('status', { runId: v.runId, state: v.state, status: v.status });
    }
  }

  private onEvent(e: QueryEvent): void {
    this.version++;
    switch (e.type) {
      case 'started': {
        const v = this.viewOf(e.id, e.runId, e.name);
        this.publish('query', summary(v));
        return;
      }
      case 'progress': {
        const p = e.progress;
        const v = this.viewOf(p.id, p.runId, p.name);
        const { point, batch } = this.addProgress(v, p);
        if (this.subscribers.size > 0) {
          this.refresh(v);
          this.publish('progress', { runId: v.runId, state: v.state, status: v.status, point, batch, totals: v.totals });
        }
        return;
      }
      case 'retrying': {
        const v = this.viewOf(e.id, e.runId, e.name);
        v.status = `Waiting for ${e.retry.target} (${e.retry.operation}: ${e.retry.lastError}; attempt ${e.retry.attempt})`;
        this.publish('status', { runId: v.runId, state: v.state, status: v.status });
        return;
      }
      case 'terminated': {
        const v = this.viewOf(e.id, e.runId, '');
        v.state = e.exception ? 'failed' : 'stopped';
        if (e.exception) v.error = errorText(e.exception);
        v.status = e.exception ? `Failed: ${v.error}` : 'Stopped';
        this.publish('query', summary(v));
        return;
      }
    }
  }

  private viewOf(id: string, runId: string, name: string): QueryView {
    let v = this.views.get(runId);
    if (!v) {
      v = {
        id, runId, name, state: 'running', status: 'Starting', explain: '', plan: parsePlanGraph(''),
        points: [], batches: [], totals: {
          batches: 0, inputRows: 0, outputRows: 0, rejected: 0, lateRows: [],
          durationSeconds: { latestOffset: 0, getBatch: 0, addBatch: 0, commit: 0, checkpoint: 0, total: 0 },
        },
      };
      this.views.set(runId, v);
    }
    return v;
  }

  /** Fill what only the query object tells: its plan (once), status and error. */
  private refresh(v: QueryView): void {
    const q = this.host.queries().find((x) => x.runId === v.runId);
    if (!q) return;
    if (v.explain === '') {
      v.explain = q.explain();
      v.plan = parsePlanGraph(v.explain);
    }
    if (q.isActive) {
      v.status = q.status.message;
    } else {
      v.state = q.exception ? 'failed' : 'stopped';
      if (q.exception) v.error = errorText(q.exception);
      v.status = q.status.message;
    }
  }

  private addProgress(v: QueryView, p: QueryProgress): { point: ChartPoint; batch: BatchRow } {
    const point = chartPoint(p, v.points[v.points.length - 1]?.maxEventTime ?? null);
    v.points.push(point);
    if (v.points.length > MAX_POINTS) v.points.splice(0, v.points.length - MAX_POINTS);
    const batch: BatchRow = {
      batchId: p.batchId, timestamp: p.timestamp, inputRows: p.numInputRows, outputRows: p.sink.numOutputRows,
      durationMs: p.durationMs.triggerExecution, watermark: p.eventTime.watermark, rejected: p.numRejectedRows, lateRows: point.lateRows,
    };
    v.batches.push(batch);
    if (v.batches.length > MAX_BATCH_ROWS) v.batches.shift();
    const t = v.totals;
    t.batches++;
    t.inputRows += p.numInputRows;
    t.outputRows += p.sink.numOutputRows;
    t.rejected += p.numRejectedRows;
    point.operators.forEach((o, i) => { t.lateRows[i] = (t.lateRows[i] ?? 0) + o.lateRows; });
    for (const phase of DURATION_PHASES) t.durationSeconds[phase] += point.duration[phase];
    return { point, batch };
  }

  private publish(event: 'query' | 'progress' | 'status', body: unknown): void {
    if (this.subscribers.size === 0) return;
    const data = JSON.stringify(body);
    for (const s of this.subscribers) {
      try {
        s(event, data);
      } catch {
        // a client that went away is dropped by the server; it must not stop the others
      }
    }
  }
}

/** A query's view without its history: for `query` events (started, ended). */
export function summary(v: QueryView): Omit<QueryView, 'points' | 'batches'> {
  const { points: _p, batches: _b, ...rest } = v;
  return rest;
}

function errorText(e: Error): string {
  const f = (e as { format?: () => string }).format;
  return typeof f === 'function' ? f.call(e) : e.message;
}

