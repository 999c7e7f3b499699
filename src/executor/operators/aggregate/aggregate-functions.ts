/**
 * The aggregate calls of one aggregation, compiled: argument and FILTER kernels per call, the
 * accumulators, and how a group's state is loaded from and saved to the operator's state store.
 * Shared by the group, window and session aggregations.
 */
import type * as arrow from 'apache-arrow';
import { columnFromValues, batchFromColumns, readerFor, toApiValue } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import type { AggregateCall } from '../../../planner/logical/plan.js';
import { exprForUser, exprToString, exprType, type BoundExpr } from '../../../planner/expr.js';
import { jsAccumulator, type JsAccumulator } from './js-accumulator.js';
import { flatKindOf, type FlatKind } from './flat-accumulators.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import { ACCUMULATORS, APPEND_ONLY_ACCUMULATORS, listaggWith, finishValue, INTEGER_ACCUMULATORS, OverflowResult, decimalAvg, type AccState, type Accumulator } from './accumulators.js';
import { appendOnlyDistinct, distinct } from './distinct.js';
import { StateUndoLog } from './state-undo-log.js';
import { isInteger, isCollection } from '../../../common/types.js';
import { WeirError } from '../../../common/errors.js';

/** A group as the state store holds it: [keys, accs, emitted, rows, lastWrite?] (see Group). */
type StoredGroup = [unknown[], AccState[], unknown[] | null, number, number?];

/**
 * A group while a batch updates it. In the state store it is saved as the array
 * [keys, accs, emitted, rows, lastWrite?]: `emitted` is the result row last sent downstream (so an
 * update can be preceded by its update-before row), `rows` the number of live input rows (0 after
 * retractions: the group is gone).
 */
export interface Group {
  readonly keys: unknown[];
  readonly accs: AccState[];
  emitted: unknown[] | null;
  rows: number;
  /** processing time of the group's last write (state TTL, state-ttl-index.ts); absent in state written without a TTL */
  lastWrite?: number;
  /**
   * Bit `a` set: the batch has not changed `accs[a]` yet. A loaded group's states are the stored
   * ones, changed in place: before a batch first changes one, its elements are recorded in the undo
   * log (a state of a few values), or it is replaced by a copy, the slot recorded (any other state;
   * DISTINCT states log every change themselves). Copying every state of every group a batch
   * touched made most of q16's memory: the copies lived as long as a batch.
   */
  borrowed?: number;
  /** the stored value the group was loaded from, changed in place when saved */
  stored?: StoredGroup;
}

/** Groups with more calls than this record every state when loaded (a borrowed mask is one int32). */
const MAX_BORROWED = 30;

/** Per-batch readers of every call's argument and filter. */
export interface BoundArgs {
  readonly args: (((i: number) => unknown) | undefined)[];
  readonly filters: (((i: number) => unknown) | undefined)[];
}

/**
 * Call `a`'s input for row `i`: its argument's value (1 for COUNT(*)), or null when the call's FILTER
 * rejects the row or the argument is NULL; either way a null means the row leaves that call's state alone.
 */
export function callInput(bound: BoundArgs, a: number, i: number): unknown {
  const f = bound.filters[a];
  if (f && f(i) !== true) return null;
  const r = bound.args[a];
  return r ? r(i) : 1;
}

export class AggregateFunctions {
  private readonly argKernels: (((b: arrow.RecordBatch) => arrow.Data) | undefined)[];
  private readonly filterKernels: (((b: arrow.RecordBatch) => arrow.Data) | undefined)[];
  private readonly accs: Accumulator[];
  /** in-place changes of stored states in the batch in progress */
  private readonly undo = new StateUndoLog();

  /**
   * `inputAppendOnly`: the input never retracts, so MIN/MAX keep only their running value (the
   * state layout depends on it, and so does the plan: the same plan always gives the same layout).
   */
  /** the UDAF calls' accumulators, by call index (their states are checked when saved) */
  private readonly jsAccs: (JsAccumulator | undefined)[];
  /** the UDAF calls' argument kernels (one per argument) */
  private readonly udafArgKernels: (readonly ((b: arrow.RecordBatch) => arrow.Data)[] | undefined)[];

