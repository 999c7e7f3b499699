/**
 * The stream-stream join operator (physical JoinNode): state on both sides, matched pairs emitted
 * as soon as the second row of a pair arrives.
 *
 * Per input chunk, columnar where it pays: the key columns are computed by compiled kernels and read
 * once; each row probes the other side's rows under its key; all candidate pairs of the chunk form one
 * batch (this chunk's rows taken by index with takeData, the stored rows' columns decoded from their row strings) over
 * which the residual condition is evaluated once; the pairs it accepts are the output.
 *
 * Outer joins: a preserved side's row with no match is emitted NULL-padded. Without a time bound that
 * happens at once and the padded row is retracted (DELETE) when its first match arrives, and emitted
 * again if retractions take its last match away. With a time bound (interval and window joins) it is
 * emitted when the row expires unmatched, so the output stays append-only.
 *
 * Retracting inputs: an UPDATE_BEFORE or DELETE row removes an equal row from its side's state and
 * retracts the pairs (and padded rows) that row produced.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, nullColumn, readerFor, takeData } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import type { JoinNode, JoinSideBound } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { RowCodec } from '../row-codec.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { timesOf } from '../window/assign-windows.js';
import { LateRows, type LateRowsSink } from '../window/late-rows.js';
import { decodeColumn, NULL_KEY } from '../window/row-keys.js';
import type { JoinEntry } from './join-state.js';
import { JoinSideState, mapKeyOf } from './join-state.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

/** What the operator knows of one input. */
interface Side {
  readonly name: 'left' | 'right';
  readonly schema: Schema;
  readonly keys: readonly Kernel[];
  readonly expiry: readonly Kernel[];
  readonly bound: JoinSideBound | undefined;
  /** an outer join keeps this side's unmatched rows */
  readonly preserved: boolean;
  /** preserved, and unmatched rows wait for their expiry (else: padded at once, retracted on a match) */
  readonly padOnExpiry: boolean;
  readonly state: JoinSideState;
  readonly late: LateRows;
  /** this side's rows as row strings (what the state keeps) */
  readonly codec: RowCodec;
}

/** Output being collected: pairs, or rows of one side padded with NULLs. */
class OutputBuilder {
  readonly chunks: Chunk[] = [];

  constructor(private readonly op: StreamJoinOperator) {}

  add(batch: arrow.RecordBatch, kinds: number[]): void {
    if (batch.numRows === 0) return;
    this.chunks.push(this.op.withKinds(batch, kinds));
  }
}

export class StreamJoinOperator implements Operator {
  private readonly sides: readonly [Side, Side];
  private readonly residual: Kernel | undefined;
  private readonly outSchema: arrow.Schema;
  private previousWatermark = -Infinity;
  private readonly name: string;
  /** late rows of the batch in progress, and of the last finished one (what progress reports) */
  private droppedNow = 0;
  private droppedLast = 0;

  constructor(
    private readonly node: JoinNode,
    private readonly store: StateStore,
    exprCtx: ExprContext,
    lateSink: LateRowsSink | undefined,
  ) {
    this.name = `join[${node.operatorId}]`;
    const side = (name: 'left' | 'right'): Side => {
      const input = name === 'left' ? node.left : node.right;
      const bound = name === 'left' ? node.leftBound : node.rightBound;
      const preserved = node.joinType === 'full' || node.joinType === name;
      const expiring = (bound?.expiry.length ?? 0) > 0;
      const codec = new RowCodec(input.schema);
      return {
        codec,
        name, schema: input.schema, bound, preserved,
        padOnExpiry: preserved && expiring,
        keys: (name === 'left' ? node.leftKeys : node.rightKeys).map((e) => compileExpr(e, input.schema, exprCtx)),
        expiry: (bound?.expiry ?? []).map((e) => compileExpr(e, input.schema, exprCtx)),
        state: new JoinSideState(name === 'left' ? 'L' : 'R', store, expiring, preserved, codec),
        late: new LateRows(`${this.name}.${name}`, input.schema, (bound?.lateness.length ?? 0) > 0 ? lateSink : undefined),
      };
    };
    this.sides = [side('left'), side('right')];
    this.residual = node.residual ? compileExpr(node.residual, node.schema, exprCtx) : undefined;
    this.outSchema = toArrowSchema(node.schema);
  }

  explain(): string {
    const keys = this.node.leftKeys.map((k, i) => `${exprToString(k)} = ${exprToString(this.node.rightKeys[i]!)}`).join(', ');
    return `StreamJoin[${this.node.operatorId}](${this.node.joinType}, ${this.node.strategy}, keys=[${keys}]` +
      `${this.node.residual ? `, residual=${exprToString(this.node.residual)}` : ''})`;
  }

