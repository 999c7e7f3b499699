/**
 * Progress of one micro-batch, named as in Spark's StreamingQueryProgress so that users of Spark
 * find what they expect (CONTRACT.md "Embedding API").
 */
import type { StateOperatorProgress } from '../operators/operator.js';
import type { ConnectorRetry, RetrySummary } from './connector-retry.js';

/** A stateful operator's progress, with the bytes its state takes on disk (checkpointing stores). */
export type StateOperatorProgressOnDisk = StateOperatorProgress & { readonly stateSizeOnDiskBytes?: number };

export interface SourceProgress {
  readonly description: string;
  /** the table the query reads through this input (as watermarkHeldBackBy names it) */
  readonly table: string;
  readonly startOffset: unknown;
  readonly endOffset: unknown;
  readonly numInputRows: number;
  /** malformed records kept aside instead of processed */
  readonly numRejectedRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  /**
   * This input's event time: the largest it delivered and its own watermark (that minus the
   * WATERMARK FOR delay); `watermark` is null for an input without a watermark or before its first row.
   */
  readonly eventTime: { readonly max?: string; readonly watermark: string | null };
  /** no rows for its `source.idle-timeout`: it does not hold the query's watermark back */
  readonly idle: boolean;
}

export interface QueryProgress {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly batchId: number;
  /** ISO-8601 start of the batch (processing time) */
  readonly timestamp: string;
  readonly numInputRows: number;
  readonly numRejectedRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  readonly durationMs: {
    readonly latestOffset: number;
    readonly getBatch: number;
    readonly addBatch: number;
    readonly commit: number;
    /** writing the offsets and commit files and committing state versions (0 without a checkpoint) */
    readonly checkpoint: number;
    readonly triggerExecution: number;
  };
  readonly eventTime: {
    readonly min?: string;
    readonly max?: string;
    /** the average event time of the batch's rows */
    readonly avg?: string;
    /** the watermark this batch ran with (null: none yet) */
    readonly watermark: string | null;
    /**
     * the table of the input whose watermark is the query's (the lowest of the active inputs'),
     * when the query has several watermarked inputs: why a window has not closed yet
     */
    readonly watermarkHeldBackBy?: string;
  };
  readonly stateOperators: readonly StateOperatorProgressOnDisk[];
  readonly sources: readonly SourceProgress[];
  /** `numFilesWritten`: the files a file-writing sink wrote in this batch */
  readonly sink: { readonly description: string; readonly numOutputRows: number; readonly numFilesWritten?: number };
  /** where this batch's rejected records were kept (a directory, or 'memory'), when it had some */
  readonly rejectedRecordsAt?: string;
  /** the waits for a server that was away during this batch (absent when there were none) */
  readonly connectorRetries?: readonly RetrySummary[];
  /**
   * the first batch after a resume at another parallelism: how the checkpoint's state was re-split
   * between the tasks (by key group, or by replaying the committed batches, and why)
   */
  readonly stateResplit?: StateResplit;
  /** at parallelism > 1: the tasks, the worker threads they run on (0: inline in the query's thread, and why) */
  readonly parallelism?: { readonly tasks: number; readonly threads: number; readonly threadIds?: readonly number[]; readonly inlineBecause?: string };
}

/** What a query is doing now, as Spark's StreamingQueryStatus. */
export interface QueryStatus {
  readonly message: string;
  readonly isTriggerActive: boolean;
  /** set while the query waits for a server to come back */
  readonly waitingFor?: ConnectorRetry;
}

export type QueryEvent =
  | { readonly type: 'started'; readonly id: string; readonly runId: string; readonly name: string }
  | { readonly type: 'progress'; readonly progress: QueryProgress }
  | { readonly type: 'terminated'; readonly id: string; readonly runId: string; readonly exception?: Error }
  /** a source or sink could not reach its server: the call is retried after `retry.nextAttemptInMs` */
  | { readonly type: 'retrying'; readonly id: string; readonly runId: string; readonly name: string; readonly retry: ConnectorRetry };

export type QueryListener = (event: QueryEvent) => void;

/** How a resume at another parallelism re-split the checkpoint's state (QueryProgress.stateResplit). */
export interface StateResplit {
  readonly fromTasks: number;
  readonly toTasks: number;
  /** each entry moved to the task owning its key group, or the committed batches run again */
  readonly by: 'keyGroups' | 'replay';
  /** by key group: how long reading and writing the stores took */
  readonly durationMs?: number;
  /** by replay: why not by key group */
  readonly replayBecause?: string;
}
