/**
 * The micro-batch loop (DESIGN.md "Micro-batch protocol").
 *
 * For batch N: ask each source for its latest offset; if there is new data, or the watermark moved
 * and a stateful operator has something to emit or evict, record the batch's offsets, watermark and
 * timestamp; read the rows between the previous and the new offsets; run the operators; give the
 * sink batch N; commit state version N; then advance the watermark from what the batch saw. When
 * every source is bounded and exhausted the watermark goes to +infinity, one last batch flushes
 * whatever state holds, and the query ends.
 */
import type * as arrow from 'apache-arrow';
import { isSplittable, type Json, type RejectedRecord, type Sink, type Source, type SourceReadResult } from '../../connectors/api.js';
import type { LookupJoinNode, StreamingPlan } from '../../planner/incremental/physical.js';
import type { StateStore, StateStoreProvider } from '../../state/state-store.js';
import type { BatchCommit, BatchOffsets, Checkpoint } from '../../state/checkpoint/checkpoint.js';
import { decodeWatermark, encodeWatermark } from '../../state/checkpoint/checkpoint.js';
import type { JsonValue } from '../../state/checkpoint/batch-log.js';
import type { ExprContext } from '../expr/compile.js';
import type { BatchContext, Chunk, Operator } from '../operators/operator.js';
import { readLookupRows } from '../operators/join/lookup-table.js';
import type { LateRowsSink } from '../operators/window/late-rows.js';
import type { Clock } from './clock.js';
import { toSinkBatch } from './sink-batch.js';
import { openStores } from './state-rebuild.js';
import { allNodes, allOperators, buildTree, runBatch, type ExecNode } from './operator-tree.js';
import type { QueryProgress, StateOperatorProgressOnDisk, StateResplit } from './progress.js';
import { batchProgress, BatchTimer, type BatchEventTime, type PlannedBatch, type RanBatch } from './batch-progress.js';
import type { Trigger } from './trigger.js';
import { WatermarkTracker } from './watermark-tracker.js';
import { ConnectorRetrier, DEFAULT_RETRY, type RetryPolicy } from './connector-retry.js';
import type { Parallelism } from '../../planner/incremental/exchanges.js';
import { splitRefusal, splitStateByKeyGroup } from '../parallel/state-split.js';
import { checkRecordedParallelism, rescaledStores, tasksOf, taskOperatorIds, type ParallelismChange } from '../parallel/parallel-settings.js';
import { storesOfTask, TaskSet, taskStoreId } from '../parallel/task-set.js';
import { planFallbackReason, readsOfFailedRun, workerScript, WorkerTaskSet, type PiecesRead } from '../parallel/worker-task-set.js';
import { sumTaskProgress } from '../parallel/task-progress.js';
import type { ModuleFunction, StateRecipe } from '../parallel/wire.js';

export interface RejectedRecordsWriter {
  readonly description: string;
  write(batchId: number, records: readonly RejectedRecord[]): Promise<void>;
}