  /** A chunk with its row kinds (left off when every row is an insert of an append-only join). */
  withKinds(batch: arrow.RecordBatch, kinds: number[]): Chunk {
    if (this.node.appendOnly && kinds.every((k) => k === RowKind.INSERT)) return { batch };
    return { batch, kinds: Uint8Array.from(kinds) };
  }

  process(chunk: Chunk, ctx: BatchContext, input = 0): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const me = this.sides[input]!;
    const you = this.sides[1 - input]!;
    const out = new OutputBuilder(this);
    const accepted = this.lateness(me, b, ctx);
    const keyCols = me.keys.map((k) => decodeColumn(k(b)));
    const encoders = me.codec.source(b);
    const expiries = this.expiries(me, b);
    const kinds = chunk.kinds;

    // 1. state changes and candidate pairs, row by row
    const probe: number[] = [];
    const cands: JoinEntry[] = [];
    /** per row: the candidate range end, and the row's own entry (new, or the one a retraction removed) */
    const candEnd = new Int32Array(n);
    const own: (JoinEntry | undefined)[] = new Array(n);
    const retracts = new Uint8Array(n);
    const padNow: number[] = [];
    const padNowKinds: number[] = [];
    const keyVals: unknown[] = new Array(keyCols.length);
    for (let i = 0; i < n; i++) {
      candEnd[i] = cands.length;
      if (accepted && accepted[i] === 0) continue;
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      retracts[i] = retract ? 1 : 0;
      for (let c = 0; c < keyCols.length; c++) keyVals[c] = keyCols[c]![i] ?? null;
      const mapKey = mapKeyOf(keyVals);
      if (mapKey === NULL_KEY) {
        // a NULL key never matches: a preserved row is final as it is
        if (me.preserved) { padNow.push(i); padNowKinds.push(retract ? RowKind.DELETE : RowKind.INSERT); }
        continue;
      }
      const row = me.codec.encode(encoders, i);
      let entry: JoinEntry | undefined;
      if (retract) {
        entry = me.state.findEqual(mapKey, row);
        if (!entry) continue; // never seen (or expired): nothing of it to take back
        me.state.remove(entry);
      } else {
        entry = me.state.add(mapKey, keyVals.slice(), row, expiries ? expiries[i]! : Infinity);
      }
      own[i] = entry;
      const bucket = you.state.bucket(mapKey);
      if (bucket) for (const e of bucket) { probe.push(i); cands.push(e); }
      candEnd[i] = cands.length;
    }

    // 2. the residual over every candidate pair at once
    let pairs: arrow.RecordBatch | undefined;
    let matched: Uint8Array | undefined;
    if (cands.length > 0) {
      pairs = this.pairBatch(input, b, Uint32Array.from(probe), cands);
      matched = new Uint8Array(cands.length);
      if (this.residual) {
        const read = readerFor(this.residual(pairs));
        for (let j = 0; j < cands.length; j++) matched[j] = read(j) === true ? 1 : 0;
      } else matched.fill(1);
    }

    // 3. walk the pairs in row order: output kinds, match counts, padded rows
    const take: number[] = [];
    const takeKinds: number[] = [];
    const padStored: JoinEntry[] = [];
    const padStoredKinds: number[] = [];
    const dirty = new Set<JoinEntry>();
    let j = 0;
    for (let i = 0; i < n; i++) {
      const entry = own[i];
      if (!entry) continue;
      const retract = retracts[i] === 1;
      const before = entry.matches;
      for (; j < candEnd[i]!; j++) {
        if (matched![j] === 0) continue;
        const e = cands[j]!;
        take.push(j);
        takeKinds.push(retract ? RowKind.DELETE : RowKind.INSERT);
        if (me.preserved && !retract) entry.matches++;
        if (!you.preserved) continue;
        if (!retract) {
          if (e.matches === 0 && !you.padOnExpiry) { padStored.push(e); padStoredKinds.push(RowKind.DELETE); }
          e.matches++;
        } else {
          e.matches--;
          if (e.matches === 0 && !you.padOnExpiry) { padStored.push(e); padStoredKinds.push(RowKind.INSERT); }
        }
        dirty.add(e);
      }
      if (me.preserved && !me.padOnExpiry) {
        // a retracted row takes back its padded row when it had none of its matches
        if (retract ? before === 0 : entry.matches === 0) { padNow.push(i); padNowKinds.push(retract ? RowKind.DELETE : RowKind.INSERT); }
      }
      if (me.preserved && !retract && entry.matches > 0) dirty.add(entry);
    }
    for (const e of dirty) this.sideOf(e, me, you).state.save(e);

