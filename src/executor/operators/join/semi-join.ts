/**
 * The semi / anti join operator (physical SemiJoinNode): what `IN`, `EXISTS` and their negations in
 * WHERE run as. Both sides' rows are kept as a stream join keeps them (join-state.ts), the left rows
 * with how many right rows they match; the output is left rows, each at most once.
 *
 * Regular (no time bound): a semi join emits a left row when its match count leaves 0 and retracts it
 * when the count comes back to 0; an anti join does the reverse (a left row is emitted at once when
 * nothing matches it, and retracted when its first match arrives). With a time bound (equal windows,
 * both inputs append-only) a left row is decided once, when the watermark expires it: emitted if it
 * matched (semi) or never did (anti), so the output is append-only.
 *
 * A chunk is taken in runs of rows of one sort (inserts, or one retraction at a time): a run's rows
 * probe the other side's stored rows under their keys, the residual is evaluated once over all the
 * run's candidate pairs (on the columns it reads only), and the counts and output follow in row
 * order. A NULL key never matches.
 */
import * as arrow from 'apache-arrow';
import { batchFromColumns, readerFor } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { takeBatch } from '../../../common/take.js';
import { RowKind } from '../../../connectors/api.js';
import type { JoinSideBound, SemiJoinNode } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { LateRows, type LateRowsSink } from '../window/late-rows.js';
import { NULL_KEY } from '../window/row-keys.js';
import { joinKeyCodecs, joinMapKeys } from './join-keys.js';
import { JoinSideState, MAX_BLOCK_ROWS, type RowRef } from './join-state.js';
import { joinSides, lateRowsOf, narrowResidual, residualBatch, rowExpiries, type Kernel, type ResidualSpec } from './join-side.js';

/** A null-aware anti join (uncorrelated NOT IN) keeps NULL-keyed rows, under this key. */
const NULL_ROW: unique symbol = Symbol('NULL row');

interface Side {
  readonly schema: Schema;
  readonly keys: readonly Kernel[];
  readonly codec: KeyCodec;
  readonly expiry: readonly Kernel[];
  readonly bound: JoinSideBound | undefined;
  readonly state: JoinSideState;
  readonly late: LateRows;
}

export class SemiJoinOperator implements Operator {
  private readonly sides: readonly [Side, Side];
  private readonly residual: ResidualSpec | undefined;
  private readonly outSchema: arrow.Schema;
  /** a time bound: left rows are decided when they expire */
  private readonly timed: boolean;
  /** uncorrelated NOT IN over nullable values: NULL keys are rows of their own (see SemiJoinNode.nullAware) */
  private readonly nullAware: boolean;
  private previousWatermark = -Infinity;
  private droppedNow = 0;
  private droppedLast = 0;
  private updatedNow = 0;
  private updatedLast = 0;

  constructor(private readonly node: SemiJoinNode, store: StateStore, exprCtx: ExprContext, lateSink: LateRowsSink | undefined) {
    const name = `semiJoin[${node.operatorId}]`;
    this.nullAware = node.nullAware === true;
    const codecs = joinKeyCodecs(node.leftKeys.map((e) => e.type), node.rightKeys.map((e) => e.type));
    const side = (k: 0 | 1): Side => {
      const input = k === 0 ? node.left : node.right;
      const bound = k === 0 ? node.leftBound : node.rightBound;
      const keys = (k === 0 ? node.leftKeys : node.rightKeys).map((e) => compileExpr(e, input.schema, exprCtx));
      const codec = codecs[k];
      const expiring = (bound?.expiry.length ?? 0) > 0;
      const keysOf = (b: arrow.RecordBatch): unknown[] => this.mapNulls(joinMapKeys(codec, keys.map((f) => f(b)), b.numRows));
      return {
        schema: input.schema, keys, codec, bound,
        expiry: (bound?.expiry ?? []).map((e) => compileExpr(e, input.schema, exprCtx)),
        // the left rows keep their match counts
        state: new JoinSideState(k === 0 ? 'L' : 'R', store, toArrowSchema(input.schema), expiring, k === 0, keysOf),
        late: new LateRows(`${name}.${k === 0 ? 'left' : 'right'}`, input.schema, (bound?.lateness.length ?? 0) > 0 ? lateSink : undefined),
      };
    };
    this.sides = [side(0), side(1)];
    this.timed = node.strategy !== 'regular';
    this.outSchema = toArrowSchema(node.schema);
    if (node.residual) {
      const pair: Schema = { columns: [...node.left.schema.columns, ...node.right.schema.columns] };
      this.residual = narrowResidual(node.residual, pair, node.left.schema.columns.length, exprCtx);
    }
  }