  constructor(private readonly calls: readonly AggregateCall[], input: Schema, ctx: ExprContext, inputAppendOnly: boolean) {
    this.jsAccs = calls.map((a) => (a.fn === 'udaf' ? userAccumulator(a, ctx, inputAppendOnly) : undefined));
    this.udafArgKernels = calls.map((a) => (a.fn === 'udaf' ? udafArgs(a).map((x) => compileExpr(x, input, ctx)) : undefined));
    this.argKernels = calls.map((a) => (a.arg && a.fn !== 'udaf' ? compileExpr(a.arg, input, ctx) : undefined));
    this.filterKernels = calls.map((a) => (a.filter ? compileExpr(a.filter, input, ctx) : undefined));
    // SUM and AVG of integers add exactly (past 2^53, as int64 and beyond until the result is read)
    // (a DECIMAL is its unscaled integer: SUM adds those; AVG scales their mean to its result's scale)
    const base = (a: AggregateCall): Accumulator => {
      const t = a.arg?.type;
      if (a.fn === 'listagg' && a.separator !== undefined) return listaggWith(a.separator);
      if (t?.kind === 'DECIMAL' && a.fn === 'avg') return decimalAvg(t.scale, a.type.kind === 'DECIMAL' ? a.type.scale : t.scale);
      return (t && (isInteger(t) || t.kind === 'DECIMAL') ? INTEGER_ACCUMULATORS[a.fn] : undefined) ?? ACCUMULATORS[a.fn];
    };
    const pick = (a: AggregateCall): Accumulator => (inputAppendOnly ? APPEND_ONLY_ACCUMULATORS[a.fn] : undefined) ?? base(a);
    const distinctOf = (a: AggregateCall): Accumulator =>
      (inputAppendOnly ? appendOnlyDistinct : distinct)(base(a), this.undo);
    this.accs = calls.map((a, i) => this.jsAccs[i] ?? (a.distinct ? distinctOf(a) : pick(a)));
    // logged states record their own changes; the others are recorded (or copied) at their first change in a batch
    this.unlogged = this.accs.reduce((m, acc, a) => (acc.logged ? m : m | (1 << a)), 0);
    const flat = this.accs.map((acc, i) => flatKindOf(acc, calls[i]!.arg?.type));
    this.flatKinds = flat.every((k) => k !== undefined) ? flat as FlatKind[] : undefined;
  }

  /** a loaded group's borrowed mask: the states recorded or copied before a batch first changes them */
  private readonly unlogged: number;

  /** Every call's flat form (flat-accumulators.ts), when every call has one. */
  readonly flatKinds: readonly FlatKind[] | undefined;

  /** the number of aggregate calls (each one accumulator state per group) */
  get count(): number {
    return this.accs.length;
  }

  describe(): string {
    return this.calls.map((a) => a.fn === 'udaf' ? `${exprToString(a.arg!)}${a.filter ? ` filter ${exprToString(a.filter)}` : ''}` : `${a.fn}${a.distinct ? ' distinct' : ''}(${a.arg ? exprToString(a.arg) : '*'})${a.filter ? ` filter ${exprToString(a.filter)}` : ''}`).join(', ');
  }

  bind(b: arrow.RecordBatch): BoundArgs {
    return {
      args: this.argKernels.map((k, a) => (k ? readerFor(k(b)) : this.udafArgKernels[a] ? udafArgsReader(this.udafArgKernels[a], udafArgs(this.calls[a]!), b) : undefined)),
      filters: this.filterKernels.map((k) => (k ? readerFor(k(b)) : undefined)),
    };
  }

