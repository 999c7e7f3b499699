/**
 * The event-time temporal join operator (physical TemporalJoinNode), Flink's
 * TemporalRowTimeJoinOperator: `orders JOIN rates FOR SYSTEM_TIME AS OF orders.rowtime`.
 *
 * Per key (the versioned table's primary key): the left rows waiting for the watermark, and the
 * versions of the key ordered by their event time. A version is a row of the versioned input (INSERT
 * or UPDATE_AFTER); a DELETE ends the key's life at its time (a version that matches nothing);
 * UPDATE_BEFORE says nothing new (the next row of the key supersedes it anyway). Two versions at one
 * time: the later arrival wins.
 *
 * When the watermark passes a left row's time, the row is joined with the latest version at or
 * before that time, kept when the residual holds (LEFT: padded with NULLs otherwise) and emitted once:
 * the output is append-only. Then every key drops the versions older than the one valid at the
 * watermark (no left row at or after the watermark can reach them), and that one too when it is a
 * DELETE. A left row that arrives at or below the watermark is joined at once with the versions left
 * (as Flink does: it is not dropped, but an older version it needed may be gone).
 *
 * Store layout: `l<seq>` → [row text] per waiting left row; `v<seq>` → [row text, 1 if a DELETE] per
 * kept version (seq: arrival number, base 36). Keys and times are read again from the rows on load.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, readerFor, takeData } from '../../../common/columns.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import { physicalLine } from '../../../planner/explain.js';
import type { TemporalJoinNode } from '../../../planner/incremental/physical.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import type { BatchContext, Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { RowCodec } from '../rank/row-codec.js';
import { decodeColumn, NULL_KEY } from '../window/row-keys.js';
import { joinKeyCodecs, joinMapKeys } from './join-keys.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

/** A left row waiting for the watermark, or a version; `live`/`stored`: where it is and what the store has. */
interface Entry {
  /** 'l': a waiting left row; 'v': a version */
  readonly side: 'l' | 'v';
  readonly seq: number;
  readonly time: number;
  readonly text: string;
  /** a version that is a DELETE: the key has no row from its time on */
  readonly deleted: boolean;
  live: boolean;
  stored: boolean;
}

interface KeyState {
  /** left rows waiting for the watermark, in arrival order */
  pending: Entry[];
  /** versions by time ascending */
  versions: Entry[];
}

const storeKey = (side: 'l' | 'v', seq: number): string => `${side}${seq.toString(36)}`;