    if (pairs && take.length === cands.length) out.add(pairs, takeKinds); // every candidate matched: no second copy
    else if (pairs && take.length > 0) {
      const idx = Uint32Array.from(take);
      out.add(batchFromColumns(this.outSchema, pairs.data.children.map((c) => takeData(c, idx)), idx.length), takeKinds);
    }
    if (padNow.length > 0) out.add(this.padChunkRows(input, b, Uint32Array.from(padNow)), padNowKinds);
    if (padStored.length > 0) out.add(this.padEntries(1 - input, padStored), padStoredKinds);
    return out.chunks;
  }

  /** Which side's state holds `e` (entries of this chunk's side are its own rows). */
  private sideOf(e: JoinEntry, me: Side, you: Side): Side {
    return e.storeKey.startsWith(me.name === 'left' ? 'L' : 'R') ? me : you;
  }

  /** Rows of this side that are late for the time bound (1 = accepted), counted; undefined: none is checked. */
  private lateness(me: Side, b: arrow.RecordBatch, ctx: BatchContext): Uint8Array | undefined {
    const checks = me.bound?.lateness ?? [];
    if (checks.length === 0) return undefined;
    const n = b.numRows;
    const accepted = new Uint8Array(n).fill(1);
    let times: Float64Array | undefined;
    let threshold = -Infinity;
    for (const c of checks) {
      const wm = c.chained ? this.previousWatermark : ctx.watermark;
      const t = timesOf(b.data.children[c.column]!);
      for (let i = 0; i < n; i++) if (t[i]! < wm) accepted[i] = 0;
      if (!times) { times = t; threshold = wm; }
    }
    for (let i = 0; i < n; i++) this.droppedNow += 1 - accepted[i]!;
    me.late.collect(b, times!, accepted, threshold, ctx);
    return accepted;
  }

  /** Per row: the least of its expiry values (NULL: it can never match, -∞). */
  private expiries(me: Side, b: arrow.RecordBatch): Float64Array | undefined {
    if (me.expiry.length === 0) return undefined;
    const n = b.numRows;
    const out = new Float64Array(n).fill(Infinity);
    for (const k of me.expiry) {
      const vals = decodeColumn(k(b));
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        const x = v === null || v === undefined ? -Infinity : (v as number);
        if (x < out[i]!) out[i] = x;
      }
    }
    return out;
  }

  /** Output rows for candidate pairs: rows `probe` of the chunk on side `input`, the stored rows on the other. */
  private pairBatch(input: number, b: arrow.RecordBatch, probe: Uint32Array, cands: readonly JoinEntry[]): arrow.RecordBatch {
    const mine = b.data.children.map((c) => takeData(c, probe));
    const theirs = this.entryColumns(1 - input, cands);
    const cols = input === 0 ? [...mine, ...theirs] : [...theirs, ...mine];
    return batchFromColumns(this.outSchema, cols, probe.length);
  }

  private entryColumns(side: number, entries: readonly JoinEntry[]): arrow.Data[] {
    return this.sides[side]!.codec.decode(entries.map((e) => e.row), true);
  }

  private nulls(side: number, n: number): arrow.Data[] {
    return this.sides[side]!.schema.columns.map((c) => nullColumn(c.type, n));
  }

  private padChunkRows(input: number, b: arrow.RecordBatch, idx: Uint32Array): arrow.RecordBatch {
    const mine = b.data.children.map((c) => takeData(c, idx));
    const cols = input === 0 ? [...mine, ...this.nulls(1, idx.length)] : [...this.nulls(0, idx.length), ...mine];
    return batchFromColumns(this.outSchema, cols, idx.length);
  }

  private padEntries(side: number, entries: readonly JoinEntry[]): arrow.RecordBatch {
    const mine = this.entryColumns(side, entries);
    const cols = side === 0 ? [...mine, ...this.nulls(1, entries.length)] : [...this.nulls(0, entries.length), ...mine];
    return batchFromColumns(this.outSchema, cols, entries.length);
  }

  /** Rows the watermark has put out of reach of every future match go; a preserved one that never matched is emitted padded. */
  onWatermark(watermark: number): Chunk[] {
    const out: Chunk[] = [];
    this.sides.forEach((s, k) => {
      const gone = s.state.expire(watermark);
      if (!s.padOnExpiry) return;
      const unmatched = gone.filter((e) => e.matches === 0);
      if (unmatched.length > 0) out.push(this.withKinds(this.padEntries(k, unmatched), unmatched.map(() => RowKind.INSERT)));
    });
    this.previousWatermark = watermark;
    return out;
  }

  finishBatch(): Chunk[] {
    this.droppedLast = this.droppedNow;
    this.droppedNow = 0;
    return [];
  }

  hasTimerWork(watermark: number): boolean {
    return this.sides.some((s) => s.state.nextExpiry() < watermark);
  }

  async checkpoint(version: number): Promise<void> {
    await this.store.commit(version);
    for (const s of this.sides) await s.late.flush(version);
  }

  abort(): void {
    this.store.abort();
    for (const s of this.sides) {
      s.state.rebuild();
      s.late.discard();
    }
    this.droppedNow = 0;
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'join',
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: this.droppedLast,
    };
  }
}
