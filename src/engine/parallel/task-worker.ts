/**
 * One task of a parallel query, on its own worker thread (worker-task-set.ts starts it). The query's
 * thread sends the physical plan once (plain data: structured-cloned), then drives the task through
 * the micro-batch protocol: open each of the task's stores at a version, build the operator tree,
 * run a batch over the task's range of source rows, commit the stores at version N, roll back, close.
 *
 * Within a batch the task runs every node of the plan over its own rows (stateless chains in place);
 * at the input of a keyed node it cuts its rows by key group (HashExchange.cut, here, in the worker)
 * and sends each other task its part straight through a MessageChannel port, the part's own Arrow
 * buffers moved in the transferList (moved-chunk.ts); it then waits for every other task's part of
 * that exchange and reads the parts in task order, as the inline TaskSet does, so results do not
 * depend on thread timing.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { inputExchange } from '../../planner/incremental/exchanges.js';
import type { PhysicalNode, SourceNode } from '../../planner/incremental/physical.js';
import { physicalChildren } from '../../planner/incremental/physical.js';
import { planProperties, type PlanProperties } from '../../planner/incremental/properties.js';
import { createStateProvider } from '../../state/index.js';
import type { StateStore, StateStoreProvider } from '../../state/state-store.js';
import type { ExprContext } from '../../executor/expr/compile.js';
import type { UserAggregate, UserProcessFunction, UserTableFunction } from '../function-kinds.js';
import type { BatchContext, Chunk, Operator } from '../../executor/operators/operator.js';
import { allNodes, allOperators, buildTree, sharedNodes, type ExecNode } from '../../executor/streaming/operator-tree.js';
import type { StateOperatorProgressOnDisk } from '../../executor/streaming/progress.js';
import { HashExchange } from '../../executor/parallel/exchange.js';
import { TaskSources } from './task-sources.js';
import { buffersOf, SchemaReceiver, SchemaSender, type MovedChunk } from '../../executor/parallel/moved-chunk.js';
import { TASK_STORE_STRIDE } from '../../executor/parallel/task-set.js';
import { CANCELLED_MESSAGE, decodeChunk, encodeChunk, encodeError, type ExchangeMessage, type InitMessage, type Reply, type Request, type RunResult, type TaskReadResult, type WireChunk } from '../../executor/parallel/wire.js';

/** An error an operator threw, with the operator's EXPLAIN line. */
class OperatorFailure {
  constructor(readonly error: unknown, readonly operator: string) {}
}

/** A run that failed after its task read its pieces: what it read goes back with the error (its rejected records are kept). */
class FailedAfterRead {
  constructor(readonly error: unknown, readonly reads: readonly TaskReadResult[]) {}
}

interface Inbox {
  readonly parts: (Chunk[] | undefined)[];
  got: number;
  wake?: () => void;
}