  /** Add (or retract) row `i` into group `g`. */
  apply(g: Group, bound: BoundArgs, i: number, retract: boolean): void {
    const borrowed = this.applyRow(g.accs, bound, i, retract, g.borrowed ?? 0);
    if (g.borrowed !== undefined) g.borrowed = borrowed;
    g.rows += retract ? -1 : 1;
  }

  /** Add (or retract) row `i` into accumulator states `accs`; returns the change of the row count (±1). */
  applyToAccs(accs: AccState[], bound: BoundArgs, i: number, retract: boolean): number {
    this.applyRow(accs, bound, i, retract, 0);
    return retract ? -1 : 1;
  }

  /** Row `i` into `accs`, recording first the borrowed states (bits of `borrowed`) it changes; returns the bits still borrowed. */
  private applyRow(accs: AccState[], bound: BoundArgs, i: number, retract: boolean, borrowed: number): number {
    for (let a = 0; a < this.accs.length; a++) {
      const v = callInput(bound, a, i);
      if (v === null) continue;
      if (borrowed !== 0 && (borrowed & (1 << a)) !== 0) {
        this.beforeChange(accs, a);
        borrowed &= ~(1 << a);
      }
      if (retract) this.accs[a]!.retract(accs[a]!, v);
      else this.accs[a]!.add(accs[a]!, v);
    }
    return borrowed;
  }

  /** State `accs[a]`, stored, is about to change for the first time in the batch: what it was goes in the undo log. */
  private beforeChange(accs: AccState[], a: number): void {
    const acc = this.accs[a]!;
    if (acc.flat) this.undo.recordState(accs[a]!);
    else {
      this.undo.recordSlot(accs, a);
      accs[a] = acc.copy(accs[a]!);
    }
  }

  /**
   * Group `key` for a batch to change (in place: the changes are undone from the log if the batch
   * aborts, with the store's abort): its states are recorded (or copied) when a row first changes
   * them (apply), its stored value when it is saved.
   */
  load(store: StateStore, key: string, keyValues: readonly unknown[]): Group {
    const stored = store.get(key) as StoredGroup | undefined;
    if (!stored) return this.fresh(keyValues);
    const accs = stored[1];
    let borrowed = this.unlogged;
    if (accs.length > MAX_BORROWED) {
      for (let a = 0; a < accs.length; a++) if (!this.accs[a]!.logged) this.beforeChange(accs, a);
      borrowed = 0;
    }
    const g: Group = { keys: stored[0], accs, emitted: stored[2], rows: stored[3], borrowed, stored };
    if (stored[4] !== undefined) g.lastWrite = stored[4];
    return g;
  }

  /** A group with no state yet (or whose state expired). */
  fresh(keyValues: readonly unknown[]): Group {
    return { keys: keyValues.slice(), accs: this.accs.map((acc) => acc.init()), emitted: null, rows: 0 };
  }

  /** Fresh accumulator states. */
  init(): AccState[] {
    return this.accs.map((acc) => acc.init());
  }

  copyAccs(accs: readonly AccState[]): AccState[] {
    return accs.map((s, a) => this.accs[a]!.copy(s));
  }

  /** Fold `other`'s states into `into` (merging session windows). */
  merge(into: AccState[], other: readonly AccState[]): void {
    for (let a = 0; a < this.accs.length; a++) this.accs[a]!.merge(into[a]!, other[a]!);
  }

  /** The batch is committed: its changes need no undoing any more. */
  commitBatch(): void {
    this.undo.clear();
  }

  /** The batch aborts: take back what it changed in place (call with the store's abort). */
  rollback(): void {
    this.undo.rollback();
  }

  /**
   * Group `g` sends `row` downstream: it becomes the row emitted. A loaded group's row emitted is
   * changed in place (recorded first), as its states are; any other group keeps a copy of `row`.
   */
  emit(g: Group, row: readonly unknown[]): void {
    const emitted = g.emitted;
    if (emitted === null || g.stored === undefined) {
      g.emitted = row.slice();
      return;
    }
    this.undo.recordState(emitted);
    for (let i = 0; i < row.length; i++) emitted[i] = row[i];
  }

