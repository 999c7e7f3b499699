/**
 * The stream-stream join operator (physical JoinNode): state on both sides, matched pairs emitted
 * as soon as the second row of a pair arrives.
 *
 * Per input chunk, columnar where it pays: the key columns are computed by compiled kernels and read
 * once; each row probes the other side's rows under its key; all candidate pairs of the chunk form one
 * batch (this chunk's rows taken by index, the stored rows taken from their blocks, see join-state.ts) over
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
import * as arrow from 'apache-arrow';
import { batchFromColumns, nullColumn, readerFor } from '../../../common/columns.js';
import { takeBatch, takeColumns } from '../../../common/take.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import type { JoinNode, JoinSideBound } from '../../../planner/incremental/physical.js';
import { exprToString } from '../../../planner/expr.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { LateRows, type LateRowsSink } from '../window/late-rows.js';
import { NULL_KEY } from '../window/row-keys.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import { stateTtlText } from '../../../planner/incremental/state-ttl.js';
import { joinKeyCodecs, joinMapKeys } from './join-keys.js';
import { JoinSideState, MAX_BLOCK_ROWS, type NewRows, type RowRef } from './join-state.js';
import { joinSides, lateRowsOf, narrowResidual, residualBatch, rowExpiries, type Kernel, type ResidualSpec } from './join-side.js';

/** Each row's join key as a Map key (NULL_KEY when a key value is NULL). */
function mapKeys(kernels: readonly Kernel[], codec: KeyCodec, b: arrow.RecordBatch): unknown[] {
  return joinMapKeys(codec, kernels.map((k) => k(b)), b.numRows);
}

/** What the operator knows of one input. */
interface Side {
  readonly name: 'left' | 'right';
  readonly schema: Schema;
  readonly keys: readonly Kernel[];
  /** the codec of this side's join key */
  readonly codec: KeyCodec;
  readonly expiry: readonly Kernel[];
  readonly bound: JoinSideBound | undefined;
  /** an outer join keeps this side's unmatched rows */
  readonly preserved: boolean;
  /** preserved, and unmatched rows wait for their expiry (else: padded at once, retracted on a match) */
  readonly padOnExpiry: boolean;
  readonly state: JoinSideState;
  readonly late: LateRows;
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
  private readonly residual: ResidualSpec | undefined;
  private readonly outSchema: arrow.Schema;
  private previousWatermark = -Infinity;
  private readonly name: string;
  /** late rows of the batch in progress, and of the last finished one (what progress reports) */
  private droppedNow = 0;
  private droppedLast = 0;
  /** rows stored or removed in the batch in progress, and in the last finished one */
  private updatedNow = 0;
  private updatedLast = 0;
  /** rows removed by the state TTL in the batch in progress, and in the last finished one */
  private expiredNow = 0;
  private expiredLast = 0;

  constructor(
    private readonly node: JoinNode,
    private readonly store: StateStore,
    exprCtx: ExprContext,
    lateSink: LateRowsSink | undefined,
  ) {
    this.name = `join[${node.operatorId}]`;
    const codecs = joinKeyCodecs(node.leftKeys.map((e) => e.type), node.rightKeys.map((e) => e.type));
    const side = (name: 'left' | 'right'): Side => {
      const input = name === 'left' ? node.left : node.right;
      const bound = name === 'left' ? node.leftBound : node.rightBound;
      const preserved = node.joinType === 'full' || node.joinType === name;
      const expiring = (bound?.expiry.length ?? 0) > 0;
      const keys = (name === 'left' ? node.leftKeys : node.rightKeys).map((e) => compileExpr(e, input.schema, exprCtx));
      const codec = codecs[name === 'left' ? 0 : 1];
      return {
        name, schema: input.schema, bound, preserved,
        padOnExpiry: preserved && expiring,
        keys, codec,
        expiry: (bound?.expiry ?? []).map((e) => compileExpr(e, input.schema, exprCtx)),
        state: new JoinSideState(name === 'left' ? 'L' : 'R', store, toArrowSchema(input.schema), expiring, preserved, (b) => mapKeys(keys, codec, b)),
        late: new LateRows(`${this.name}.${name}`, input.schema, (bound?.lateness.length ?? 0) > 0 ? lateSink : undefined),
      };
    };
    this.sides = [side('left'), side('right')];
    this.residual = node.residual ? narrowResidual(node.residual, node.schema, node.left.schema.columns.length, exprCtx) : undefined;
    this.outSchema = toArrowSchema(node.schema);
  }

