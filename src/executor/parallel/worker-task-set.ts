/**
 * A parallel query's N tasks on N worker threads (engine/parallel/task-worker.ts runs one), driven from the query's
 * thread through the same micro-batch protocol as the inline TaskSet: the query's thread plans every
 * batch, reads the sources and hands task i its contiguous range of the source rows (as splitRange
 * does), each worker runs its task's operators and exchanges rows with the others directly, and the
 * outputs come back in task order, so the sink gets the batch the inline TaskSet would give it.
 * Stores live in the workers: they open, commit and roll back on this thread's orders, so a batch
 * still goes offsets logged → run in every task → every task's stores committed → commit logged.
 *
 * What cannot cross to a thread (a function registered in this process through the API, a lookup
 * join's loaded rows, the late-rows sink; CREATE FUNCTION modules are imported again in each worker) keeps the query on the inline TaskSet: `fallbackReason` says why.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Parallelism } from '../../planner/incremental/exchanges.js';
import { splitRange } from './exchange.js';
import type { PhysicalNode, SourceNode } from '../../planner/incremental/physical.js';
import { selectColumns } from '../streaming/source-columns.js';
import { isUnnest } from '../../planner/logical/unnest.js';
import type { StateStore, StateStoreProvider } from '../../state/state-store.js';
import type { BatchContext, Chunk } from '../operators/operator.js';
import type { EventTimeObserver } from '../operators/watermark.js';
import type { StateOperatorProgressOnDisk } from '../streaming/progress.js';
import { sumTaskProgress } from './task-progress.js';
import { startWithTaskHeap } from './task-heap.js';
import { taskStoreId } from './task-set.js';
import { CANCELLED_MESSAGE, decodeChunk, decodeError, encodeChunk, type InitMessage, type Reply, type Request, type RunResult, type WireChunk, readInTasks, type TaskReadResult } from './wire.js';
import type { RejectedRecord } from '../../connectors/api.js';

/** What the workers are set up with besides the plan: their stores, the CREATE FUNCTION modules they import again, the base of relative paths. */
export type WorkerSetup = Pick<InitMessage, 'recipe' | 'timeZone' | 'functions' | 'baseDir'>;

/** A batch of a source the tasks read themselves: piece t (SplittableSource.splitBetween) is task t's. */
export interface PiecesRead {
  readonly sourceIndex: number;
  readonly pieces: readonly unknown[];
}

/** `SET 'parallelism.threads' = 'false'`: the tasks run inline in the query's thread. */
export const THREADS_SETTING = 'parallelism.threads';

interface Pending {
  resolve(r: Extract<Reply, { ok: true }>): void;
  reject(e: Error): void;
}

/** What the tasks of a failed run had read (by the error the run failed with): its rejected records are kept. */
const readsOfFailure = new WeakMap<object, TaskReadResult[]>();

/** What the tasks had read when a run failed with `e` (WorkerTaskSet.run), per read in order; undefined when none had. */
export const readsOfFailedRun = (e: unknown): readonly TaskReadResult[] | undefined =>
  (typeof e === 'object' && e !== null ? readsOfFailure.get(e) : undefined);

/** Each read's rows summed over the tasks and its rejected records in task order (the source's), from each task's reads (undefined: it read nothing). */
function sumReads(reads: readonly PiecesRead[], perTask: readonly (readonly TaskReadResult[] | undefined)[]): TaskReadResult[] {
  const out = reads.map(() => ({ rows: 0, rejected: [] as RejectedRecord[] }));
  for (const got of perTask) {
    got?.forEach((x, k) => {
      out[k]!.rows += x.rows;
      appendPieceRejected(out[k]!.rejected, x.rejected);
    });
  }
  return out;
}

export class WorkerTaskSet {
  private readonly workers: Worker[] = [];
  private readonly pending: Map<number, Pending>[] = [];
  private nextId = 0;
  /** why a task's worker is gone (it threw outside a request, or exited): later requests fail at once */
  private readonly gone: (Error | undefined)[] = [];
  /** the thread id of each task's worker, as the workers report them */
  readonly threadIds: number[] = [];
  /**
   * Each task's state progress as its last run or commit reported it; undefined once the state may
   * have changed otherwise (opened, built, rolled back). A batch then costs two requests a task (run,
   * commit), not five: each waits its turn behind the worker's collector tasks (q7 at parallelism 2
   * waited 0.67 s in all for progress replies whose work took 22-56 ms).
   */
  private reported: (readonly StateOperatorProgressOnDisk[])[] | undefined;

