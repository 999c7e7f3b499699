/**
 * What one micro-batch was and did, as the execution hands it from step to step (planned, run,
 * committed), and the QueryProgress made of it at the end.
 */
import type { Json, RejectedRecord, Sink, Source } from '../../connectors/api.js';
import type { StreamingPlan } from '../../planner/incremental/physical.js';
import type { RetrySummary } from './connector-retry.js';
import type { QueryProgress, SourceProgress, StateOperatorProgressOnDisk } from './progress.js';
import { isoOrNull } from './trigger.js';
import type { SourceWatermark, WatermarkTracker } from './watermark-tracker.js';

/** A batch as planned: the offsets it reads between, the watermark and processing time it runs with. */
export interface PlannedBatch {
  readonly batchId: number;
  readonly starts: readonly (Json | undefined)[];
  readonly ends: (Json | undefined)[];
  readonly watermark: number;
  readonly time: number;
  /** a batch replayed to rebuild state whose output was delivered and committed before: the sink does not get it again */
  readonly delivered: boolean;
}

/** What running a batch read and wrote. */
export interface RanBatch {
  /** rows per source (a source scanned twice counts for each scan) */
  readonly inputRows: readonly number[];
  readonly rejectedCounts: readonly number[];
  readonly rejected: readonly RejectedRecord[];
  /** rows read, each shared read once */
  readonly readRows: number;
  readonly outputRows: number;
  /** files a file-writing sink wrote in this batch */
  readonly filesWritten: number | undefined;
}

export type BatchEventTime = ReturnType<WatermarkTracker['takeBatchEventTime']>;

/** Where a batch's time went: the phases in order, and the part spent making it durable. */
export class BatchTimer {
  readonly start = performance.now();
  private readonly marks = new Map<'offsets' | 'read' | 'run' | 'commit', number>();
  /** writing offsets and commit files and committing state versions */
  checkpointMs = 0;

  mark(phase: 'offsets' | 'read' | 'run' | 'commit'): void {
    this.marks.set(phase, performance.now());
  }

  at(phase: 'offsets' | 'read' | 'run' | 'commit'): number {
    return this.marks.get(phase) ?? this.start;
  }

  /** Run `work`, counting its time as checkpointing. */
  async checkpointing<T>(work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      this.checkpointMs += performance.now() - t;
    }
  }
}

export interface BatchReport {
  readonly query: { readonly id: string; readonly runId: string; readonly name: string };
  readonly plan: StreamingPlan;
  readonly sources: readonly Source[];
  readonly sink: Sink;
  readonly rejectedAt: string;
  readonly batch: PlannedBatch;
  readonly ran: RanBatch;
  readonly eventTime: BatchEventTime;
  readonly timer: BatchTimer;
  /** after the batch: each input's watermark, and which holds the query's back */
  readonly tracker: WatermarkTracker;
  readonly retries: readonly RetrySummary[];
  readonly stateOperators: readonly StateOperatorProgressOnDisk[];
}

/** The progress of a finished batch (Spark's StreamingQueryProgress, see progress.ts). */
export function batchProgress(r: BatchReport): QueryProgress {
  const { batch: b, ran, timer, plan } = r;
  const end = timer.at('commit');
  const secs = Math.max(1e-6, (end - timer.start) / 1000);
  const perSource = r.tracker.sources();
  const held = r.tracker.holdingSource();
  const sources: SourceProgress[] = r.sources.map((s, i) => ({
    description: s.description,
    table: plan.sources[i]!.table.name,
    startOffset: b.starts[i] ?? null,
    endOffset: b.ends[i] ?? null,
    numInputRows: ran.inputRows[i]!,
    numRejectedRows: ran.rejectedCounts[i]!,
    inputRowsPerSecond: ran.inputRows[i]! / secs,
    processedRowsPerSecond: ran.inputRows[i]! / secs,
    ...sourceEventTime(plan.sources[i]!.table.watermark !== undefined, perSource[i]!),
  }));
  const eventTime = r.eventTime;
  return {
    ...r.query,
    batchId: b.batchId,
    timestamp: isoOrNull(b.time) ?? String(b.time),
    numInputRows: ran.readRows,
    numRejectedRows: ran.rejected.length,
    inputRowsPerSecond: ran.readRows / secs,
    processedRowsPerSecond: ran.readRows / secs,
    durationMs: {
      latestOffset: timer.at('offsets') - timer.start,
      getBatch: timer.at('read') - timer.at('offsets'),
      addBatch: timer.at('run') - timer.at('read'),
      commit: end - timer.at('run'),
      checkpoint: timer.checkpointMs,
      triggerExecution: end - timer.start,
    },
    eventTime: {
      ...(eventTime ? { min: isoOrNull(eventTime.min) ?? undefined, max: isoOrNull(eventTime.max) ?? undefined } : {}),
      ...(eventTime?.avg !== undefined ? { avg: isoOrNull(eventTime.avg) ?? undefined } : {}),
      watermark: watermarkText(b.watermark),
      ...(held !== undefined && plan.sources.filter((s) => s.table.watermark !== undefined).length > 1
        ? { watermarkHeldBackBy: plan.sources[held]!.table.name }
        : {}),
    },
    stateOperators: r.stateOperators,
    sources,
    sink: {
      description: r.sink.description,
      numOutputRows: ran.outputRows,
      ...(ran.filesWritten !== undefined ? { numFilesWritten: ran.filesWritten } : {}),
    },
    ...(ran.rejected.length > 0 ? { rejectedRecordsAt: r.rejectedAt } : {}),
    ...(r.retries.length > 0 ? { connectorRetries: r.retries } : {}),
  };
}

const watermarkText = (wm: number): string | null => (Number.isFinite(wm) ? isoOrNull(wm) : wm === Infinity ? '+infinity' : null);

/** A source's event time in progress: its max and watermark (watermarked inputs only) and idleness. */
function sourceEventTime(watermarked: boolean, w: SourceWatermark): Pick<SourceProgress, 'eventTime' | 'idle'> {
  if (!watermarked) return { eventTime: { watermark: null }, idle: false };
  return {
    eventTime: { ...(Number.isFinite(w.maxEventTime) ? { max: isoOrNull(w.maxEventTime)! } : {}), watermark: watermarkText(w.watermark) },
    idle: w.idle,
  };
}