  explain(): string {
    const keys = this.node.leftKeys.map((k, i) => `${exprToString(k)} = ${exprToString(this.node.rightKeys[i]!)}`).join(', ');
    return `StreamJoin[${this.node.operatorId}](${this.node.joinType}, ${this.node.strategy}, keys=[${keys}]` +
      `${this.node.residual ? `, residual=${exprToString(this.node.residual)}` : ''}` +
      `${this.node.stateTtlMs !== undefined ? `, state ttl ${stateTtlText(this.node.stateTtlMs)}` : ''})`;
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
    // expired rows go before anything probes them (Flink never returns expired state)
    this.expireTtl(ctx.processingTime);
    const me = this.sides[input]!;
    const you = this.sides[1 - input]!;
    const out = new OutputBuilder(this);
    const { accepted, dropped } = lateRowsOf(me.bound, me.late, b, ctx, this.previousWatermark);
    this.droppedNow += dropped;
    const keys = mapKeys(me.keys, me.codec, b);
    const expiries = rowExpiries(me.expiry, b);
    const kinds = chunk.kinds;

    // 1. state changes and candidate pairs, row by row; inserted rows are stored as one block
    //    (flushed early when a retraction follows, so it can find a row inserted just before it)
    const probe: number[] = [];
    const cands: RowRef[] = [];
    /** per row: the candidate range end, its own stored row (-1: none) and, for a retraction, that row's matches */
    const candEnd = new Int32Array(n);
    const own = new Float64Array(n).fill(-1);
    const ownMatches = new Int32Array(n);
    const retracts = new Uint8Array(n);
    const padNow: number[] = [];
    const padNowKinds: number[] = [];
    let pending: number[] = [];
    const flush = (): void => {
      for (let from = 0; from < pending.length; from += MAX_BLOCK_ROWS) {
        const part = pending.length <= MAX_BLOCK_ROWS ? pending : pending.slice(from, from + MAX_BLOCK_ROWS);
        const rows = this.storedRows(b, part, keys, expiries);
        const first = me.state.add(this.node.stateTtlMs !== undefined ? { ...rows, writtenAt: ctx.processingTime } : rows);
        for (let k = 0; k < part.length; k++) own[part[k]!] = first + k;
      }
      this.updatedNow += pending.length;
      pending = [];
    };
    let readRow: ((i: number) => unknown[]) | undefined;
    for (let i = 0; i < n; i++) {
      candEnd[i] = cands.length;
      if (accepted && accepted[i] === 0) continue;
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      retracts[i] = retract ? 1 : 0;
      const mapKey = keys[i];
      if (mapKey === NULL_KEY) {
        // a NULL key never matches: a preserved row is final as it is
        if (me.preserved) { padNow.push(i); padNowKinds.push(retract ? RowKind.DELETE : RowKind.INSERT); }
        continue;
      }
      if (retract) {
        flush();
        if (!readRow) {
          const readers = b.data.children.map(readerFor);
          readRow = (row) => readers.map((r) => r(row));
        }
        const ref = me.state.findEqual(mapKey, readRow(i));
        if (ref === undefined) continue; // never seen (or expired): nothing of it to take back
        own[i] = ref;
        ownMatches[i] = me.state.matches(ref);
        me.state.remove(ref);
        this.updatedNow++;
      } else {
        pending.push(i);
      }
      const bucket = you.state.bucket(mapKey);
      for (let k = 0; k < bucket.length; k++) { probe.push(i); cands.push(bucket[k]!); }
      candEnd[i] = cands.length;
    }
    flush();

    // 2. the residual over every candidate pair at once, on the columns it reads only
    let matched: Uint8Array | undefined;
    if (cands.length > 0) {
      matched = new Uint8Array(cands.length);
      if (this.residual) {
        const read = readerFor(this.residual.kernel(residualBatch(this.residual, input, b, Uint32Array.from(probe), you.state, cands)));
        for (let j = 0; j < cands.length; j++) matched[j] = read(j) === true ? 1 : 0;
      } else matched.fill(1);
    }

    // 3. walk the pairs in row order: output kinds, match counts, padded rows
    const take: number[] = [];
    const takeKinds: number[] = [];
    const padStored: RowRef[] = [];
    const padStoredKinds: number[] = [];
    let j = 0;
    for (let i = 0; i < n; i++) {
      const ref = own[i]!;
      if (ref < 0) continue;
      const retract = retracts[i] === 1;
      let found = 0;
      for (; j < candEnd[i]!; j++) {
        if (matched![j] === 0) continue;
        const e = cands[j]!;
        take.push(j);
        takeKinds.push(retract ? RowKind.DELETE : RowKind.INSERT);
        found++;
        if (!you.preserved) continue;
        if (!retract) {
          if (you.state.matches(e) === 0 && !you.padOnExpiry) { padStored.push(e); padStoredKinds.push(RowKind.DELETE); }
          you.state.addMatches(e, 1);
        } else {
          you.state.addMatches(e, -1);
          if (you.state.matches(e) === 0 && !you.padOnExpiry) { padStored.push(e); padStoredKinds.push(RowKind.INSERT); }
        }
      }
      if (!me.preserved) continue;
      if (!retract && found > 0) me.state.addMatches(ref, found);
      // a retracted row takes back its padded row when it had none of its matches
      if (!me.padOnExpiry && (retract ? ownMatches[i] === 0 : found === 0)) {
        padNow.push(i);
        padNowKinds.push(retract ? RowKind.DELETE : RowKind.INSERT);
      }
    }

    // the output pairs, built only for the candidates that matched
    if (take.length > 0) {
      const all = take.length === cands.length;
      out.add(this.pairBatch(input, b, all ? Uint32Array.from(probe) : Uint32Array.from(take, (j) => probe[j]!),
        all ? cands : take.map((j) => cands[j]!)), takeKinds);
    }
    if (padNow.length > 0) out.add(this.padded(input, takeBatch(b, Uint32Array.from(padNow))), padNowKinds);
    if (padStored.length > 0) out.add(this.padded(1 - input, you.state.take(padStored)), padStoredKinds);
    return out.chunks;
  }