  constructor(script: string, root: PhysicalNode, private readonly p: Parallelism,
    /** the plan's sources in sourceIndex order: only the columns each reads go to the workers */
    private readonly sources: readonly SourceNode[],
    /** where the workers' stores, functions (CREATE FUNCTION modules, imported again) and sources come from */
    setup: WorkerSetup) {
    const n = p.tasks;
    const ports: (MessagePort | undefined)[][] = Array.from({ length: n }, () => new Array(n).fill(undefined));
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const ch = new MessageChannel();
        ports[a]![b] = ch.port1;
        ports[b]![a] = ch.port2;
      }
    }
    let workers: Worker[];
    try {
      workers = startWithTaskHeap(n, (t) => new Worker(script, { name: `weir-task-${t}` }));
    } catch (e) {
      for (const row of ports) for (const port of row) port?.close();
      throw e;
    }
    for (let t = 0; t < n; t++) {
      const w = workers[t]!;
      const pending = new Map<number, Pending>();
      const failAll = (e: Error): void => {
        this.gone[t] ??= e;
        for (const x of pending.values()) x.reject(e);
        pending.clear();
      };
      w.on('message', (r: Reply) => {
        const x = pending.get(r.id);
        if (!x) return;
        pending.delete(r.id);
        if (r.ok) x.resolve(r);
        else {
          const e = decodeError(r.error, t);
          if (r.reads) readsOfFailure.set(e, [...r.reads]);
          x.reject(e);
        }
      });
      w.on('error', (e) => failAll(new Error(`the worker thread of task ${t} failed: ${e.message}`)));
      w.on('exit', (code) => failAll(new Error(`the worker thread of task ${t} exited (code ${code})`)));
      const peers = ports[t]!;
      const init: InitMessage = { type: 'init', task: t, tasks: n, maxParallelism: p.maxParallelism, root, ...setup, peers };
      w.postMessage(init, peers.filter((x): x is MessagePort => x !== undefined));
      this.workers.push(w);
      this.pending.push(pending);
    }
  }

  private request(task: number, request: Request, transfer: ArrayBuffer[] = []): Promise<Extract<Reply, { ok: true }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const gone = this.gone[task];
      if (gone) { reject(gone); return; }
      this.pending[task]!.set(id, { resolve, reject });
      this.workers[task]!.postMessage({ id, request }, transfer);
    });
  }

  private all(request: Request): Promise<Extract<Reply, { ok: true }>[]> {
    return Promise.all(this.workers.map((_, t) => this.request(t, request)));
  }

  /**
   * The provider the execution opens stores through (openStores, rescaledStores): each task's store
   * opens in that task's worker; the execution holds a stand-in that only knows its id and version.
   */
  provider(operatorIds: readonly number[], loadable: boolean): StateStoreProvider {
    const owner = new Map<number, { task: number; operatorId: number }>();
    for (let t = 0; t < this.p.tasks; t++) for (const id of operatorIds) owner.set(taskStoreId(id, t, this.p.tasks), { task: t, operatorId: id });
    const where = (storeId: number): { task: number; operatorId: number } => {
      const o = owner.get(storeId);
      if (!o) throw new Error(`store ${storeId} belongs to no task`);
      return o;
    };
    return {
      open: async (storeId, version) => {
        const o = where(storeId);
        this.reported = undefined;
        await this.request(o.task, { type: 'open', storeId, operatorId: o.operatorId, version });
        return standIn(storeId, version);
      },
      ...(loadable ? { newestLoadableVersion: async (storeId: number, atMost: number) => (await this.request(where(storeId).task, { type: 'newestLoadable', storeId, atMost })).value as number } : {}),
    };
  }

  async build(): Promise<void> {
    this.reported = undefined;
    await this.all({ type: 'build' });
  }

  /**
   * One micro-batch through every task: the tasks' outputs in task order, and what the tasks read of
   * each of `reads` (rows summed, rejected records in task order: the source's order); the event
   * times they saw go to `observer`.
   */
  async run(sourceChunks: readonly (readonly Chunk[])[], reads: readonly PiecesRead[], ctx: BatchContext, observer: EventTimeObserver): Promise<{ output: Chunk[]; reads: TaskReadResult[] }> {
    const n = this.p.tasks;
    const perTask: WireChunk[][][] = Array.from({ length: n }, () => []);
    const transfers: ArrayBuffer[][] = Array.from({ length: n }, () => []);
    for (const [i, chunks] of sourceChunks.entries()) {
      const node = this.sources[i];
      const ranges = rangeSlices(node ? selectColumns(node, chunks) : [], n);
      for (let t = 0; t < n; t++) perTask[t]!.push(ranges[t]!.map((c) => encodeChunk(c, transfers[t]!)));
    }
    const runs = this.workers.map((_, t) => this.request(t, {
      type: 'run', batchId: ctx.batchId, watermark: ctx.watermark, processingTime: ctx.processingTime, sources: perTask[t]!,
      reads: reads.map((r) => ({ sourceIndex: r.sourceIndex, piece: r.pieces[t] })),
    }, transfers[t]));
    const replies = await Promise.all(runs).catch(() => this.firstTaskError(runs, reads));
    this.reported = replies.map((r) => (r.value as RunResult).progress);
    const output: Chunk[] = [];
    replies.forEach((r, t) => {
      const result = r.value as RunResult;
      this.threadIds[t] = result.threadId;
      for (const o of result.observations) observer.observe(o[0]!, o[1]!, o[2]!, o[3]!, o[4], o[5]);
      for (const c of r.output ?? []) output.push(decodeChunk(c));
    });
    return { output, reads: sumReads(reads, replies.map((r) => (r.value as RunResult).reads)) };
  }

  /**
   * A run failed in some task: the others are told to stop waiting for its rows, and once every run
   * has ended the error of the lowest task that failed on its own is thrown. So the error does not
   * depend on which thread was quicker: the first malformed record of a batch that may not have any
   * fails the query as at parallelism 1, where it is read first. What the tasks had read goes with
   * the error (readsOfFailedRun), so the batch's rejected records are kept as at parallelism 1.
   */
  private async firstTaskError(runs: readonly Promise<Extract<Reply, { ok: true }>>[], reads: readonly PiecesRead[]): Promise<never> {
    await Promise.allSettled(this.workers.map((_, t) => this.request(t, { type: 'cancel' })));
    const ended = await Promise.allSettled(runs);
    const errors = ended.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    const error = errors.find((e) => !e.message.startsWith(CANCELLED_MESSAGE)) ?? errors[0]!;
    const perTask = ended.map((r) => (r.status === 'fulfilled' ? (r.value.value as RunResult).reads : readsOfFailure.get(r.reason as Error)));
    if (perTask.some((x) => x !== undefined)) readsOfFailure.set(error, sumReads(reads, perTask));
    throw error;
  }

  get tasks(): number {
    return this.p.tasks;
  }

  /** True when the tasks read their part of source `sourceIndex` themselves (the query's thread only plans its offsets). */
  readsInTasks(sourceIndex: number): boolean {
    const node = this.sources[sourceIndex];
    return node !== undefined && readInTasks(node);
  }

  async hasTimerWork(watermark: number, processingTime: number): Promise<boolean> {
    return (await this.all({ type: 'timerWork', watermark, processingTime })).some((r) => r.value === true);
  }

  /** Every task's operators flush into their stores, every store commits `batchId`, then the operators' own checkpoints. */
  async commit(batchId: number): Promise<void> {
    this.reported = undefined;
    this.reported = (await this.all({ type: 'commit', batchId })).map((r) => r.value as StateOperatorProgressOnDisk[]);
  }

  /** A failed batch: every task stops waiting for the others, rolls its stores and operators back. */
  async abort(): Promise<void> {
    this.reported = undefined;
    await Promise.allSettled(this.workers.map((_, t) => this.request(t, { type: 'abort' })));
  }

  /** The state operators' progress, each figure summed over the tasks (as the last run or commit reported it, else asked). */
  async progress(): Promise<StateOperatorProgressOnDisk[]> {
    const perTask = this.reported ?? (await this.all({ type: 'progress' })).map((r) => r.value as StateOperatorProgressOnDisk[]);
    return sumTaskProgress(perTask);
  }

  async close(): Promise<void> {
    try {
      await Promise.allSettled(this.workers.map((_, t) => this.request(t, { type: 'close' })));
    } finally {
      await Promise.allSettled(this.workers.map((w) => w.terminate()));
    }
  }
}