export interface ExecutionOptions {
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly plan: StreamingPlan;
  /** in plan.sources order */
  readonly sources: readonly Source[];
  readonly sink: Sink;
  /** the sink's schema (names of the target table); the plan's root has the same types */
  readonly sinkSchema: arrow.Schema;
  readonly clock: Clock;
  readonly trigger: Trigger;
  readonly expr: Omit<ExprContext, 'now'>;
  readonly stateProvider: StateStoreProvider;
  readonly rejected: RejectedRecordsWriter;
  /** how long an idle loop waits (real time) before asking sources again */
  readonly idlePollMs?: number;
  /** where offsets, commits and state go; without it a restart starts over */
  readonly checkpoint?: Checkpoint;
  /** the settings that change results, recorded with each batch's offsets */
  readonly settings?: Readonly<Record<string, string>>;
  /** where late rows go (`SET 'late-rows.table'`); closed with the query */
  readonly lateRows?: LateRowsSink & { close?(): Promise<void> };
  /**
   * The bounded source of each lookup join's table: read whole (and closed) when the query starts,
   * also when it resumes from a checkpoint, which holds nothing of these tables.
   */
  readonly lookupSources?: ReadonlyMap<LookupJoinNode, Source>;
  /** how calls to a server that is away are retried (connector-retry.ts) */
  readonly retry?: RetryPolicy;
  /** in plan.sources order: `source.idle-timeout` of each input (0 or absent: never idle) */
  readonly idleTimeoutMs?: readonly (number | undefined)[];
  /** `SET 'parallelism'`: the tasks and key groups (absent: one task) */
  readonly parallelism?: Parallelism;
  /**
   * Run the tasks of a parallel query on worker threads (`parallelism.threads`, on by default), where
   * the plan allows it: the workers open the stores `stateRecipe` describes
   */
  readonly threads?: { readonly enabled: boolean; readonly stateRecipe: StateRecipe; readonly functions?: readonly ModuleFunction[]; /** where the workers resolve relative paths */ readonly baseDir: string };
}

/** How a parallel query's tasks run: on `threads` worker threads, or inline with the reason (progress says so). */
export interface TaskPlacement {
  readonly tasks: number;
  readonly threads: number;
  readonly inlineBecause?: string;
}

const offsetKey = (o: Json | undefined): string => (o === undefined ? '' : JSON.stringify(o));

export class MicroBatchExecution {
  private tree!: ExecNode;
  /** the query's tasks at parallelism > 1 (this.tree is task 0's tree then) */
  private tasks: TaskSet | undefined;
  /** the query's tasks on worker threads (then neither this.tree nor this.tasks is built here) */
  private threads: WorkerTaskSet | undefined;
  /** at parallelism > 1: where the tasks run */
  placement: TaskPlacement | undefined;
  /** the re-split of a checkpoint written at another parallelism, until the first batch's progress says it */
  private resplit: StateResplit | undefined;
  /** the checkpoint was written at another parallelism: state is rebuilt for this one */
  private rescale: ParallelismChange | undefined;
  private operators: Operator[] = [];
  private stores = new Map<number, StateStore>();
  private readonly tracker: WatermarkTracker;
  private offsets: (Json | undefined)[];
  private batchId = 0;
  /** the watermark the last batch ran with */
  private lastBatchWatermark = -Infinity;
  /** the processing time the last batch ran at */
  private lastBatchTime = -Infinity;
  private finalBatchDone = false;
  private exprNow = 0;
  /**
   * batches the checkpoint planned before this run, re-run in order exactly as planned: the one
   * planned but not committed, after those replayed to rebuild damaged state (state-rebuild.ts)
   */
  private replays: BatchOffsets[] = [];
  /** replayed batches up to this id were committed before: their output is not delivered again */
  private deliveredUpTo = -1;
  /** how far the checkpoint got when this run started: the sink checks its output against it */
  private recovered: { lastCommitted: number; pending: number | undefined } = { lastCommitted: -1, pending: undefined };
  /** malformed records of lookup tables, reported with the first batch that runs */
  private lookupRejected: RejectedRecord[] = [];
  /** every source and sink call goes through it: a server that is away is waited for, with backoff */
  readonly retrier: ConnectorRetrier;

  constructor(private readonly o: ExecutionOptions) {
    this.retrier = new ConnectorRetrier(o.retry ?? DEFAULT_RETRY);
    this.tracker = new WatermarkTracker(o.plan.sources.map((s) => s.table.watermark !== undefined), o.idleTimeoutMs ?? [], o.clock.now());
    this.offsets = o.sources.map(() => undefined);
  }

  get currentBatchId(): number {
    return this.batchId;
  }

  async start(): Promise<void> {
    try {
      await this.startTasks();
    } catch (e) {
      // a worker that started must not outlive a query that did not
      await this.threads?.close();
      this.threads = undefined;
      throw e;
    }
  }

