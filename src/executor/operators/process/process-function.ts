/**
 * A process function (physical ProcessFunctionNode): the user's `process(row, ctx, ...args)` on
 * each input row, `onTimer(timeMs, ctx, ...args)` on each timer that fires, with the state and timers
 * of the row's (the timer's) partition key; rows the function emits come out as the partition key
 * columns followed by its declared columns (and, with on_time, `rowtime`), append-only.
 *
 * Timers fire at the start of a batch, before its rows: event-time ones the batch's watermark has
 * reached (a timer at t fires once watermark >= t, as Flink), then processing-time ones the batch's
 * clock has reached, each domain in time order (ties: by key), timers registered while firing
 * firing in the same pass when due. The batch's watermark came from the rows of the batches before
 * it, so this is Flink's order: the watermark, then the rows after it. Rows are never dropped as
 * late (Flink's PTFs since FLINK-39436); a function judges lateness itself from `ctx.watermark`.
 *
 * Row semantics (no PARTITION BY, Flink's ROW_SEMANTIC_TABLE): the function is called per row with
 * no key, so ctx.state and ctx.timers are refused when used (the binder refuses a module with
 * onTimer already); its rows are only its own columns. Several tables (node.tables): each row is
 * rebuilt from its table's columns of the union the binder made, `ctx.table` names the table, and
 * the key columns come out once per table.
 *
 * State: a store entry per key (KeyState.toStored), written at the end of the batch for the keys it
 * changed. A failed batch (the function threw) rolls the store back and reloads from it.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, batchToRows, columnFromValues, toApiValue } from '../../../common/columns.js';
import { InternalError, WeirError } from '../../../common/errors.js';
import { toArrowSchema } from '../../../common/schema.js';
import type { UserProcessFunction } from '../../../common/user-function-types.js';
import { physicalLine } from '../../../planner/explain.js';
import type { ProcessFunctionNode } from '../../../planner/incremental/physical.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { showJsValue, udfResultChecker } from '../../expr/udf-result.js';
import { KeyCodec } from '../../keys/key-codec.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { decodeColumn } from '../window/row-keys.js';
import { KeyState, stateApi } from './key-state.js';
import type { StateApi } from './key-state.js';
import { TimerQueue } from './timer-queue.js';

/** A timer handler that keeps registering due timers would never end a batch. */
const MAX_TIMERS_PER_PASS = 1_000_000;

type Domain = 'event' | 'processing';

export class ProcessFunctionOperator implements Operator {
  private readonly fn: UserProcessFunction;
  private readonly args: readonly unknown[];
  private readonly keyCodec: KeyCodec;
  private readonly keys = new Map<string, KeyState>();
  private readonly dirty = new Set<KeyState>();
  private readonly eventQueue: TimerQueue;
  private readonly procQueue: TimerQueue;
  private readonly outSchema: arrow.Schema;
  private readonly checks: readonly ((v: unknown, call: () => string) => unknown)[];
  /** output of the current call: key values and declared columns' values */
  private outKeys: unknown[][] = [];
  private outCols: unknown[][];
  /** the rowtime of each output row (on_time): the row's time, an event timer's time, NULL for a processing timer */
  private outTimes: (number | null)[] = [];
  /** what the function is working on now: its key, row time, where it was called from */
  private current: KeyState | undefined;
  private currentValues: readonly unknown[] = [];
  private currentTime: number | null = null;
  private currentDomain: Domain | null = null;
  private batch: BatchContext | undefined;
  private firedForBatch = -1;
  private readonly state: StateApi;
  private readonly ctx: Record<string, unknown>;
  /** no PARTITION BY: no key, no state, no timers */
  private readonly rowSemantics: boolean;
  /** the table the current row came from (several tables), null in onTimer */
  private currentTable: string | null = null;