  /** Rows `idx` of a chunk as the state stores them. */
  private storedRows(b: arrow.RecordBatch, idx: readonly number[], keys: readonly unknown[], expiries: Float64Array | undefined): NewRows {
    const all = idx.length === b.numRows;
    const sel = Uint32Array.from(idx);
    return {
      batch: all ? b : takeBatch(b, sel),
      keys: all ? keys : idx.map((i) => keys[i]),
      expiry: expiries ? (all ? expiries : Float64Array.from(idx, (i) => expiries[i]!)) : undefined,
    };
  }

  /** Output rows for candidate pairs: rows `probe` of the chunk on side `input`, the stored rows on the other. */
  private pairBatch(input: number, b: arrow.RecordBatch, probe: Uint32Array, cands: readonly RowRef[]): arrow.RecordBatch {
    const mine = takeColumns(b.data.children, probe);
    const theirs = this.sides[1 - input]!.state.take(cands).data.children;
    const cols = input === 0 ? [...mine, ...theirs] : [...theirs, ...mine];
    return batchFromColumns(this.outSchema, cols, probe.length);
  }

  private nulls(side: number, n: number): arrow.Data[] {
    return this.sides[side]!.schema.columns.map((c) => nullColumn(c.type, n));
  }

  /** Rows of side `side` padded with NULLs for the other side's columns. */
  private padded(side: number, rows: arrow.RecordBatch): arrow.RecordBatch {
    const mine = rows.data.children;
    const cols = side === 0 ? [...mine, ...this.nulls(1, rows.numRows)] : [...this.nulls(0, rows.numRows), ...mine];
    return batchFromColumns(this.outSchema, cols, rows.numRows);
  }

  /** Rows the watermark has put out of reach of every future match go; a preserved one that never matched is emitted padded. */
  onWatermark(watermark: number): Chunk[] {
    const out: Chunk[] = [];
    this.sides.forEach((s, k) => {
      const before = s.state.size;
      const unmatched = s.state.expire(watermark, s.padOnExpiry);
      this.updatedNow += before - s.state.size;
      if (unmatched) out.push(this.withKinds(this.padded(k, unmatched), new Array<number>(unmatched.numRows).fill(RowKind.INSERT)));
    });
    this.previousWatermark = watermark;
    return out;
  }

  /** State TTL: rows stored at least the TTL ago go, unmatched and unpadded (as Flink). */
  private expireTtl(now: number): void {
    const ttl = this.node.stateTtlMs;
    if (ttl === undefined) return;
    for (const s of this.sides) {
      const n = s.state.expireUnwritten(now, ttl);
      this.expiredNow += n;
      this.updatedNow += n;
    }
  }

  finishBatch(ctx?: BatchContext): Chunk[] {
    if (ctx) this.expireTtl(ctx.processingTime);
    this.expiredLast = this.expiredNow;
    this.expiredNow = 0;
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
    this.expiredNow = 0;
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'join',
      numRowsTotal: joinSides.rows(this.sides),
      numRowsUpdated: this.updatedLast,
      memoryUsedBytes: joinSides.bytes(this.sides),
      numRowsDroppedByWatermark: this.droppedLast,
      ...(this.node.stateTtlMs !== undefined ? { numRowsExpired: this.expiredLast } : {}),
    };
  }
}
