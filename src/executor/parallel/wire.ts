/**
 * What crosses between the query's thread and its task workers (worker-task-set.ts, engine/parallel/task-worker.ts):
 * chunks as Arrow IPC bytes whose buffers are moved (transferList), not copied row by row; errors as
 * plain data that become the same WeirError again on the other side; and the messages themselves.
 */
import * as arrow from 'apache-arrow';
import type { MessagePort } from 'node:worker_threads';
import { InternalError, WeirError, type ErrorCode, type SourceSpan } from '../../common/errors.js';
import type { Chunk } from '../operators/operator.js';
import type { RejectedRecord } from '../../connectors/api.js';
import type { PhysicalNode, SourceNode } from '../../planner/incremental/physical.js';
import type { StateOperatorProgressOnDisk } from '../streaming/progress.js';
import type { MovedChunk } from './moved-chunk.js';

/** A chunk on the wire: its batch as one Arrow IPC stream, its row kinds when it has them. */
export interface WireChunk {
  readonly ipc: Uint8Array;
  readonly kinds?: Uint8Array;
}

export function encodeChunk(c: Chunk, transfer: ArrayBuffer[]): WireChunk {
  const ipc = arrow.tableToIPC(new arrow.Table(c.batch.schema, [c.batch]), 'stream');
  transfer.push(ipc.buffer as ArrayBuffer);
  if (!c.kinds) return { ipc };
  // kinds are often a view into a larger array (a range of the source's rows): copied, so only they move
  const kinds = c.kinds.slice();
  transfer.push(kinds.buffer);
  return { ipc, kinds };
}

export function decodeChunk(w: WireChunk): Chunk {
  const t = arrow.tableFromIPC(w.ipc);
  // one batch in, one batch out (also for no rows)
  if (t.batches.length !== 1) throw new InternalError(`a chunk came from another task as ${t.batches.length} batches`);
  const batch = t.batches[0]!;
  return w.kinds ? { batch, kinds: w.kinds } : { batch };
}

/** An error on the wire: enough to throw the same WeirError (code, message, span) in the query's thread. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: ErrorCode;
  readonly span?: SourceSpan;
  readonly file?: string;
  readonly stack?: string;
  /** the EXPLAIN line of the operator that threw, when an operator did */
  readonly operator?: string;
}