  private async startTasks(): Promise<void> {
    await this.recover();
    if (this.o.trigger.kind === 'availableNow') {
      for (const s of new Set(this.o.sources)) if (s.prepareForAvailableNow) await this.retrier.call('prepareForAvailableNow', () => s.prepareForAvailableNow!());
    }
    const notReplayable = [...new Set(this.o.sources.filter((s) => s.replayable !== true).map((s) => s.description))];
    const operatorIds = this.o.plan.statefulOperators.map((s) => s.operatorId);
    const storeIds = taskOperatorIds(operatorIds, this.o.parallelism);
    const provider = this.startThreads(operatorIds);
    const expr: ExprContext = { ...this.o.expr, now: () => this.exprNow };
    const notByKeyGroup = this.rescale && await this.splitByKeyGroup(operatorIds, this.rescale, expr);
    const opened = this.rescale && notByKeyGroup !== undefined
      ? await rescaledStores(storeIds, this.batchId - 1, provider, this.o.checkpoint!, notReplayable, this.rescale, notByKeyGroup)
      : await openStores(storeIds, this.batchId - 1, provider, this.o.checkpoint, notReplayable);
    this.stores = opened.stores;
    if (opened.rebuild) {
      const r = opened.rebuild;
      this.deliveredUpTo = this.batchId - 1;
      this.batchId = r.version + 1;
      this.offsets = this.o.sources.map((_, i) => r.offsets?.sources[i] as Json | undefined);
      this.lastBatchWatermark = r.offsets?.watermark ?? -Infinity;
      this.lastBatchTime = r.offsets?.timestamp ?? -Infinity;
      this.finalBatchDone = r.offsets?.watermark === Infinity;
      this.restoreTracker(r.commit);
      this.replays = [...r.replay, ...this.replays];
    }
    const lookupTables = new Map<LookupJoinNode, arrow.RecordBatch>();
    for (const [node, source] of this.o.lookupSources ?? []) {
      try {
        const lookupRow = { columns: node.columns.map((i) => node.table.columns[i]!) };
        const { rows, rejected } = await this.retrier.call('read', () => readLookupRows(source, lookupRow, node.columns));
        lookupTables.set(node, rows);
        for (const rec of rejected) this.lookupRejected.push(rec);
      } finally {
        await source.close();
      }
    }
    const build = { expr, properties: this.o.plan.properties, observer: this.tracker, stores: this.stores, lateRows: this.o.lateRows, lookupTables };
    const p = this.o.parallelism;
    if (this.threads) {
      await this.threads.build();
    } else if (p && p.tasks > 1) {
      this.tasks = new TaskSet(this.o.plan.root, p, this.o.plan.properties, expr, (t) => ({ ...build, stores: storesOfTask(this.stores, operatorIds, t, p.tasks) }));
      this.tree = this.tasks.trees[0]!;
      this.operators = this.tasks.operators();
    } else {
      this.tree = buildTree(this.o.plan.root, build);
      this.operators = allOperators(this.tree);
    }
    await this.retrier.call('open', () => this.o.sink.open({
      schema: { columns: this.o.plan.root.schema.columns.map((c, i) => ({ ...c, name: this.o.sinkSchema.fields[i]?.name ?? c.name })) },
      mode: this.o.plan.mode,
      keyColumns: this.o.plan.keyColumns,
      queryName: this.o.name,
      writer: {
        checkpointId: this.o.checkpoint?.checkpointId,
        checkpointDir: this.o.checkpoint?.dir,
        queryId: this.o.id,
        queryName: this.o.name,
        lastCommittedBatchId: this.recovered.lastCommitted,
        pendingBatchId: this.recovered.pending,
      },
    }));
  }

