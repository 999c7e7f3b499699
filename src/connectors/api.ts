/**
 * What a connector is: a factory of sources and sinks keyed by the table's `'connector'` option.
 *
 * The micro-batch protocol (DESIGN.md) asks a source for offsets and for the rows between two
 * offsets, so a re-run of batch N after a crash reads exactly the same rows. Offsets are plain JSON,
 * written into the checkpoint's offset log. A sink receives batch N once per run and must make a
 * repeated batch N idempotent (the filesystem sink's manifest does this).
 *
 * This file imports only common/: the executor depends on these interfaces, the connectors implement them.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../common/schema.js';
import type { SourceSpan } from '../common/errors.js';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** Processing time, from the engine's one clock (never `Date.now()` directly). */
export interface ClockLike {
  now(): number;
}

/** A record that could not be read: kept aside with the reason, never dropped in silence. */
export interface RejectedRecord {
  /** where it came from: `file.json:12`, `nexmark`, ... */
  readonly origin: string;
  readonly reason: string;
  /** the raw text of the record (truncated to a few KB) */
  readonly raw: string;
}

export interface SourceReadResult {
  /** Rows with the source's `schema` (physical columns only; computed columns are the planner's). */
  readonly batches: readonly arrow.RecordBatch[];
  readonly rejected: readonly RejectedRecord[];
}

export interface Source {
  /** The physical columns this source produces, in the table's declared order. */
  readonly schema: Schema;
  /** A short description for EXPLAIN and progress (`nexmark`, `filesystem[/data/in]`). */
  readonly description: string;
  /** Bounded sources end; when exhausted, the query's watermark goes to +infinity. */
  readonly bounded: boolean;
  /**
   * True when batches already committed can be read again, across processes, with the same rows
   * (files, a deterministic generator): rebuilding damaged state by replaying them needs it. A
   * source fed within one process (memory) or that forgets on `commit` leaves it unset.
   */
  readonly replayable?: boolean;
  /**
   * The newest offset that may be read now, given the previous batch's end offset (undefined before
   * the first batch). Return `start` itself (or undefined when start is) when nothing new is there.
   * A source may cap the amount per batch here (`source.max-files-per-trigger`).
   */
  latestOffset(start: Json | undefined): Promise<Json | undefined>;
  /** The rows in (start, end]. Deterministic: the same offsets always give the same rows. */
  read(start: Json | undefined, end: Json): Promise<SourceReadResult>;
  /** True when the source is bounded and nothing lies after `offset`. */
  isExhausted(offset: Json | undefined): boolean;
  /**
   * Trigger available-now: from here on, offer only what is available now (a monitored directory
   * stops listing new files), so the query ends once that is processed. Sources without it end
   * an available-now query when they have nothing new.
   */
  prepareForAvailableNow?(): Promise<void>;
  /** Everything up to `offset` is committed: the source may forget it. */
  commit?(offset: Json): Promise<void>;
  /** Unbounded sources that poll (a monitored directory) say how long to wait before asking again. */
  readonly pollIntervalMs?: number;
  close(): Promise<void>;
}

/**
 * A source whose batches the tasks of a parallel query read themselves, each its own piece, in
 * parallel (`SET 'parallelism' = 'N'` on worker threads: engine/parallel/task-sources.ts). The query's
 * thread cuts a batch's (start, end] into pieces when it plans the batch; each task reads its piece
 * with a source made from the same table in its own thread. Built-in connectors only: a worker makes
 * its source by the connector's name.
 */
export interface SplittableSource extends Source {
  /**
   * (start, end] cut into `pieces` pieces, in order, as plain JSON: read in turn, their rows and
   * rejected records are read(start, end)'s. A piece may hold nothing.
   */
  splitBetween(start: Json | undefined, end: Json, pieces: number): Promise<readonly Json[]>;
  /** The rows and rejected records of one of splitBetween's pieces. Deterministic, as read is. */
  readPiece(piece: Json): Promise<SourceReadResult>;
}

export function isSplittable(s: Source): s is SplittableSource {
  const x = s as Partial<SplittableSource>;
  return typeof x.splitBetween === 'function' && typeof x.readPiece === 'function';
}

/** How a sink is told what a batch's rows mean. */
export type OutputMode = 'append' | 'update' | 'complete';