  /** Under null awareness, NULL keys become NULL_ROW (stored, probed by no key). */
  private mapNulls(keys: unknown[]): unknown[] {
    if (this.nullAware) for (let i = 0; i < keys.length; i++) if (keys[i] === NULL_KEY) keys[i] = NULL_ROW;
    return keys;
  }

  explain(): string {
    const keys = this.node.leftKeys.map((k, i) => `${exprToString(k)} = ${exprToString(this.node.rightKeys[i]!)}`).join(', ');
    return `${this.node.anti ? 'AntiJoin' : 'SemiJoin'}[${this.node.operatorId}](${this.node.strategy}, keys=[${keys}]` +
      `${this.node.residual ? `, residual=${exprToString(this.node.residual)}` : ''})`;
  }

  private chunk(batch: arrow.RecordBatch, kinds: readonly number[]): Chunk {
    if (this.node.appendOnly && kinds.every((k) => k === RowKind.INSERT)) return { batch };
    return { batch, kinds: Uint8Array.from(kinds) };
  }

  process(chunk: Chunk, ctx: BatchContext, input = 0): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const me = this.sides[input]!;
    const { accepted, dropped } = lateRowsOf(me.bound, me.late, b, ctx, this.previousWatermark);
    this.droppedNow += dropped;
    const keys = this.mapNulls(joinMapKeys(me.codec, me.keys.map((k) => k(b)), n));
    const expiries = rowExpiries(me.expiry, b);
    const kinds = chunk.kinds;
    const out: Chunk[] = [];
    const retracts = (i: number): boolean => kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
    let run: number[] = [];
    const flushInserts = (): void => {
      for (let from = 0; from < run.length; from += MAX_BLOCK_ROWS) this.inserts(input, b, run.slice(from, from + MAX_BLOCK_ROWS), keys, expiries, out);
      run = [];
    };
    const nullKeyRows: number[] = [];
    const nullKeyKinds: number[] = [];
    for (let i = 0; i < n; i++) {
      if (accepted && accepted[i] === 0) continue;
      if (keys[i] === NULL_KEY) {
        // a NULL key never matches: an anti join's left row is in the result as it is, at once
        if (input === 0 && this.node.anti) { nullKeyRows.push(i); nullKeyKinds.push(retracts(i) ? RowKind.DELETE : RowKind.INSERT); }
        continue;
      }
      if (!retracts(i)) { run.push(i); continue; }
      flushInserts();
      this.retraction(input, b, i, keys[i], out);
    }
    flushInserts();
    if (nullKeyRows.length > 0) out.push(this.chunk(takeBatch(b, Uint32Array.from(nullKeyRows)), nullKeyKinds));
    return out;
  }

  /** The other side's rows under each of `rows`' keys, and which of those pairs the residual accepts. */
  private candidates(input: number, b: arrow.RecordBatch, rows: readonly number[], keys: readonly unknown[]): { probe: number[]; cands: RowRef[]; ok: Uint8Array } {
    const you = this.sides[1 - input]!;
    const probe: number[] = [];
    const cands: RowRef[] = [];
    for (const i of rows) {
      if (keys[i] === NULL_ROW) continue; // null-aware: a NULL matches by the rules of NOT IN, not by key
      const bucket = you.state.bucket(keys[i]);
      for (let k = 0; k < bucket.length; k++) { probe.push(i); cands.push(bucket[k]!); }
    }
    const ok = new Uint8Array(cands.length);
    if (cands.length === 0) return { probe, cands, ok };
    const r = this.residual;
    if (!r) { ok.fill(1); return { probe, cands, ok }; }
    const pairs = residualBatch(r, input, b, Uint32Array.from(probe), you.state, cands);
    const read = readerFor(r.kernel(pairs));
    for (let j = 0; j < cands.length; j++) ok[j] = read(j) === true ? 1 : 0;
    return { probe, cands, ok };
  }

  /** A run of inserted rows of side `input`: stored, counted against the other side, and the output they cause. */
  private inserts(input: number, b: arrow.RecordBatch, rows: number[], keys: readonly unknown[], expiries: Float64Array | undefined, out: Chunk[]): void {
    if (rows.length === 0) return;
    const me = this.sides[input]!;
    const all = rows.length === b.numRows;
    const sel = Uint32Array.from(rows);
    // null-aware: the left rows NOT IN excludes before these right rows (read before they are stored)
    const before = this.nullAware && input === 1 ? this.nullAwareBefore(rows, keys) : undefined;
    const first = me.state.add({
      batch: all ? b : takeBatch(b, sel),
      keys: all ? keys : rows.map((i) => keys[i]),
      expiry: expiries ? (all ? expiries : Float64Array.from(rows, (i) => expiries[i]!)) : undefined,
    });
    this.updatedNow += rows.length;
    const { probe, cands, ok } = this.candidates(input, b, rows, keys);
    const anti = this.node.anti;
    if (input === 0) {
      // a new left row: its count is the right rows it matches now
      const refOf = new Map<number, RowRef>(rows.map((i, k) => [i, first + k]));
      for (let j = 0; j < cands.length; j++) if (ok[j] === 1) me.state.addMatches(refOf.get(probe[j]!)!, 1);
      if (this.timed) return;
      const counts = this.nullAware ? this.rightCounts() : undefined;
      const emit = rows.filter((i) => (counts ? this.excluded(keys[i] === NULL_ROW, me.state.matches(refOf.get(i)!), counts)
        : me.state.matches(refOf.get(i)!) > 0) !== anti);
      if (emit.length > 0) out.push(this.chunk(takeBatch(b, Uint32Array.from(emit)), new Array<number>(emit.length).fill(RowKind.INSERT)));
      return;
    }
    if (this.nullAware) return this.nullAwareRightInserts(rows.length, cands, ok, before!, out);
    // new right rows: each left row they match counts them; one whose count leaves 0 changes the result
    const left = this.sides[0].state;
    const changed: RowRef[] = [];
    for (let j = 0; j < cands.length; j++) {
      if (ok[j] === 0) continue;
      const e = cands[j]!;
      if (left.matches(e) === 0) changed.push(e);
      left.addMatches(e, 1);
    }
    if (!this.timed && changed.length > 0) {
      out.push(this.chunk(left.take(changed), new Array<number>(changed.length).fill(anti ? RowKind.DELETE : RowKind.INSERT)));
    }
  }

  /** One retracted row of side `input`: taken out of the state, and the output that causes. */
  private retraction(input: number, b: arrow.RecordBatch, i: number, key: unknown, out: Chunk[]): void {
    const me = this.sides[input]!;
    const readers = b.data.children.map(readerFor);
    const ref = me.state.findEqual(key, readers.map((r) => r(i)));
    if (ref === undefined) return; // never seen: nothing of it to take back
    const anti = this.node.anti;
    this.updatedNow++;
    if (input === 0) {
      const had = me.state.matches(ref);
      const wasExcluded = this.nullAware ? this.excluded(key === NULL_ROW, had, this.rightCounts()) : had > 0;
      me.state.remove(ref);
      if (!this.timed && wasExcluded !== anti) out.push(this.chunk(takeBatch(b, Uint32Array.of(i)), [RowKind.DELETE]));
      return;
    }
    const counts0 = this.nullAware ? this.rightCounts() : undefined;
    me.state.remove(ref);
    const keys: unknown[] = [];
    keys[i] = key;
    const { cands, ok } = this.candidates(input, b, [i], keys);
    const left = this.sides[0].state;
    const changed: RowRef[] = [];
    for (let j = 0; j < cands.length; j++) {
      if (ok[j] === 0) continue;
      const e = cands[j]!;
      left.addMatches(e, -1);
      if (left.matches(e) === 0) changed.push(e);
    }
    if (counts0) return this.nullAwareRightRetraction(changed, counts0, out);
    if (!this.timed && changed.length > 0) {
      out.push(this.chunk(left.take(changed), new Array<number>(changed.length).fill(anti ? RowKind.INSERT : RowKind.DELETE)));
    }
  }

  /** Null-aware: the right side's rows, and how many of them are NULL. */
  private rightCounts(): { rows: number; nulls: number } {
    const right = this.sides[1].state;
    return { rows: right.size, nulls: right.size === 0 ? 0 : right.bucket(NULL_ROW).length };
  }

  /** Null-aware: whether NOT IN drops a left row (a NULL one: any right row; else a match or any right NULL). */
  private excluded(isNull: boolean, matches: number, right: { rows: number; nulls: number }): boolean {
    return isNull ? right.rows > 0 : matches > 0 || right.nulls > 0;
  }

  /** Null-aware, before a run of right rows is stored: the counts, and the included non-NULL left rows if the run brings the first NULL. */
  private nullAwareBefore(rows: readonly number[], keys: readonly unknown[]): { counts: { rows: number; nulls: number }; included: RowRef[] } {
    const counts = this.rightCounts();
    const firstNull = counts.nulls === 0 && rows.some((i) => keys[i] === NULL_ROW);
    return { counts, included: firstNull ? this.includedNonNullLeft() : [] };
  }

  /** Null-aware: the non-NULL left rows that match no right row by key. */
  private includedNonNullLeft(): RowRef[] {
    const left = this.sides[0].state;
    const nulls = new Set(left.bucket(NULL_ROW));
    return left.liveRefs().filter((r) => !nulls.has(r) && left.matches(r) === 0);
  }

  /** Null-aware right inserts: count the key matches, then take back every left row NOT IN now excludes. */
  private nullAwareRightInserts(stored: number, cands: readonly RowRef[], ok: Uint8Array,
    before: { counts: { rows: number; nulls: number }; included: RowRef[] }, out: Chunk[]): void {
    const left = this.sides[0].state;
    const gone = new Set<RowRef>(before.included);
    for (let j = 0; j < cands.length; j++) {
      if (ok[j] === 0) continue;
      const e = cands[j]!;
      if (left.matches(e) === 0 && before.counts.nulls === 0) gone.add(e);
      left.addMatches(e, 1);
    }
    // the first right row excludes the NULL left rows
    if (before.counts.rows === 0 && stored > 0) for (const r of left.bucket(NULL_ROW)) gone.add(r);
    if (gone.size > 0) out.push(this.chunk(left.take([...gone]), new Array<number>(gone.size).fill(RowKind.DELETE)));
  }

  /** Null-aware right retraction: every left row NOT IN no longer excludes comes back. */
  private nullAwareRightRetraction(changed: readonly RowRef[], before: { rows: number; nulls: number }, out: Chunk[]): void {
    const left = this.sides[0].state;
    const after = this.rightCounts();
    const back = new Set<RowRef>();
    if (before.nulls > 0 && after.nulls === 0) for (const r of this.includedNonNullLeft()) back.add(r);
    else if (after.nulls === 0) for (const r of changed) back.add(r);
    if (before.rows > 0 && after.rows === 0) for (const r of left.bucket(NULL_ROW)) back.add(r);
    if (back.size > 0) out.push(this.chunk(left.take([...back]), new Array<number>(back.size).fill(RowKind.INSERT)));
  }

  /** Expired left rows are decided now (semi: those that matched, anti: those that never did); expired right rows go. */
  onWatermark(watermark: number): Chunk[] {
    const out: Chunk[] = [];
    const [left, right] = this.sides;
    const before = left.state.size + right.state.size;
    const decided = left.state.expire(watermark, this.node.anti, !this.node.anti);
    right.state.expire(watermark, false);
    this.updatedNow += before - left.state.size - right.state.size;
    if (decided) out.push(this.chunk(batchFromColumns(this.outSchema, decided.data.children, decided.numRows), new Array<number>(decided.numRows).fill(RowKind.INSERT)));
    this.previousWatermark = watermark;
    return out;
  }

  finishBatch(): Chunk[] {
    this.droppedLast = this.droppedNow;
    this.droppedNow = 0;
    this.updatedLast = this.updatedNow;
    this.updatedNow = 0;
    return [];
  }

  hasTimerWork(watermark: number): boolean {
    return joinSides.hasTimerWork(this.sides, watermark);
  }

  flushState(): void {
    joinSides.flush(this.sides);
  }

  async checkpoint(version: number): Promise<void> {
    await joinSides.checkpoint(this.sides, version);
  }

  abort(): void {
    joinSides.abort(this.sides);
    this.droppedNow = 0;
    this.updatedNow = 0;
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: this.node.anti ? 'antiJoin' : 'semiJoin',
      numRowsTotal: joinSides.rows(this.sides),
      numRowsUpdated: this.updatedLast,
      memoryUsedBytes: joinSides.bytes(this.sides),
      numRowsDroppedByWatermark: this.droppedLast,
    };
  }
}