  /**
   * A checkpoint written at another parallelism: its state re-split by key group into this run's
   * stores (state-split.ts), through the query's own provider before any task opens them. Why not,
   * when it cannot be (the committed batches are replayed then); progress says which it was.
   */
  private async splitByKeyGroup(operatorIds: readonly number[], change: ParallelismChange, expr: ExprContext): Promise<string | undefined> {
    const t0 = performance.now();
    const request = { root: this.o.plan.root, operatorIds, properties: this.o.plan.properties, parallelism: this.o.parallelism, change, provider: this.o.stateProvider };
    const refusal = splitRefusal(request) ?? await splitStateByKeyGroup({ ...request, version: this.batchId - 1, expr });
    this.resplit = {
      fromTasks: change.tasksThen, toTasks: change.tasksNow, by: refusal === undefined ? 'keyGroups' : 'replay',
      ...(refusal === undefined ? { durationMs: Math.round(performance.now() - t0) } : { replayBecause: refusal }),
    };
    return refusal;
  }

  /**
   * At parallelism > 1, the worker threads of the tasks when the plan can run on them (the provider
   * then opens each task's stores in its worker); else the query's own provider, and the inline TaskSet.
   */
  private startThreads(operatorIds: readonly number[]): StateStoreProvider {
    const p = this.o.parallelism;
    if (!p || p.tasks <= 1) return this.o.stateProvider;
    const script = workerScript();
    const inlineBecause = !this.o.threads?.enabled ? "'parallelism.threads' is 'false'"
      : script === undefined ? 'the worker script is not built (npm run build)'
        : this.o.lateRows ? "late rows go to a table ('late-rows.table'), which the query's thread writes"
          : planFallbackReason(this.o.plan.root, new Set((this.o.threads?.functions ?? []).map((f) => f.key)));
    if (inlineBecause !== undefined) {
      this.placement = { tasks: p.tasks, threads: 0, inlineBecause };
      return this.o.stateProvider;
    }
    const t = this.o.threads!;
    this.threads = new WorkerTaskSet(script!, this.o.plan.root, p, this.o.plan.sources, { recipe: t.stateRecipe, timeZone: this.o.expr.timeZone, functions: t.functions ?? [], baseDir: t.baseDir });
    this.placement = { tasks: p.tasks, threads: p.tasks };
    return this.threads.provider(operatorIds, this.o.stateProvider.newestLoadableVersion !== undefined);
  }

  /**
   * Resume from the checkpoint: sources continue after the last committed batch's offsets, the
   * watermark is what that batch's commit recorded, state stores open at its version, and a batch
   * that was planned but not committed is run again with its recorded offsets, watermark and time.
   */
  private async recover(): Promise<void> {
    const cp = this.o.checkpoint;
    if (!cp) return;
    const r = await cp.recoveryPoint();
    // the stores opened are those of the last committed batch: its commit says at which parallelism it wrote them
    const committedTasks = (r.commit?.extra as { parallelism?: number } | undefined)?.parallelism;
    this.rescale = checkRecordedParallelism((r.pending ?? r.committed)?.settings, committedTasks ?? tasksOf(r.committed?.settings),
      this.o.parallelism, this.o.plan.statefulOperators.length > 0);
    this.recovered = { lastCommitted: r.lastCommitted, pending: r.pending?.batchId };
    this.batchId = r.nextBatchId;
    if (r.committed) {
      this.offsets = this.o.sources.map((_, i) => r.committed!.sources[i] as Json | undefined);
      this.lastBatchWatermark = r.committed.watermark;
      this.lastBatchTime = r.committed.timestamp;
      if (r.committed.watermark === Infinity) this.finalBatchDone = true;
    }
    if (r.commit) this.restoreTracker(r.commit);
    this.replays = r.pending ? [r.pending] : [];
  }

  /** The watermark tracker as batch `commit` left it (undefined: as before the first batch). */
  private restoreTracker(commit: BatchCommit | undefined): void {
    const saved = commit?.extra as { perSource?: (number | null | '+inf')[]; maxEventTime?: (number | null | '+inf')[] } | undefined;
    this.tracker.restore({
      watermark: commit?.nextWatermark ?? -Infinity,
      perSource: commit ? (saved?.perSource ?? []).map((w) => decodeWatermark(w)) : this.o.sources.map(() => -Infinity),
      maxEventTime: (saved?.maxEventTime ?? []).map((w) => decodeWatermark(w)),
    });
  }