/** Row kinds of a changelog, as Flink names them. */
export const RowKind = { INSERT: 0, UPDATE_BEFORE: 1, UPDATE_AFTER: 2, DELETE: 3 } as const;
export type RowKindValue = (typeof RowKind)[keyof typeof RowKind];

export interface SinkBatch {
  readonly batchId: number;
  /** The rows with the sink's schema. In complete mode: the whole result table. */
  readonly data: readonly arrow.RecordBatch[];
  /** One RowKind per row across `data`, in order; undefined means every row is an INSERT. */
  readonly kinds: Uint8Array | undefined;
  /**
   * The watermark the batch ran with (-Infinity before any; +Infinity in the last batch of a query
   * whose inputs all ended), for sinks that act on event time (partition commit).
   */
  readonly watermark?: number;
  /** The batch's processing time (epoch ms, from the engine clock; the recorded one on a re-run). */
  readonly processingTime?: number;
}

/**
 * Which run of which query writes a sink, and how far its checkpoint got: a sink that keeps batches
 * across runs (the filesystem sink's manifests) tells a resumed query from a new one with it, so a
 * batch id it saw before is skipped only when the same checkpoint delivers it again.
 */
export interface SinkWriter {
  /** the checkpoint directory's own id (a UUID); undefined when the query runs without a checkpoint */
  readonly checkpointId: string | undefined;
  /** that checkpoint directory (for messages) */
  readonly checkpointDir: string | undefined;
  readonly queryId: string;
  readonly queryName: string;
  /** the last batch the checkpoint committed (-1: none): every batch up to it was delivered before */
  readonly lastCommittedBatchId: number;
  /** the next batch, when a run before planned it and this run delivers it again with its recorded offsets */
  readonly pendingBatchId: number | undefined;
}

export interface Sink {
  readonly description: string;
  /**
   * Called once before the first batch. `keyColumns` are the columns that identify a result row in
   * update mode (the sink's PRIMARY KEY, else the query's grouping keys), by index into `schema`.
   * `writer` is given by the micro-batch execution (absent for the late-rows table).
   */
  open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string; writer?: SinkWriter }): Promise<void>;
  /** Write batch N. If batch N was written before (a re-run after a crash), this must not duplicate it. */
  write(batch: SinkBatch): Promise<void>;
  close(): Promise<void>;
}

/** A table's definition as the connector sees it. */
export interface ConnectorTable {
  readonly name: string;
  /** physical columns (no computed columns) */
  readonly schema: Schema;
  /** options with keys in lower case, as written in `WITH (...)` */
  readonly options: ReadonlyMap<string, string>;
  /** where each option was written, so a bad option's error points at it */
  readonly optionSpans: ReadonlyMap<string, SourceSpan>;
  readonly partitionedBy: readonly string[];
  readonly primaryKey: readonly string[];
}

export interface ConnectorContext {
  readonly clock: ClockLike;
  /** The directory relative paths in options resolve against (the SQL file's directory or cwd). */
  readonly baseDir: string;
  /** Physical columns the query reads, by index; a source may leave the others all-null. */
  readonly requiredColumns?: readonly number[];
  /**
   * ROW columns the query reads only in part: physical column index → names of the fields it reads.
   * A source may leave the other fields of such a column null. Columns not listed are read whole.
   */
  readonly requiredFields?: ReadonlyMap<number, readonly string[]>;
  /**
   * The tasks a parallel query splits each batch of this source between (1 or unset: one). A source
   * whose batches split between tasks may size its default batch by it, so that each task's share
   * stays what one task would read.
   */
  readonly tasks?: number;
}

export interface Connector {
  readonly name: string;
  /** Options this connector knows (others are refused with the list of these). */
  readonly options: readonly string[];
  createSource?(table: ConnectorTable, ctx: ConnectorContext): Source;
  createSink?(table: ConnectorTable, ctx: ConnectorContext): Sink;
}

/**
 * A server a connector needs cannot be reached now (refused, reset, timed out). The micro-batch
 * execution retries the call with backoff and reports the wait in the query's status, and fails the
 * query only after its retry limit: a broker restart must not end a query that would run again a
 * minute later. Any other error from a connector fails the query at once.
 */
export class ConnectorUnavailableError extends Error {
  override readonly name = 'ConnectorUnavailableError';
  constructor(
    /** the connector's name and target, e.g. `nats[127.0.0.1:4222]` */
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