/** Index of the last version at or before `time` (-1: none). */
function validAt(versions: readonly Entry[], time: number): number {
  let lo = 0, hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (versions[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export class TemporalJoinOperator implements Operator {
  private readonly leftKeys: Kernel[];
  private readonly rightKeys: Kernel[];
  private readonly leftCodec: KeyCodec;
  private readonly rightCodec: KeyCodec;
  private readonly leftRows: RowCodec;
  private readonly rightRows: RowCodec;
  private readonly nullRight: string;
  private readonly residual: Kernel | undefined;
  private readonly outSchema: arrow.Schema;
  private readonly keys = new Map<unknown, KeyState>();
  /** keys with waiting left rows */
  private readonly waiting = new Set<unknown>();
  /** keys with versions a watermark may drop (more than one, or a DELETE) */
  private readonly prunable = new Set<unknown>();
  private dirty: Entry[] = [];
  private nextSeq = 0;
  private numWaiting = 0;
  /** the least time of a waiting left row (+∞: none): whether the watermark has work, without a scan */
  private earliest = Infinity;
  private numVersions = 0;

  constructor(private readonly node: TemporalJoinNode, private readonly store: StateStore, exprCtx: ExprContext) {
    this.leftKeys = node.leftKeys.map((e) => compileExpr(e, node.input.schema, exprCtx));
    this.rightKeys = node.rightKeys.map((e) => compileExpr(e, node.versions.schema, exprCtx));
    [this.leftCodec, this.rightCodec] = joinKeyCodecs(node.leftKeys.map((e) => e.type), node.rightKeys.map((e) => e.type));
    this.leftRows = new RowCodec(node.input.schema);
    this.rightRows = new RowCodec(node.versions.schema);
    this.nullRight = this.rightRows.encodeValues(node.versions.schema.columns.map(() => null));
    this.residual = node.residual ? compileExpr(node.residual, node.schema, exprCtx) : undefined;
    this.outSchema = toArrowSchema(node.schema);
    this.load();
  }

  explain(): string {
    return physicalLine(this.node);
  }

  private state(key: unknown): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { pending: [], versions: [] };
      this.keys.set(key, s);
    }
    return s;
  }

  /** Each row's key, time and row text. */
  private read(b: arrow.RecordBatch, side: 'left' | 'right'): { keys: unknown[]; times: number[]; texts: string[] } {
    const n = b.numRows;
    const kernels = side === 'left' ? this.leftKeys : this.rightKeys;
    const keys = joinMapKeys(side === 'left' ? this.leftCodec : this.rightCodec, kernels.map((k) => k(b)), n);
    const raw = decodeColumn(b.data.children[side === 'left' ? this.node.leftTime : this.node.rightTime]!);
    // a NULL time is in no version's range: before every version (LEFT: padded)
    const times = raw.map((t) => (t === null || t === undefined ? -Infinity : Number(t)));
    const codec = side === 'left' ? this.leftRows : this.rightRows;
    const enc = codec.source(b);
    const texts: string[] = new Array(n);
    for (let i = 0; i < n; i++) texts[i] = codec.encode(enc, i);
    return { keys, times, texts };
  }

  private addLeft(key: unknown, time: number, text: string, seq: number, stored: boolean): void {
    const e: Entry = { side: 'l', seq, time, text, deleted: false, live: true, stored };
    this.state(key).pending.push(e);
    this.waiting.add(key);
    this.numWaiting++;
    if (time < this.earliest) this.earliest = time;
    if (!stored) this.dirty.push(e);
  }

  private addVersion(key: unknown, time: number, text: string, deleted: boolean, seq: number, stored: boolean): void {
    const e: Entry = { side: 'v', seq, time, text, deleted, live: true, stored };
    const vs = this.state(key).versions;
    const at = validAt(vs, time);
    if (at >= 0 && vs[at]!.time === time) {
      // the later arrival at the same time wins (stores load in arrival order)
      const old = vs[at]!;
      if (old.seq > seq) return;
      this.drop(old);
      vs[at] = e;
    } else {
      vs.splice(at + 1, 0, e);
      this.numVersions++;
    }
    if (!stored) this.dirty.push(e);
    if (vs.length > 1 || deleted) this.prunable.add(key);
  }

  private drop(e: Entry): void {
    e.live = false;
    if (e.stored) this.dirty.push(e);
  }

  /** The state again from the store's committed entries. */
  private load(): void {
    this.keys.clear();
    this.waiting.clear();
    this.prunable.clear();
    this.dirty = [];
    this.numWaiting = 0;
    this.numVersions = 0;
    this.earliest = Infinity;
    const left: { seq: number; text: string }[] = [];
    const right: { seq: number; text: string; deleted: boolean }[] = [];
    for (const [k, v] of this.store.entries()) {
      const seq = parseInt(k.slice(1), 36);
      if (k.startsWith('l')) left.push({ seq, text: v[0] as string });
      else right.push({ seq, text: v[0] as string, deleted: v[1] === 1 });
    }
    left.sort((a, b) => a.seq - b.seq);
    right.sort((a, b) => a.seq - b.seq);
    this.nextSeq = [...left, ...right].reduce((m, e) => Math.max(m, e.seq + 1), 0);
    if (left.length > 0) {
      const r = this.read(batchFromColumns(this.node.input.schema, this.leftRows.decode(left.map((e) => e.text)), left.length), 'left');
      left.forEach((e, i) => this.addLeft(r.keys[i], r.times[i]!, e.text, e.seq, true));
    }
    if (right.length > 0) {
      const r = this.read(batchFromColumns(this.node.versions.schema, this.rightRows.decode(right.map((e) => e.text)), right.length), 'right');
      right.forEach((e, i) => this.addVersion(r.keys[i], r.times[i]!, e.text, e.deleted, e.seq, true));
    }
  }

  process(chunk: Chunk, _ctx: BatchContext, input = 0): Chunk[] {
    const b = chunk.batch;
    if (b.numRows === 0) return [];
    if (input === 0) {
      const r = this.read(b, 'left');
      for (let i = 0; i < b.numRows; i++) {
        // an inner join's row without a key matches nothing; a LEFT join's comes out padded
        if (r.keys[i] === NULL_KEY && this.node.joinType === 'inner') continue;
        this.addLeft(r.keys[i], r.times[i]!, r.texts[i]!, this.nextSeq++, false);
      }
      return [];
    }
    const r = this.read(b, 'right');
    const kinds = chunk.kinds;
    for (let i = 0; i < b.numRows; i++) {
      const kind = kinds ? kinds[i]! : RowKind.INSERT;
      if (kind === RowKind.UPDATE_BEFORE || r.keys[i] === NULL_KEY) continue;
      this.addVersion(r.keys[i], r.times[i]!, r.texts[i]!, kind === RowKind.DELETE, this.nextSeq++, false);
    }
    return [];
  }

  onWatermark(watermark: number): Chunk[] {
    const out = this.release(watermark);
    this.prune(watermark);
    return out;
  }

  /** Join and emit the waiting left rows at or below the watermark. */
  private release(watermark: number): Chunk[] {
    const rows: { left: Entry; version: Entry | undefined }[] = [];
    if (this.earliest > watermark) return [];
    let earliest = Infinity;
    for (const key of this.waiting) {
      const s = this.keys.get(key)!;
      const still: Entry[] = [];
      for (const e of s.pending) {
        if (e.time > watermark) {
          still.push(e);
          if (e.time < earliest) earliest = e.time;
          continue;
        }
        const at = validAt(s.versions, e.time);
        const v = at >= 0 && !s.versions[at]!.deleted ? s.versions[at] : undefined;
        this.drop(e);
        this.numWaiting--;
        if (v || this.node.joinType === 'left') rows.push({ left: e, version: v });
      }
      s.pending = still;
      if (still.length === 0) {
        this.waiting.delete(key);
        if (s.versions.length === 0) this.keys.delete(key);
      }
    }
    this.earliest = earliest;
    if (rows.length === 0) return [];
    // in time order (ties: arrival), as the watermark releases them
    rows.sort((a, b) => a.left.time - b.left.time || a.left.seq - b.left.seq);
    return [this.output(rows.map((r) => r.left.text), rows.map((r) => r.version?.text))];
  }

  /** The output rows of (left row, version) pairs: the residual checked, LEFT padding the rest. */
  private output(left: readonly string[], right: readonly (string | undefined)[]): Chunk {
    const n = left.length;
    const leftCols = this.leftRows.decode(left as string[]);
    const build = (rt: readonly (string | undefined)[]): arrow.RecordBatch =>
      batchFromColumns(this.outSchema, [...leftCols, ...this.rightRows.decode(rt.map((t) => t ?? this.nullRight))], n);
    let batch = build(right);
    if (!this.residual) return { batch };
    const ok = readerFor(this.residual(batch));
    const fails: number[] = [];
    for (let i = 0; i < n; i++) if (right[i] !== undefined && ok(i) !== true) fails.push(i);
    if (fails.length === 0) return { batch };
    if (this.node.joinType === 'left') {
      const padded = [...right];
      for (const i of fails) padded[i] = undefined;
      return { batch: build(padded) };
    }
    const keep: number[] = [];
    let f = 0;
    for (let i = 0; i < n; i++) {
      if (fails[f] === i) f++;
      else keep.push(i);
    }
    const idx = Uint32Array.from(keep);
    batch = batchFromColumns(this.outSchema, batch.data.children.map((c) => takeData(c, idx)), keep.length);
    return { batch };
  }

  /** Drop the versions no left row can reach any more: older than the one valid at the watermark. */
  private prune(watermark: number): void {
    for (const key of this.prunable) {
      const s = this.keys.get(key);
      if (!s) { this.prunable.delete(key); continue; }
      const vs = s.versions;
      let at = validAt(vs, watermark);
      if (at < 0) continue;
      if (vs[at]!.deleted) at++; // the key has no row at the watermark: the DELETE goes too
      if (at === 0) continue;
      for (let i = 0; i < at; i++) this.drop(vs[i]!);
      this.numVersions -= at;
      s.versions = vs.slice(at);
      if (s.versions.length <= 1 && !s.versions[0]?.deleted) this.prunable.delete(key);
      if (s.versions.length === 0 && s.pending.length === 0) this.keys.delete(key);
    }
  }

  hasTimerWork(watermark: number): boolean {
    return this.earliest <= watermark;
  }

  flushState(): void {
    for (const e of this.dirty) {
      if (e.live === e.stored) continue;
      const k = storeKey(e.side, e.seq);
      if (e.live) this.store.put(k, e.side === 'l' ? [e.text] : [e.text, e.deleted ? 1 : 0]);
      else this.store.delete(k);
      e.stored = e.live;
    }
    this.dirty = [];
  }

  abort(): void {
    const next = this.nextSeq;
    this.load();
    this.nextSeq = Math.max(next, this.nextSeq);
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'temporalJoin',
      // waiting left rows and kept versions, one entry each
      numRowsTotal: this.store.size,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes() + this.store.size * 64,
      numRowsDroppedByWatermark: 0,
    };
  }

  /** rows held in memory: waiting left rows and kept versions (for tests) */
  sizes(): { waiting: number; versions: number } {
    return { waiting: this.numWaiting, versions: this.numVersions };
  }
}