  /** True when every source is bounded and has nothing after its current offset. */
  allExhausted(): boolean {
    return this.o.sources.length > 0 && this.o.sources.every((s, i) => s.bounded && s.isExhausted(this.offsets[i]));
  }

  isFinished(): boolean {
    return this.finalBatchDone;
  }

  /**
   * Plan and maybe run one batch. Returns the progress of the batch it ran, or undefined when there
   * was nothing to do (no new data, no watermark work). A batch is planned (its offsets, watermark
   * and time decided and written to the offset log), run (the sources read, the operators run, the
   * sink given the output) and committed (state version, commit log, sources told), in that order:
   * a crash between any two steps resumes at the step it interrupted (DESIGN.md "Micro-batch protocol").
   */
  async step(): Promise<QueryProgress | undefined> {
    const timer = new BatchTimer();
    const planned = await this.planBatch(timer);
    if (planned === undefined) return undefined;
    timer.mark('offsets');
    const ran = await this.runPlanned(planned, timer);
    timer.mark('run');
    const { numRowsUpdated, eventTime } = await this.commitBatch(planned, ran, timer);
    timer.mark('commit');
    const progress = batchProgress({
      query: { id: this.o.id, runId: this.o.runId, name: this.o.name },
      plan: this.o.plan, sources: this.o.sources, sink: this.o.sink, rejectedAt: this.o.rejected.description,
      batch: planned, ran, eventTime, timer, tracker: this.tracker, retries: this.retrier.takeBatchWaits(),
      stateOperators: (await this.stateProgress()).map((p, i) => ({ ...p, numRowsUpdated: numRowsUpdated[i] ?? p.numRowsUpdated })),
    });
    // how this run's state was re-split from another parallelism: said once, with the first batch
    const resplit = this.resplit;
    this.resplit = undefined;
    const withSplit = resplit ? { ...progress, stateResplit: resplit } : progress;
    if (!this.placement) return withSplit;
    return { ...withSplit, parallelism: this.threads ? { ...this.placement, threadIds: [...this.threads.threadIds] } : this.placement };
  }

  /**
   * Decide the next batch: the one the checkpoint planned but did not commit (or a replay), else
   * new offsets from the sources, the watermark and the clock. Undefined when there is nothing to
   * do: no new data, no timer an operator waits for, no final flush.
   */
  private async planBatch(timer: BatchTimer): Promise<PlannedBatch | undefined> {
    const starts = this.offsets.slice();
    const replay = this.replays.shift();
    if (replay) {
      if (replay.watermark === Infinity) this.finalBatchDone = true;
      return {
        batchId: this.batchId, starts, ends: this.o.sources.map((_, i) => replay.sources[i] as Json | undefined),
        watermark: replay.watermark, time: replay.timestamp,
        // a batch replayed to rebuild state: its output was delivered and committed before
        delivered: replay.batchId <= this.deliveredUpTo,
      };
    }
    // a source scanned twice (one object, see start-query.ts) is asked once
    const asked = new Map<Source, Map<string, Promise<Json | undefined>>>();
    const ends = await Promise.all(this.o.sources.map((s, i) => once(asked, s, offsetKey(starts[i]), () => this.retrier.call('latestOffset', () => s.latestOffset(starts[i])))));
    const newData = ends.some((e, i) => offsetKey(e) !== offsetKey(starts[i]));
    const now = this.o.clock.now();
    if (!newData) {
      this.o.sources.forEach((s, i) => { if (s.bounded && s.isExhausted(starts[i])) this.tracker.markExhausted(i); });
      // an input that has gone idle meanwhile stops holding the watermark back: windows may close
      this.tracker.advance(now);
    }
    const wm = this.tracker.current();
    // after the final flush (watermark +infinity) every window has fired: nothing is left to time;
    // with new data a batch runs anyway, so the operators (the workers, at parallelism) are not asked
    const timerWork = !newData && !this.finalBatchDone && (wm > this.lastBatchWatermark || now > this.lastBatchTime)
      && (this.threads ? await this.threads.hasTimerWork(wm, now) : this.operators.some((op) => op.hasTimerWork?.(wm, now) ?? false));
    const finalFlush = !newData && this.allExhausted() && !this.finalBatchDone;
    if (!newData && !timerWork && !finalFlush) return undefined;
    if (finalFlush) this.finalBatchDone = true;
    if (this.o.checkpoint) {
      await timer.checkpointing(() => this.o.checkpoint!.writeOffsets({
        batchId: this.batchId, sources: ends as JsonValue[], watermark: wm, timestamp: now, settings: this.o.settings ?? {},
      }));
    }
    return { batchId: this.batchId, starts, ends, watermark: wm, time: now, delivered: false };
  }

