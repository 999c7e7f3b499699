/**
 * One micro-batch's progress reduced to the numbers the dashboard charts and /metrics report:
 * plain numbers (epoch seconds for instants, null where there is none), computed once per batch
 * and shared by every connected page.
 */
import type { QueryProgress } from '../executor/streaming/progress.js';

export interface OperatorPoint {
  readonly name: string;
  readonly rows: number;
  readonly rowsUpdated: number;
  /** memory the state takes */
  readonly bytes: number;
  /** bytes the state takes on disk, for stores that checkpoint (null: not reported) */
  readonly diskBytes: number | null;
  readonly lateRows: number;
  readonly openWindows: number | null;
  /** epoch seconds of the oldest open window's end, when the operator reports it */
  readonly oldestOpenWindowEnd: number | null;
}

export interface SourcePoint {
  readonly description: string;
  readonly rows: number;
  readonly rejected: number;
  readonly inputRate: number;
  /** per-input event time, when progress reports it (epoch seconds) */
  readonly maxEventTime: number | null;
  readonly watermark: number | null;
}

export interface ChartPoint {
  readonly batchId: number;
  /** batch start, processing time (epoch seconds) */
  readonly t: number;
  readonly inputRows: number;
  readonly outputRows: number;
  readonly inputRate: number;
  readonly processedRate: number;
  /** seconds, by phase */
  readonly duration: {
    readonly latestOffset: number; readonly getBatch: number; readonly addBatch: number;
    readonly commit: number; readonly checkpoint: number; readonly total: number;
  };
  /** epoch seconds; null before the first watermark, +∞ as null with `watermarkFinal` */
  readonly watermark: number | null;
  readonly watermarkFinal: boolean;
  /** the newest event time the query has seen so far (a batch without rows keeps the one before) */
  readonly maxEventTime: number | null;
  /** max event time − watermark, seconds */
  readonly lagEventTime: number | null;
  /** batch start (processing time) − watermark, seconds */
  readonly lagClock: number | null;
  readonly rejected: number;
  readonly lateRows: number;
  readonly operators: readonly OperatorPoint[];
  readonly sources: readonly SourcePoint[];
}

/** Epoch seconds of an ISO instant; null for none, infinities and text that is not an instant. */
export function epochSeconds(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

type SourceWithEventTime = QueryProgress['sources'][number] & {
  readonly eventTime?: { readonly max?: string | null; readonly watermark?: string | null };
};

/** `newestBefore`: the newest event time of the batches before (epoch seconds), for a batch without rows. */
export function chartPoint(p: QueryProgress, newestBefore: number | null = null): ChartPoint {
  const t = epochSeconds(p.timestamp) ?? 0;
  const wm = epochSeconds(p.eventTime.watermark);
  const own = epochSeconds(p.eventTime.max);
  const maxEt = own === null ? newestBefore : newestBefore === null ? own : Math.max(own, newestBefore);
  const d = p.durationMs;
  const operators = p.stateOperators.map((o): OperatorPoint => ({
    name: o.operatorName,
    rows: o.numRowsTotal,
    rowsUpdated: o.numRowsUpdated,
    bytes: o.memoryUsedBytes,
    diskBytes: o.stateSizeOnDiskBytes ?? null,
    lateRows: o.numRowsDroppedByWatermark,
    openWindows: o.numOpenWindows ?? null,
    oldestOpenWindowEnd: epochSeconds(o.oldestOpenWindowEnd),
  }));
  return {
    batchId: p.batchId,
    t,
    inputRows: p.numInputRows,
    outputRows: p.sink.numOutputRows,
    inputRate: finite(p.inputRowsPerSecond),
    processedRate: finite(p.processedRowsPerSecond),
    duration: {
      latestOffset: d.latestOffset / 1000, getBatch: d.getBatch / 1000, addBatch: d.addBatch / 1000,
      commit: d.commit / 1000, checkpoint: d.checkpoint / 1000, total: d.triggerExecution / 1000,
    },
    watermark: wm,
    watermarkFinal: p.eventTime.watermark === '+infinity',
    maxEventTime: maxEt,
    lagEventTime: wm !== null && maxEt !== null ? Math.max(0, maxEt - wm) : null,
    lagClock: wm !== null ? t - wm : null,
    rejected: p.numRejectedRows,
    lateRows: operators.reduce((a, o) => a + o.lateRows, 0),
    operators,
    sources: (p.sources as readonly SourceWithEventTime[]).map((s) => ({
      description: s.description,
      rows: s.numInputRows,
      rejected: s.numRejectedRows,
      inputRate: finite(s.inputRowsPerSecond),
      maxEventTime: epochSeconds(s.eventTime?.max),
      watermark: epochSeconds(s.eventTime?.watermark),
    })),
  };
}

const finite = (x: number): number => (Number.isFinite(x) ? x : 0);