/**
 * The rejected records of the next task's piece of a read after the pieces before it. A file cut
 * between two pieces and lost whole (removed before it was read) is reported by both, as one and the
 * same record: it is kept once, as a read of the whole batch keeps it. (Records of one file are never
 * otherwise alike: each names its line or row.)
 */
export function appendPieceRejected(into: RejectedRecord[], piece: readonly RejectedRecord[]): void {
  const prev = into[into.length - 1];
  piece.forEach((rec, i) => {
    if (i === 0 && prev && prev.origin === rec.origin && prev.reason === rec.reason && prev.raw === rec.raw) return;
    into.push(rec);
  });
}

/** What the execution holds of a store that lives in a worker: its id and version; the worker does the rest. */
function standIn(operatorId: number, version: number): StateStore {
  const elsewhere = (): never => { throw new Error(`store ${operatorId} lives in a worker thread`); };
  return {
    operatorId, version, size: 0, numUpdated: 0,
    get: elsewhere, put: elsewhere, delete: elsewhere, entries: elsewhere,
    commit: async () => undefined, abort: () => undefined, memoryUsedBytes: () => 0,
  };
}

/**
 * The rows of a batch's chunks in `tasks` contiguous ranges, as splitRange cuts them, but as Arrow
 * slices: the copy is made once, when a slice is written to the worker as IPC.
 */