  /** Read the batch's rows, run the operators over them and give the sink the output. */
  private async runPlanned(b: PlannedBatch, timer: BatchTimer): Promise<RanBatch> {
    this.lastBatchTime = b.time;
    this.exprNow = b.time;
    const read = await this.readSources(b);
    timer.mark('read');
    const filesBefore = filesWrittenBy(this.o.sink);
    const ctx: BatchContext = { batchId: b.batchId, watermark: b.watermark, processingTime: b.time, expr: { ...this.o.expr, now: () => b.time } };
    let output: Chunk[];
    // a batch's rejected records are written once (one file a batch): before the run, unless tasks
    // read sources themselves and report theirs after it; also when the run fails, what is known then
    let rejectedKept = b.delivered;
    const keepRejected = async (): Promise<void> => {
      if (!rejectedKept && read.rejected.length > 0) await this.o.rejected.write(b.batchId, read.rejected);
      rejectedKept = true;
    };
    if (read.taskReads.length === 0) await keepRejected();
    try {
      if (this.threads) {
        const ran = await this.threads.run(read.chunks, read.taskReads, ctx, this.tracker);
        output = ran.output;
        ran.reads.forEach((x, k) => read.count(read.taskReads[k]!.sourceIndex, x.rows, x.rejected, read.taskReads[k]!.first));
      } else {
        output = this.tasks ? this.tasks.run(this.o.plan.root, read.chunks, ctx) : runBatch(this.tree, read.chunks, ctx);
      }
      await keepRejected();
      if (!b.delivered) {
        const sinkBatch = { ...toSinkBatch(b.batchId, output, this.o.sinkSchema), watermark: b.watermark, processingTime: b.time };
        await this.retrier.call('write', () => this.o.sink.write(sinkBatch));
      }
    } catch (e) {
      // the stores first: an operator rolling back rebuilds its in-memory view from its store
      for (const store of this.stores.values()) store.abort();
      for (const op of this.operators) op.abort?.();
      await this.threads?.abort();
      // what the tasks had read when the run failed: their rejected records are kept too
      readsOfFailedRun(e)?.forEach((x, k) => read.count(read.taskReads[k]!.sourceIndex, x.rows, x.rejected, read.taskReads[k]!.first));
      await keepRejected().catch(() => undefined);
      throw e;
    }
    const written = filesWrittenBy(this.o.sink);
    const { inputRows, rejectedCounts, rejected, readRows } = read;
    return { inputRows, rejectedCounts, rejected, readRows, outputRows: output.reduce((a, c) => a + c.batch.numRows, 0), filesWritten: written === undefined ? undefined : written - filesBefore! };
  }