  save(store: StateStore, key: string, g: Group): void {
    for (let a = 0; a < this.jsAccs.length; a++) this.jsAccs[a]?.checkState(g.accs[a]!);
    const s = g.stored;
    // the last-write time goes in the value so a restart keeps it (state TTL)
    if (s === undefined) {
      store.put(key, g.lastWrite === undefined ? [g.keys, g.accs, g.emitted, g.rows] : [g.keys, g.accs, g.emitted, g.rows, g.lastWrite]);
      return;
    }
    this.undo.recordState(s);
    s[2] = g.emitted;
    s[3] = g.rows;
    if (g.lastWrite !== undefined) s[4] = g.lastWrite;
    store.put(key, s);
  }

  /** The aggregate values of a group, finished to their SQL types. */
  results(accs: readonly AccState[]): unknown[] {
    return this.resultRow([], accs);
  }

  /**
   * A group's output row: its key values, then its aggregate values, in one array (a group
   * aggregation keeps it as the row emitted, for the retraction that replaces it), `into` when given.
   */
  resultRow(keys: readonly unknown[], accs: readonly AccState[], into?: unknown[]): unknown[] {
    const k = keys.length;
    const out: unknown[] = into ?? new Array(k + this.accs.length);
    for (let i = 0; i < k; i++) out[i] = keys[i];
    for (let a = 0; a < this.accs.length; a++) {
      try {
        out[k + a] = finishValue(this.accs[a]!.result(accs[a]!), this.calls[a]!.type);
      } catch (e) {
        if (!(e instanceof OverflowResult)) throw e;
        const c = this.calls[a]!;
        throw new WeirError('RUNTIME', `${c.fn.toUpperCase()}(${c.distinct ? 'DISTINCT ' : ''}${c.arg ? exprForUser(c.arg) : '*'}) = ${e.message}`);
      }
    }
    return out;
  }
}

/** A UDAF call's arguments (its `arg` is a 'udf' node holding them: binder/user-aggregates.ts). */
function udafArgs(a: AggregateCall): readonly BoundExpr[] {
  return a.arg?.kind === 'udf' ? a.arg.args : [];
}

/** The accumulator of a UDAF call; a UDAF without retract is refused over an input that retracts. */
function userAccumulator(a: AggregateCall, ctx: ExprContext, inputAppendOnly: boolean): JsAccumulator {
  const name = a.arg?.kind === 'udf' ? a.arg.name : '?';
  const f = ctx.udafs?.get(name.toLowerCase());
  if (!f) throw new WeirError('BIND', `unknown aggregate function ${name}`, a.span);
  if (!inputAppendOnly && !f.def.retract) {
    throw new WeirError('BIND', `function ${name} has no retract method, which it needs here: its input is an updating stream `
      + '(rows are retracted), and an aggregate over it must take rows back (as Flink requires retract); add retract(acc, ...args)', a.span);
  }
  return jsAccumulator(f, a.span);
}

/** Per row, the UDAF's argument values as the API shows them (a DECIMAL as its number), in one array. */
function udafArgsReader(kernels: readonly ((b: arrow.RecordBatch) => arrow.Data)[], args: readonly BoundExpr[], b: arrow.RecordBatch): (i: number) => unknown[] {
  const readers = kernels.map((k, j) => {
    const r = readerFor(k(b));
    const t = exprType(args[j]!);
    return t.kind === 'DECIMAL' || t.kind === 'ROW' || isCollection(t) ? (i: number) => toApiValue(r(i), t) : r;
  });
  return (i) => readers.map((r) => r(i));
}

export function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Result rows (arrays in output column order) as one Arrow batch of `schema`. */
export function rowsToArrow(schema: Schema, arrowSchema: arrow.Schema, rows: readonly unknown[][]): arrow.RecordBatch {
  const cols = schema.columns.map((c, i) => columnFromValues(c.type, rows.map((r) => r[i])));
  return batchFromColumns(arrowSchema, cols, rows.length);
}