export function rangeSlices(chunks: readonly Chunk[], tasks: number): Chunk[][] {
  return splitRange(chunks, tasks, (b, start, len) => b.slice(start, start + len));
}

/**
 * The built worker script, also when this module runs from the TypeScript sources; undefined when
 * not built: the bundle (dist/engine/parallel/worker/task-worker.js, scripts/bundle.mjs) when
 * the build made it from the script there now (a bundle older than the script is stale: a tsc run
 * without the bundle step), a worker loading one file instead of some 150 modules, else
 * dist/…/task-worker.js.
 */
export function workerScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  // the worker's entry is engine/parallel/task-worker.ts: it puts the engine's pieces (functions,
  // sources) together in its thread, so it sits in the engine layer
  const m = /^(.*)[\\/]src[\\/]executor[\\/]parallel$/.exec(dir);
  // built, this module is dist/executor/parallel/worker-task-set.js, or a chunk of the package's
  // bundle in dist/bundle/ (scripts/bundle.mjs)
  const distDir = here.endsWith('.js') ? (path.basename(dir) === 'bundle' ? path.join(dir, '..') : path.join(dir, '..', '..')) : undefined;
  const engine = distDir !== undefined ? path.join(distDir, 'engine', 'parallel') : m ? path.join(m[1]!, 'dist', 'engine', 'parallel') : undefined;
  return engine === undefined ? undefined : workerScriptIn(engine);
}

/** The worker script of a built `engine/parallel` directory: its bundle when not older than the script, else the script. */
export function workerScriptIn(engine: string): string | undefined {
  const plain = path.join(engine, 'task-worker.js');
  const bundle = path.join(engine, 'worker', 'task-worker.js');
  const mtime = (f: string): number | undefined => { try { return fs.statSync(f).mtimeMs; } catch { return undefined; } };
  const [p, b] = [mtime(plain), mtime(bundle)];
  if (p === undefined) return b === undefined ? undefined : bundle;
  return b !== undefined && b >= p ? bundle : plain;
}

/**
 * Why the plan cannot run on worker threads (undefined: it can): it must be plain data a worker can
 * receive whole, and call no function registered in this process (closures stay here).
 */
export function planFallbackReason(root: PhysicalNode, modules: ReadonlySet<string>): string | undefined {
  const seen = new Set<unknown>();
  const visit = (v: unknown): string | undefined => {
    if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' ? `the plan holds a ${typeof v}` : undefined;
    if (seen.has(v)) return undefined;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) { const r = visit(k) ?? visit(x); if (r) return r; }
      return undefined;
    }
    if (v instanceof Set) {
      for (const x of v) { const r = visit(x); if (r) return r; }
      return undefined;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return 'the plan holds an object that cannot be sent to a worker';
    const o = v as { kind?: unknown; fn?: unknown; name?: unknown };
    // a CREATE FUNCTION module is imported again in each worker; a function registered through the API is a closure
    const inProcess = (name: unknown): boolean => typeof name !== 'string' || !modules.has(name.toLowerCase());
    if (o.kind === 'udf' && inProcess(o.name)) return `it calls ${String(o.name)}, a function registered in this process`;
    if (o.kind === 'processFunction' && inProcess(o.fn)) return `it calls ${String(o.fn)}, a process function registered in this process`;
    if (o.kind === 'correlate' && typeof o.fn === 'string' && !isUnnest(o.fn) && inProcess(o.fn)) return `it calls ${o.fn}, a table function registered in this process`;
    if (o.kind === 'lookupJoin') return 'a lookup join reads its table in the query\'s thread';
    for (const x of Array.isArray(v) ? v : Object.values(v)) { const r = visit(x); if (r) return r; }
    return undefined;
  };
  return visit(root);
}