class TaskRuntime {
  private readonly properties: PlanProperties;
  /** made at `build`, when the connectors the plan reads are imported */
  private taskSources: TaskSources | undefined;
  private readonly provider: StateStoreProvider;
  private readonly stores = new Map<number, StateStore>();
  private readonly nodes = new Map<PhysicalNode, ExecNode>();
  private readonly exchangeIds = new Map<PhysicalNode, number>();
  private readonly exchanges = new Map<PhysicalNode, (HashExchange | 'single' | undefined)[]>();
  private tree: ExecNode | undefined;
  private operators: Operator[] = [];
  private now = 0;
  private readonly expr: ExprContext;
  private readonly udfs = new Map<string, (...args: unknown[]) => unknown>();
  private readonly udafs = new Map<string, UserAggregate>();
  private readonly tableFunctions = new Map<string, UserTableFunction>();
  private readonly processFunctions = new Map<string, UserProcessFunction>();
  private observations: number[][] = [];
  private readonly inbox = new Map<string, Inbox>();
  /** exchanged chunks' schemas, by number (moved-chunk.ts) */
  private readonly schemaSender = new SchemaSender();
  private readonly schemaReceiver = new SchemaReceiver();
  /** set by abort: waits for other tasks' rows end, the batch failed elsewhere */
  private cancelled: Error | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly m: InitMessage) {
    this.properties = planProperties(m.root);
    const stateIds = new Map(m.recipe.stateIds);
    const base = createStateProvider(m.recipe.backend, m.recipe.dir, m.recipe.options);
    // a task's store id is its operator's id plus a multiple of TASK_STORE_STRIDE; the operator part
    // may have been written under another id (a checkpoint matched by operator uid)
    const idOf = (id: number): number => {
      const planId = id % TASK_STORE_STRIDE;
      return (stateIds.get(planId) ?? planId) + (id - planId);
    };
    this.provider = stateIds.size === 0 ? base : {
      open: (id, v) => base.open(idOf(id), v),
      ...(base.newestLoadableVersion ? { newestLoadableVersion: (id: number, v: number) => base.newestLoadableVersion!(idOf(id), v) } : {}),
      ...(base.close ? { close: () => base.close!() } : {}),
    };
    this.expr = { now: () => this.now, timeZone: m.timeZone, udfs: this.udfs, udafs: this.udafs, tableFunctions: this.tableFunctions, processFunctions: this.processFunctions };
    m.peers.forEach((port) => port?.on('message', (x: ExchangeMessage) => this.receive(x)));
  }

  async handle(r: Request): Promise<{ value: unknown; output?: readonly WireChunk[]; transfer?: ArrayBuffer[] }> {
    switch (r.type) {
      case 'open': {
        this.stores.set(r.operatorId, await this.provider.open(r.storeId, r.version));
        return { value: undefined };
      }
      case 'newestLoadable':
        return { value: await this.provider.newestLoadableVersion!(r.storeId, r.atMost) };
      case 'build':
        await this.importFunctions();
        this.taskSources = await TaskSources.open(sourceNodes(this.m.root), this.m.baseDir);
        this.build();
        return { value: undefined };
      case 'run': {
        const run = this.run(r);
        this.running = run.catch(() => undefined);
        return await run;
      }
      case 'timerWork':
        return { value: this.operators.some((op) => op.hasTimerWork?.(r.watermark, r.processingTime) ?? false) };
      case 'commit':
        for (const op of this.operators) op.flushState?.();
        for (const store of this.stores.values()) await store.commit(r.batchId);
        for (const op of this.operators) await op.checkpoint?.(r.batchId);
        return { value: this.progress() };
      case 'cancel':
        this.cancel();
        return { value: undefined };
      case 'abort':
        await this.abort();
        return { value: undefined };
      case 'progress':
        return { value: this.progress() };
      case 'close':
        for (const op of this.operators) op.close?.();
        await this.provider.close?.();
        await this.taskSources?.close();
        return { value: undefined };
    }
  }

  /**
   * The CREATE FUNCTION modules the plan may call, imported again in this thread, as the engine
   * imported them (the engine's loader, loaded only when there is a module to import).
   */
  private async importFunctions(): Promise<void> {
    if (this.m.functions.length === 0) return;
    const { loadModuleFunction } = await import('../user-functions.js');
    const { NATIVE_JAVA_FUNCTIONS } = await import('../native-functions.js');
    for (const f of this.m.functions) {
      const native = f.native ? NATIVE_JAVA_FUNCTIONS.get(f.path) : undefined;
      if (native) { this.udfs.set(f.key, native.fn); continue; }
      const loaded = await loadModuleFunction(f);
      switch (loaded.kind) {
        case 'scalar': this.udfs.set(f.key, loaded.fn as (...args: unknown[]) => unknown); break;
        case 'aggregate': this.udafs.set(f.key, loaded); break;
        case 'table': this.tableFunctions.set(f.key, loaded); break;
        case 'process': this.processFunctions.set(f.key, loaded); break;
      }
    }
  }

  private build(): void {
    const ctx = { expr: this.expr, properties: this.properties, observer: { observe: (...a: number[]) => { this.observations.push(a); } }, stores: this.stores };
    this.tree = buildTree(this.m.root, ctx, this.nodes);
    this.operators = allOperators(this.tree);
    // every task numbers the nodes alike (the same plan, the same walk): an exchange's id names it on the wire
    allNodes(this.tree).forEach((t, i) => this.exchangeIds.set(t.node, i));
    for (const t of allNodes(this.tree)) {
      this.exchanges.set(t.node, t.children.map((k, i) => {
        const e = inputExchange(t.node, i, this.properties);
        if (!e) return undefined;
        return e.kind === 'single' ? 'single' : new HashExchange(e.keys, k.node.schema, this.expr, this.m.tasks, this.m.maxParallelism);
      }));
    }
  }

  private async run(r: Extract<Request, { type: 'run' }>): Promise<{ value: RunResult; output: WireChunk[]; transfer: ArrayBuffer[] }> {
    this.cancelled = undefined;
    this.now = r.processingTime;
    this.observations = [];
    const sources = r.sources.map((list) => list.map(decodeChunk));
    const read = await this.taskSources!.read(r.reads);
    try {
      for (const [i, chunks] of read.chunks) sources[i] = chunks;
      if (this.cancelled) throw this.cancelled;
      const ctx: BatchContext = { batchId: r.batchId, watermark: r.watermark, processingTime: r.processingTime, expr: { ...this.expr, now: () => r.processingTime } };
      const out = await this.runNode(this.m.root, sources, ctx, new Map());
      const transfer: ArrayBuffer[] = [];
      const output = out.map((c) => encodeChunk(c, transfer));
      return { value: { reads: read.results, observations: this.observations, threadId, progress: this.progress() }, output, transfer };
    } catch (e) {
      throw new FailedAfterRead(e, read.results);
    }
  }

  /**
   * A node's output for the batch: a node several parents read runs once, its output kept for the
   * batch; any other node's output goes with its parent's inputs (as the serial executor's pull).
   */
  private runNode(node: PhysicalNode, sources: readonly Chunk[][], ctx: BatchContext, done: Map<PhysicalNode, Promise<Chunk[]>>): Promise<Chunk[]> {
    let p = done.get(node);
    if (!p) {
      p = this.runNodeOnce(node, sources, ctx, done);
      if (sharedNodes(this.tree!).has(this.nodes.get(node)!)) done.set(node, p);
    }
    return p;
  }

  private async runNodeOnce(node: PhysicalNode, sources: readonly Chunk[][], ctx: BatchContext, done: Map<PhysicalNode, Promise<Chunk[]>>): Promise<Chunk[]> {
    // the query's thread sent only the columns the source node reads
    if (node.kind === 'source') return sources[node.sourceIndex] ?? [];
    const exchanges = this.exchanges.get(node)!;
    const kids = physicalChildren(node);
    const inputs: Chunk[][] = [];
    // inputs one after another, in the same order in every task (exchanges pair up by that order)
    for (let i = 0; i < kids.length; i++) inputs.push(await this.exchange(node, i, await this.runNode(kids[i]!, sources, ctx, done), exchanges[i], ctx.batchId));
    const out: Chunk[] = [];
    // a node without keys runs in task 0 alone, which its exchange gave every row
    if (exchanges.some((e) => e === 'single') && this.m.task !== 0) return out;
    const exec = this.nodes.get(node)!;
    const op = exec.op!;
    try {
      const opCtx: BatchContext = exec.chained ? { ...ctx, lateWatermark: exec.chained.previousWatermark } : ctx;
      inputs.forEach((chunks, i) => {
        for (const chunk of chunks) for (const o of op.process(chunk, opCtx, i)) out.push(o);
      });
      if (op.onWatermark) for (const o of op.onWatermark(ctx.watermark, opCtx)) out.push(o);
      if (op.finishBatch) for (const o of op.finishBatch(opCtx)) out.push(o);
      if (exec.chained) exec.chained.previousWatermark = ctx.watermark;
    } catch (e) {
      throw new OperatorFailure(e, op.explain());
    }
    return out;
  }

  /** This task's rows of input `i` of `node` after its exchange: every task's part for this task, in task order. */
  private async exchange(node: PhysicalNode, i: number, chunks: Chunk[], e: HashExchange | 'single' | undefined, batchId: number): Promise<Chunk[]> {
    if (e === undefined) return chunks;
    // the batch failed in another task while this one read or ran: its rows will never come
    if (this.cancelled) throw this.cancelled;
    const n = this.m.tasks;
    const parts: Chunk[][] = Array.from({ length: n }, () => []);
    // each part the cut made (not an input chunk passed on whole) with the input it was cut from
    const cutFrom = new Map<Chunk, Chunk>();
    if (e === 'single') parts[0] = chunks;
    else {
      for (const c of chunks) {
        const cut = e.cut(c);
        for (let t = 0; t < n; t++) {
          const part = cut[t];
          if (!part) continue;
          parts[t]!.push(part);
          if (part !== c) cutFrom.set(part, c);
        }
      }
    }
    const id = `${this.exchangeIds.get(node)}.${i}`;
    const inputBuffers = new Map<Chunk, Set<ArrayBufferLike>>();
    for (let t = 0; t < n; t++) {
      if (t === this.m.task) continue;
      const transfer: ArrayBuffer[] = [];
      let posted = false;
      try {
        const wire = parts[t]!.map((c): WireChunk | MovedChunk => {
          // a part the cut made moves by its own buffers; an input chunk passed on is written as IPC
          const input = cutFrom.get(c);
          if (input === undefined) return encodeChunk(c, transfer);
          let shared = inputBuffers.get(input);
          if (!shared) inputBuffers.set(input, shared = buffersOf(input));
          return this.schemaSender.move(c, t, transfer, shared) ?? encodeChunk(c, transfer);
        });
        const msg: ExchangeMessage = { batchId, exchange: id, from: this.m.task, chunks: wire };
        this.m.peers[t]!.postMessage(msg, transfer);
        posted = true;
      } finally {
        // a schema counts as had by its receiver only once a message carrying it left
        this.schemaSender.posted(posted);
      }
    }
    const box = this.box(`${batchId}:${id}`);
    if (box.got < n - 1) {
      await new Promise<void>((resolve) => { box.wake = resolve; });
      if (this.cancelled) throw this.cancelled;
    }
    this.inbox.delete(`${batchId}:${id}`);
    const out: Chunk[] = [];
    for (let t = 0; t < n; t++) for (const c of (t === this.m.task ? parts[t]! : box.parts[t]!)) out.push(c);
    return out;
  }

  private box(key: string): Inbox {
    let b = this.inbox.get(key);
    if (!b) {
      b = { parts: new Array(this.m.tasks).fill(undefined), got: 0 };
      this.inbox.set(key, b);
    }
    return b;
  }

  private receive(x: ExchangeMessage): void {
    const b = this.box(`${x.batchId}:${x.exchange}`);
    b.parts[x.from] = x.chunks.map((c) => ('ipc' in c ? decodeChunk(c) : this.schemaReceiver.restore(c, x.from)));
    b.got++;
    if (b.got === this.m.tasks - 1) b.wake?.();
  }

  /** Another task's run failed: this one stops waiting for rows that will not come. */
  private cancel(): void {
    this.cancelled ??= new Error(CANCELLED_MESSAGE);
    for (const b of this.inbox.values()) b.wake?.();
  }

  /** A batch failed (here or in another task): stop waiting for rows, roll the stores and operators back. */
  private async abort(): Promise<void> {
    this.cancel();
    await this.running;
    this.inbox.clear();
    for (const store of this.stores.values()) store.abort();
    for (const op of this.operators) op.abort?.();
  }

  private progress(): StateOperatorProgressOnDisk[] {
    const out: StateOperatorProgressOnDisk[] = [];
    if (!this.tree) return out;
    for (const t of allNodes(this.tree)) {
      if (!t.op?.progress) continue;
      const p = t.op.progress();
      const id = 'operatorId' in t.node && typeof t.node.operatorId === 'number' ? t.node.operatorId : undefined;
      const onDisk = id === undefined ? undefined : this.stores.get(id)?.stateSizeOnDisk?.();
      out.push(onDisk === undefined ? p : { ...p, stateSizeOnDiskBytes: onDisk });
    }
    return out;
  }
}

/** The plan's source nodes by sourceIndex. */
function sourceNodes(root: PhysicalNode): SourceNode[] {
  const out: SourceNode[] = [];
  const seen = new Set<PhysicalNode>();
  const visit = (n: PhysicalNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'source') out[n.sourceIndex] = n;
    for (const c of physicalChildren(n)) visit(c);
  };
  visit(root);
  return out;
}

let runtime: TaskRuntime | undefined;
const port = parentPort!;
port.on('message', (m: InitMessage | { id: number; request: Request }) => {
  if ('type' in m) {
    runtime = new TaskRuntime(m);
    return;
  }
  runtime!.handle(m.request).then(
    (r) => port.postMessage({ id: m.id, ok: true, value: r.value, ...(r.output ? { output: r.output } : {}) } satisfies Reply, r.transfer ?? []),
    (e: unknown) => {
      const reads = e instanceof FailedAfterRead ? e.reads : undefined;
      const failure = e instanceof FailedAfterRead ? e.error : e;
      const error = failure instanceof OperatorFailure ? encodeError(failure.error, failure.operator) : encodeError(failure);
      port.postMessage({ id: m.id, ok: false, error, ...(reads ? { reads } : {}) } satisfies Reply);
    },
  );
});