export function encodeError(e: unknown, operator?: string): WireError {
  if (e instanceof WeirError) {
    return { name: e.name, message: e.message, code: e.code, span: e.span, file: e.file, stack: e.stack, ...(operator ? { operator } : {}) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack, ...(operator ? { operator } : {}) };
}

/**
 * The error a worker reported, thrown in the query's thread: a WeirError keeps its code, message
 * and position (a user's mistake reads the same at any parallelism); any other error says where it
 * happened.
 */
export function decodeError(w: WireError, task: number): Error {
  const where = `task ${task}${w.operator ? `, operator ${w.operator}` : ''}`;
  if (w.code !== undefined) {
    const e = new WeirError(w.code, w.message, w.span, w.file);
    Object.assign(e, { task, operator: w.operator });
    e.stack = `${e.name}: ${e.message}\n    (in the worker thread of ${where})\n${(w.stack ?? '').split('\n').slice(1).join('\n')}`;
    return e;
  }
  const e = new Error(`${w.message} (in the worker thread of ${where})`);
  e.name = w.name;
  e.stack = `${e.name}: ${e.message}\n${(w.stack ?? '').split('\n').slice(1).join('\n')}`;
  return e;
}

/** The error a task's run ends with when another task's failed first: not the batch's own error. */
export const CANCELLED_MESSAGE = 'the batch was cancelled: another task failed';

/** Where a worker opens its task's stores: the same backend, directory and options as the query's provider. */
export interface StateRecipe {
  readonly backend: string;
  readonly dir: string | undefined;
  readonly options: { readonly retainVersions?: number; readonly snapshotEvery?: number; readonly cacheEntries?: number };
  /** plan operator id → the id its state was written under (Checkpoint.stateIds), where they differ */
  readonly stateIds: readonly (readonly [number, number])[];
}

/** A CREATE FUNCTION module a worker imports again (engine/user-functions.ts PendingModuleFunction, plus its lower-case name). */
export interface ModuleFunction {
  readonly key: string;
  readonly name: string;
  readonly path: string;
  readonly modulePath: string;
  readonly span: SourceSpan;
  /** a native stand-in for a Java class (engine/native-functions.ts): `path` is the class name */
  readonly native?: boolean;
}

export interface InitMessage {
  readonly type: 'init';
  readonly task: number;
  readonly tasks: number;
  readonly maxParallelism: number;
  readonly root: PhysicalNode;
  readonly recipe: StateRecipe;
  readonly timeZone: string;
  /** where relative paths in table options start (a filesystem source's `path`) */
  readonly baseDir: string;
  readonly functions: readonly ModuleFunction[];
  /** a port to every other task (undefined at this task's own index) */
  readonly peers: readonly (MessagePort | undefined)[];
}

/** A request of the query's thread; the worker answers each with `{ id, ok, value }` or `{ id, ok: false, error }`. */
export type Request =
  | { readonly type: 'open'; readonly storeId: number; readonly operatorId: number; readonly version: number }
  | { readonly type: 'newestLoadable'; readonly storeId: number; readonly atMost: number }
  | { readonly type: 'build' }
  | {
    readonly type: 'run'; readonly batchId: number; readonly watermark: number; readonly processingTime: number;
    /** per source index, this task's rows the query's thread read */
    readonly sources: readonly (readonly WireChunk[])[];
    /** the pieces of sources this task reads itself (engine/parallel/task-sources.ts), in source order */
    readonly reads: readonly TaskRead[];
  }
  | { readonly type: 'timerWork'; readonly watermark: number; readonly processingTime: number }
  /** answered with the state operators' progress after the commit */
  | { readonly type: 'commit'; readonly batchId: number }
  | { readonly type: 'abort' }
  /** another task's run failed: stop waiting for its rows (the batch is aborted after) */
  | { readonly type: 'cancel' }
  | { readonly type: 'progress' }
  | { readonly type: 'close' };

export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown; readonly output?: readonly WireChunk[] }
  /** `reads`: what a failed run's task had read (its rejected records are kept as at parallelism 1) */
  | { readonly id: number; readonly ok: false; readonly error: WireError; readonly reads?: readonly TaskReadResult[] };

/**
 * True when the tasks read their pieces of this source's batches themselves (SplittableSource): the
 * nexmark generator and the filesystem source, which a worker makes by name (engine/parallel/task-sources.ts).
 */
export const readInTasks = (node: SourceNode): boolean =>
  (TASK_READ_CONNECTORS as readonly string[]).includes((node.table.options.get('connector') ?? node.table.options.get('connector.type') ?? '').trim().toLowerCase());

export const TASK_READ_CONNECTORS = ['nexmark', 'filesystem'] as const;

/** A task's piece of a batch of a source the tasks read themselves (SplittableSource.splitBetween). */
export interface TaskRead {
  readonly sourceIndex: number;
  readonly piece: unknown;
}

/** What a task read of one TaskRead: its rows, and the records it could not decode (none for a table's second scan of the batch). */
export interface TaskReadResult {
  readonly rows: number;
  readonly rejected: readonly RejectedRecord[];
}

/**
 * What a task's run of a batch gives back besides its output: what it read, the event times its
 * watermark operators saw, and its state operators' progress after the run (what a `progress`
 * request would answer until the commit, so the query's thread need not ask).
 */
export interface RunResult {
  readonly reads: readonly TaskReadResult[];
  readonly observations: readonly (readonly number[])[];
  readonly threadId: number;
  readonly progress: readonly StateOperatorProgressOnDisk[];
}

/** A task's chunks for one exchange of one batch, sent to the task that owns their key groups. */
export interface ExchangeMessage {
  readonly batchId: number;
  readonly exchange: string;
  readonly from: number;
  /** the parts the cut made move by their own buffers (moved-chunk.ts); an input chunk passed on whole goes as IPC */
  readonly chunks: readonly (WireChunk | MovedChunk)[];
}