  constructor(private readonly node: ProcessFunctionNode, private readonly store: StateStore, exprCtx: ExprContext) {
    const fn = exprCtx.processFunctions?.get(node.fn.toLowerCase());
    if (!fn) throw new InternalError(`process function ${node.fn} is not loaded`);
    this.fn = fn;
    this.rowSemantics = node.partitionBy.length === 0;
    this.args = node.args.map((a) => (a.kind === 'literal' ? toApiValue(a.value, a.type) : null));
    const input = node.input.schema.columns;
    this.keyCodec = new KeyCodec(node.partitionBy.map((i) => input[i]!.type));
    this.outSchema = toArrowSchema(node.schema);
    this.checks = fn.columns.map((c) => udfResultChecker(`${fn.name} (column ${c.name})`, c.type, node.span));
    this.outCols = fn.columns.map(() => []);
    const isLive = (domain: Domain) => (e: { time: number; key: string }): boolean => {
      const k = this.keys.get(e.key);
      return k !== undefined && (domain === 'event' ? k.eventTimers : k.procTimers).has(e.time);
    };
    this.eventQueue = new TimerQueue(isLive('event'));
    this.procQueue = new TimerQueue(isLive('processing'));
    this.state = stateApi(() => this.keyed('ctx.state'), () => this.dirty.add(this.key()), () => this.blame());
    this.ctx = this.makeContext();
    this.load();
  }

  explain(): string {
    return physicalLine(this.node);
  }

  private key(): KeyState {
    if (!this.current) throw new WeirError('RUNTIME', `process function ${this.fn.name}: ctx used outside process() or onTimer()`, this.node.span);
    return this.current;
  }

  /** The current key, for state and timers: refused under row semantics, which has none. */
  private keyed(what: string): KeyState {
    const k = this.key();
    if (this.rowSemantics) {
      throw new WeirError('RUNTIME', `process function ${this.fn.name} used ${what}, but its table has row semantics (no PARTITION BY): `
        + 'state and timers are per key, so partition the table: TABLE t PARTITION BY k', this.node.span);
    }
    return k;
  }

  /** `process function f (key card='4111')`, for messages. */
  private blame(): string {
    if (this.rowSemantics) return `process function ${this.fn.name}`;
    const cols = this.node.input.schema.columns;
    const key = this.node.partitionBy.map((i, j) => `${cols[i]!.name}=${showJsValue(toApiValue(this.currentValues[j], cols[i]!.type))}`).join(', ');
    return `process function ${this.fn.name} (key ${key})`;
  }