  /**
   * The rows of (start, end] of every source that moved, and the records that could not be decoded;
   * of a source the worker tasks read themselves, its pieces (they count what they read: `count`).
   */
  private async readSources(b: PlannedBatch): Promise<SourcesRead> {
    const read = new SourcesRead(this.o.sources.length);
    const reads = new Map<Source, Map<string, Promise<SourceReadResult>>>();
    const splits = new Map<Source, Map<string, Promise<readonly Json[]>>>();
    for (let i = 0; i < this.o.sources.length; i++) {
      if (offsetKey(b.ends[i]) === offsetKey(b.starts[i]) || b.ends[i] === undefined) continue;
      const s = this.o.sources[i]!;
      const range = `${offsetKey(b.starts[i])} ${offsetKey(b.ends[i])}`;
      // a shared read's rows count once in the batch's total, its rejected records are kept once
      const first = !reads.get(s)?.has(range) && !splits.get(s)?.has(range);
      if (this.threads?.readsInTasks(i) && isSplittable(s)) {
        // the tasks read their pieces of these rows themselves, in parallel
        const pieces = await once(splits, s, range, () => this.retrier.call('read', () => s.splitBetween(b.starts[i], b.ends[i]!, this.threads!.tasks)));
        read.taskReads.push({ sourceIndex: i, pieces, first });
        continue;
      }
      const r = await once(reads, s, range, () => this.retrier.call('read', () => s.read(b.starts[i], b.ends[i]!)));
      for (const batch of r.batches) read.chunks[i]!.push({ batch });
      read.count(i, r.batches.reduce((a, x) => a + x.numRows, 0), r.rejected, first);
    }
    if (this.lookupRejected.length > 0) {
      for (const rec of this.lookupRejected) read.rejected.push(rec);
      this.lookupRejected = [];
    }
    return read;
  }

  /**
   * Make the batch durable: the operators put what they hold in memory into their stores, every
   * store commits version N (the execution owns the stores: it opened them and it commits them), the
   * operators finish the batch (late rows, caches), the watermark advances from what the batch saw,
   * the commit log records it, and the sources are told. Returns each state operator's rows updated
   * by the batch (committing forgets them) and the event times the batch saw.
   */
  private async commitBatch(b: PlannedBatch, ran: RanBatch, timer: BatchTimer): Promise<{ numRowsUpdated: number[]; eventTime: BatchEventTime | undefined }> {
    const numRowsUpdated = (await this.stateProgress()).map((p) => p.numRowsUpdated);
    const persist = async (): Promise<void> => {
      if (this.threads) return this.threads.commit(b.batchId);
      for (const op of this.operators) op.flushState?.();
      for (const store of this.stores.values()) await store.commit(b.batchId);
      for (const op of this.operators) await op.checkpoint?.(b.batchId);
    };
    if (this.o.checkpoint) await timer.checkpointing(persist);
    else await persist();
    const eventTime = this.tracker.takeBatchEventTime();
    this.o.sources.forEach((s, i) => {
      if (ran.inputRows[i]! > 0) this.tracker.markActive(i, b.time);
      if (s.bounded && s.isExhausted(b.ends[i])) this.tracker.markExhausted(i);
    });
    this.tracker.advance(b.time);
    const cp = this.o.checkpoint;
    if (cp && b.delivered) {
      // its commit is on record: the watermark it recorded is the one the next batch uses
      const recorded = await cp.commitOf(b.batchId);
      if (recorded) this.restoreTracker(recorded);
    } else if (cp) {
      await timer.checkpointing(async () => {
        const snap = this.tracker.snapshot();
        await cp.writeCommit({
          batchId: b.batchId, nextWatermark: snap.watermark, committedAt: this.o.clock.now(),
          extra: { perSource: snap.perSource.map(encodeWatermark), maxEventTime: (snap.maxEventTime ?? []).map(encodeWatermark), parallelism: this.o.parallelism?.tasks ?? 1 },
        });
        await cp.purge(b.batchId);
      });
    }
    const committed = new Set<Source>();
    for (let i = 0; i < this.o.sources.length; i++) {
      const s = this.o.sources[i]!;
      if (b.ends[i] === undefined || committed.has(s)) continue;
      committed.add(s);
      if (s.commit) await this.retrier.call('commit', () => s.commit!(b.ends[i]!));
    }
    this.offsets = b.ends;
    this.batchId++;
    this.lastBatchWatermark = b.watermark;
    return { numRowsUpdated, eventTime };
  }

  /** Each stateful operator's progress, with the bytes its state takes on disk when the store knows. */
  private async stateProgress(): Promise<StateOperatorProgressOnDisk[]> {
    if (this.threads) return this.threads.progress();
    // every task's operators, each figure summed over the tasks
    const tasks = this.tasks?.trees.length ?? 1;
    return sumTaskProgress((this.tasks?.trees ?? [this.tree]).map((tree, t) => this.treeProgress(tree, t, tasks)));
  }

  private treeProgress(tree: ExecNode, task: number, tasks: number): StateOperatorProgressOnDisk[] {
    const out: StateOperatorProgressOnDisk[] = [];
    for (const t of allNodes(tree)) {
      if (!t.op?.progress) continue;
      const p = t.op.progress();
      const id = 'operatorId' in t.node && typeof t.node.operatorId === 'number' ? t.node.operatorId : undefined;
      const onDisk = id === undefined ? undefined : this.stores.get(taskStoreId(id, task, tasks))?.stateSizeOnDisk?.();
      out.push(onDisk === undefined ? p : { ...p, stateSizeOnDiskBytes: onDisk });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const op of this.operators) op.close?.();
    await this.threads?.close();
    await Promise.allSettled([...new Set(this.o.sources)].map((s) => s.close()));
    await this.o.sink.close();
    await this.o.lateRows?.close?.();
    // background snapshot builds finish before the query is reported stopped, and LMDB handles
    // are released, so a restart in the same process opens the state cleanly
    await this.o.stateProvider.close?.();
  }

  /** The poll interval of the sources, for an idle loop. */
  idleWaitMs(): number {
    const polls = this.o.sources.map((s) => s.pollIntervalMs).filter((x): x is number => x !== undefined);
    return Math.min(this.o.idlePollMs ?? 50, ...polls);
  }
}

/** The files a sink that writes files has written so far (undefined: it writes none). */
const filesWrittenBy = (sink: Sink): number | undefined => {
  const n = (sink as { filesWritten?: unknown }).filesWritten;
  return typeof n === 'number' ? n : undefined;
};

/** The value `make` gives for (source, key), made once: a source several scans share is asked once per batch. */
function once<T>(memo: Map<Source, Map<string, Promise<T>>>, s: Source, key: string, make: () => Promise<T>): Promise<T> {
  let m = memo.get(s);
  if (!m) { m = new Map(); memo.set(s, m); }
  let p = m.get(key);
  if (!p) { p = make(); m.set(key, p); }
  return p;
}

/** What a batch read of its sources: rows for the run, and the counts progress reports. */
class SourcesRead {
  readonly chunks: Chunk[][];
  readonly inputRows: number[];
  readonly rejectedCounts: number[];
  readonly rejected: RejectedRecord[] = [];
  readRows = 0;
  /** the sources the worker tasks read themselves; `first`: not a second scan's read of a range already read */
  readonly taskReads: (PiecesRead & { readonly first: boolean })[] = [];

  constructor(sources: number) {
    this.chunks = Array.from({ length: sources }, () => []);
    this.inputRows = new Array<number>(sources).fill(0);
    this.rejectedCounts = new Array<number>(sources).fill(0);
  }

  /** `rows` read of source `i`, and its rejected records; a second scan's read counts only in its own input rows */
  count(i: number, rows: number, rejected: readonly RejectedRecord[], first: boolean): void {
    this.inputRows[i]! += rows;
    if (!first) return;
    this.readRows += rows;
    this.rejectedCounts[i]! += rejected.length;
    // not push(...rejected): a file of a million malformed lines would overflow the stack
    for (const rec of rejected) this.rejected.push(rec);
  }
}