  private makeContext(): Record<string, unknown> {
    const cols = this.node.input.schema.columns;
    const self = this;
    const timer = (domain: Domain, register: boolean) => (ms: unknown): void => {
      if (typeof ms !== 'number' || !Number.isFinite(ms)) {
        throw new WeirError('RUNTIME', `${self.blame()}: a timer time must be a finite number of epoch milliseconds, got ${showJsValue(ms)}`, self.node.span);
      }
      if (register && self.fn.def.onTimer === undefined) {
        throw new WeirError('RUNTIME', `${self.blame()} registers a timer but has no onTimer(timeMs, ctx) method to call when it fires`, self.node.span);
      }
      const k = self.keyed('ctx.timers');
      const set = domain === 'event' ? k.eventTimers : k.procTimers;
      if (register === set.has(ms)) return;
      if (register) {
        set.add(ms);
        (domain === 'event' ? self.eventQueue : self.procQueue).push({ time: ms, key: k.key });
      } else {
        set.delete(ms);
      }
      self.dirty.add(k);
    };
    const timers = {
      registerEventTime: timer('event', true),
      registerProcessingTime: timer('processing', true),
      deleteEventTime: timer('event', false),
      deleteProcessingTime: timer('processing', false),
    };
    return {
      get key(): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        self.node.partitionBy.forEach((i, j) => { out[cols[i]!.name] = toApiValue(self.currentValues[j], cols[i]!.type); });
        return out;
      },
      get timestamp(): number | null { return self.currentTime; },
      /** several tables: the name of the table the row came from (null in onTimer and with one table) */
      get table(): string | null { return self.currentTable; },
      get timeDomain(): Domain | null { return self.currentDomain; },
      get watermark(): number | null { const w = self.batch?.watermark; return w === undefined || w === -Infinity ? null : w; },
      get processingTime(): number | null { return self.batch?.processingTime ?? null; },
      // row semantics has no key: refused on first touch, before any value is looked at
      get state(): StateApi { self.keyed('ctx.state'); return self.state; },
      get timers(): Record<string, (ms: unknown) => void> { self.keyed('ctx.timers'); return timers; },
      emit: (row: unknown): void => this.emit(row),
    };
  }

  private emit(row: unknown): void {
    this.key(); // only inside process() and onTimer()
    const cols = this.fn.columns;
    if (row === null || typeof row !== 'object') {
      throw new WeirError('RUNTIME', `${this.blame()} emitted ${showJsValue(row)}: each row must be an object `
        + `({ ${cols.map((c) => c.name).join(', ')} }) or an array`, this.node.span);
    }
    const call = (): string => this.blame();
    for (let j = 0; j < cols.length; j++) {
      const v = Array.isArray(row) ? row[j] : (row as Record<string, unknown>)[cols[j]!.name];
      this.outCols[j]!.push(this.checks[j]!(v, call));
    }
    this.outKeys.push(this.currentValues as unknown[]);
    if (this.node.rowtime) this.outTimes.push(this.currentDomain === 'processing' ? null : this.currentTime);
  }

  /** Run the user's code for `k`, naming the function and key when it throws. */
  private call(k: KeyState, values: readonly unknown[], time: number | null, domain: Domain | null, what: () => string, f: () => void): void {
    this.current = k;
    this.currentValues = values;
    this.currentTime = time;
    this.currentDomain = domain;
    try {
      f();
    } catch (e) {
      if (e instanceof WeirError) throw e;
      throw new WeirError('RUNTIME', `${this.blame()} failed ${what()}: ${e instanceof Error ? e.message : String(e)}`, this.node.span);
    } finally {
      this.current = undefined;
    }
  }

  private keyState(key: string): KeyState {
    let k = this.keys.get(key);
    if (!k) {
      k = new KeyState(key);
      this.keys.set(key, k);
    }
    return k;
  }

  private startBatch(ctx: BatchContext): void {
    this.batch = ctx;
    if (this.firedForBatch === ctx.batchId) return;
    this.firedForBatch = ctx.batchId;
    this.fire('event', ctx.watermark);
    this.fire('processing', ctx.processingTime);
  }

  private fire(domain: Domain, upTo: number): void {
    const queue = domain === 'event' ? this.eventQueue : this.procQueue;
    const onTimer = this.fn.def.onTimer;
    let fired = 0;
    for (let t = queue.takeDue(upTo); t !== undefined; t = queue.takeDue(upTo)) {
      if (++fired > MAX_TIMERS_PER_PASS) {
        throw new WeirError('RUNTIME', `process function ${this.fn.name}: more than ${MAX_TIMERS_PER_PASS} timers fired in one batch; `
          + 'does onTimer keep registering timers that are already due?', this.node.span);
      }
      const k = this.keys.get(t.key)!;
      (domain === 'event' ? k.eventTimers : k.procTimers).delete(t.time);
      this.dirty.add(k);
      if (!onTimer) continue;
      const time = t.time;
      this.call(k, this.keyCodec.decode(k.key), time, domain, () => `in onTimer(${time}) (${domain} time)`,
        () => onTimer.call(this.fn.def, time, this.ctx, ...this.args));
    }
  }

  process(chunk: Chunk, ctx: BatchContext): Chunk[] {
    this.startBatch(ctx);
    const b = chunk.batch;
    const n = b.numRows;
    if (n > 0) {
      const keyCols = this.node.partitionBy.map((i) => decodeColumn(b.data.children[i]!));
      const times = this.node.timeColumn === undefined ? undefined : decodeColumn(b.data.children[this.node.timeColumn]!);
      const rows = this.inputRows(b);
      const def = this.fn.def;
      for (let i = 0; i < n; i++) {
        const values = keyCols.map((c) => c[i] ?? null);
        const k = this.keyState(this.keyCodec.encode(values));
        const t = times?.[i];
        const row = rows[i]!;
        this.currentTable = this.tableNames?.[i] ?? null;
        this.call(k, values, t === null || t === undefined ? null : Number(t), null, () => `on the row ${showJsValue(row)}`,
          () => def.process(row, this.ctx, ...this.args));
      }
      this.currentTable = null;
      this.tableNames = undefined;
    }
    return this.output();
  }

  /** the table of each row of the batch inputRows read last (several tables) */
  private tableNames: (string | null)[] | undefined;

  /** The row objects the function sees: the input rows, or with several tables each row's own table's columns. */
  private inputRows(b: arrow.RecordBatch): Record<string, unknown>[] {
    const rows = batchToRows(b);
    const tables = this.node.tables;
    if (!tables) return rows;
    const union = this.node.input.schema.columns;
    const tags = decodeColumn(b.data.children[tables.tagColumn]!);
    this.tableNames = [];
    return rows.map((r, i) => {
      const t = tables.inputs[Number(tags[i])]!;
      this.tableNames!.push(t.name);
      const row: Record<string, unknown> = {};
      t.columns.forEach((c, j) => { row[t.names[j]!] = r[union[c]!.name]; });
      return row;
    });
  }

  onWatermark(_watermark: number, ctx: BatchContext): Chunk[] {
    this.startBatch(ctx);
    return this.output();
  }

  hasTimerWork(watermark: number, processingTime: number): boolean {
    const e = this.eventQueue.peek();
    const p = this.procQueue.peek();
    return (e !== undefined && e.time <= watermark) || (p !== undefined && p.time <= processingTime);
  }

  private output(): Chunk[] {
    const rows = this.outKeys.length;
    if (rows === 0) return [];
    const input = this.node.input.schema.columns;
    const keys = this.node.partitionBy.map((i, j) => columnFromValues(input[i]!.type, this.outKeys.map((v) => v[j])));
    const cols = [
      // several tables: their keys are equal (co-partitioned), one copy per table as the schema has them
      ...(this.node.tables ? this.node.tables.inputs.flatMap(() => keys) : keys),
      ...this.fn.columns.map((c, j) => columnFromValues(c.type, this.outCols[j]!)),
      ...(this.node.rowtime ? [columnFromValues(input[this.node.timeColumn!]!.type, this.outTimes)] : []),
    ];
    this.outKeys = [];
    this.outTimes = [];
    this.outCols = this.fn.columns.map(() => []);
    return [{ batch: batchFromColumns(this.outSchema, cols, rows) }];
  }

  flushState(): void {
    for (const k of this.dirty) {
      if (k.isEmpty) {
        this.store.delete(k.key);
        this.keys.delete(k.key);
      } else {
        this.store.put(k.key, k.toStored());
      }
    }
    this.dirty.clear();
  }

  /** The state again from the store's committed entries (at start, and after a failed batch). */
  private load(): void {
    this.keys.clear();
    this.dirty.clear();
    this.eventQueue.clear();
    this.procQueue.clear();
    this.outKeys = [];
    this.outTimes = [];
    this.outCols = this.fn.columns.map(() => []);
    this.firedForBatch = -1;
    for (const [key, v] of this.store.entries()) {
      const k = KeyState.fromStored(key, v);
      this.keys.set(key, k);
      for (const t of k.eventTimers) this.eventQueue.push({ time: t, key });
      for (const t of k.procTimers) this.procQueue.push({ time: t, key });
    }
  }

  abort(): void {
    this.load();
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'processFunction',
      // one entry per partition key holding state or timers
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: 0,
    };
  }
}
