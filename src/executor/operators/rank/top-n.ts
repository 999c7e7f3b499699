/**
 * Top-N per partition (physical TopNNode): `ROW_NUMBER() OVER (PARTITION BY k ORDER BY c) AS rn`
 * filtered to ranks rankStart..rankEnd; deduplication is the case 1..1.
 *
 * Rows of a partition are ranked by the ORDER BY keys, ties by arrival (the earlier row ranks first),
 * so results do not depend on how the input was split into batches. Over an append-only input only
 * the top `rankEnd` rows of a partition are kept (a row pushed below can never come back); a row
 * that does not beat the last kept row is dropped before anything of it but its keys is read. Over a
 * retracting input every row is kept, so that retracting a top row promotes the next one.
 *
 * Per batch the rows are applied as they come; at the end of the batch each partition the batch
 * touched is compared with what was emitted for it before (its visible rows when the batch first
 * touched it) and only the difference is emitted:
 * - rank output: per rank position whose row changed, UPDATE_BEFORE (old row, that rank) and
 *   UPDATE_AFTER (new row, that rank), or DELETE / INSERT where the partition shrank or grew: the
 *   upsert key is (partition keys, rank), and a row whose rank shifted is updated at both ranks;
 * - no rank output, one row per partition: UPDATE_BEFORE / UPDATE_AFTER of the partition's row;
 * - no rank output, several: DELETE for rows that left, INSERT for rows that entered (a multiset).
 * In complete mode every visible row of every partition is emitted each batch instead.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import { InternalError } from '../../../common/errors.js';
import { toArrowSchema } from '../../../common/schema.js';
import { RowKind } from '../../../connectors/api.js';
import { topNText } from '../../../planner/explain.js';
import type { TopNNode } from '../../../planner/incremental/physical.js';
import type { StateStore } from '../../../state/state-store.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { Chunk, Operator, StateOperatorProgress } from '../operator.js';
import { ResultColumns } from '../window/result-columns.js';
import { decodeColumn } from '../window/row-keys.js';
import type { SortComparator } from './top-n-state.js';
import {
  Entry, firstNotBefore, insertionPoint, loadPartitions, newPartition, PartitionIndex, type Partition,
  sameValues, savePartition, sortComparator,
} from './top-n-state.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

export class TopNOperator implements Operator {
  private readonly partitionKernels: Kernel[];
  private readonly sortKernels: Kernel[];
  private readonly cmp: SortComparator;
  private readonly outSchema: arrow.Schema;
  private readonly index: PartitionIndex;
  /** keep only the top rankEnd rows of a partition (the input never retracts) */
  private readonly trim: boolean;
  private readonly width: number;
  private nextSeq: number;
  private batchSeq = 0;
  /** partitions touched in the batch in progress, in the order first touched */
  private touched: Partition[] = [];
  /** the batch's input chunks (rows not read yet point into them), with their column readers once needed */
  private chunks: arrow.RecordBatch[] = [];
  private readers: (((i: number) => unknown)[] | undefined)[] = [];
  private rowsKept = 0;

  constructor(private readonly node: TopNNode, private readonly store: StateStore, exprCtx: ExprContext) {
    const input = node.input.schema;
    this.partitionKernels = node.partitionBy.map((e) => compileExpr(e, input, exprCtx));
    this.sortKernels = node.orderBy.map((k) => compileExpr(k.expr, input, exprCtx));
    this.cmp = sortComparator(node.orderBy);
    this.outSchema = toArrowSchema(node.schema);
    this.index = new PartitionIndex(node.partitionBy.length);
    this.trim = node.input.appendOnly;
    this.width = input.columns.length;
    this.nextSeq = this.rebuild();
  }

  /** The in-memory index again from the store's committed entries; the next arrival number. */
  private rebuild(): number {
    const next = loadPartitions(this.store, this.index);
    this.rowsKept = 0;
    for (const p of this.index.all()) this.rowsKept += p.rows.length;
    return next;
  }

  explain(): string {
    return `TopN[${this.node.operatorId}](${topNText(this.node)})`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const chunkIndex = this.chunks.length;
    this.chunks.push(b);
    this.readers.push(undefined);
    const keyCols = this.partitionKernels.map((k) => decodeColumn(k(b)));
    const sortCols = this.sortKernels.map((k) => decodeColumn(k(b)));
    const nk = keyCols.length, ns = sortCols.length;
    const kinds = chunk.kinds;
    const keep = this.node.rankEnd;
    const cmp = this.cmp;
    const sort: unknown[] = new Array(ns);
    for (let i = 0; i < n; i++) {
      const retract = kinds !== undefined && (kinds[i] === RowKind.UPDATE_BEFORE || kinds[i] === RowKind.DELETE);
      for (let k = 0; k < ns; k++) sort[k] = sortCols[k]![i] ?? null;
      let p = this.index.find(keyCols, i);
      if (this.trim) {
        if (retract) throw new InternalError(`TopN[${this.node.operatorId}]: a retraction from an append-only input`);
        // a full partition whose last row this one does not beat (ties go to the earlier row): dropped unread
        if (p !== undefined && p.rows.length >= keep && cmp(sort, p.rows[p.rows.length - 1]!.sort) >= 0) continue;
        p = this.touch(p, keyCols, i, nk);
        const e = new Entry(this.nextSeq++, sort.slice(), undefined, chunkIndex, i);
        const rows = p.rows;
        if (keep === 1) {
          if (rows.length === 0) rows.push(e);
          else rows[0] = e;
        } else {
          rows.splice(insertionPoint(rows, e.sort, cmp), 0, e);
          if (rows.length > keep) rows.length = keep;
        }
      } else if (retract) {
        if (p === undefined) continue; // never seen: nothing to take back
        const values = this.readRow(chunkIndex, i);
        const rows = p.rows;
        let j = firstNotBefore(rows, sort, cmp);
        while (j < rows.length && cmp(rows[j]!.sort, sort) === 0 && !sameValues(rows[j]!.values!, values)) j++;
        if (j >= rows.length || cmp(rows[j]!.sort, sort) !== 0) continue;
        this.touch(p, keyCols, i, nk);
        rows.splice(j, 1);
      } else {
        p = this.touch(p, keyCols, i, nk);
        const e = new Entry(this.nextSeq++, sort.slice(), this.readRow(chunkIndex, i), -1, -1);
        p.rows.splice(insertionPoint(p.rows, e.sort, cmp), 0, e);
      }
    }
    return [];
  }

  /** Partition `p` (created for row i when absent), its visible rows noted the first time this batch touches it. */
  private touch(p: Partition | undefined, keyCols: readonly (readonly unknown[])[], i: number, nk: number): Partition {
    if (p === undefined) {
      const keyValues = new Array(nk);
      for (let k = 0; k < nk; k++) keyValues[k] = keyCols[k]![i] ?? null;
      p = newPartition(keyValues);
      this.index.add(p);
    }
    if (p.batch !== this.batchSeq) {
      p.batch = this.batchSeq;
      p.before = this.visible(p.rows);
      p.lengthBefore = p.rows.length;
      this.touched.push(p);
    }
    return p;
  }

  private visible(rows: readonly Entry[]): readonly Entry[] {
    return rows.slice(this.node.rankStart - 1, this.node.rankEnd);
  }

  /** Every column value of row `i` of chunk `c` of this batch. */
  private readRow(c: number, i: number): unknown[] {
    let rs = this.readers[c];
    if (rs === undefined) {
      rs = this.chunks[c]!.data.children.map(readerFor);
      this.readers[c] = rs;
    }
    const out = new Array(rs.length);
    for (let k = 0; k < rs.length; k++) out[k] = rs[k]!(i);
    return out;
  }

  finishBatch(): Chunk[] {
    const out = new ResultColumns(this.node.schema);
    const complete = this.node.mode === 'complete';
    for (const p of this.touched) {
      for (const e of p.rows) if (e.values === undefined) e.values = this.readRow(e.chunk, e.row);
      if (!complete) this.emitChanges(out, p.before!, this.visible(p.rows));
      this.rowsKept += p.rows.length - p.lengthBefore;
      savePartition(this.store, p);
      if (p.rows.length === 0) this.index.remove(p);
      p.before = undefined;
    }
    this.touched = [];
    this.chunks = [];
    this.readers = [];
    this.batchSeq++;
    if (complete) {
      for (const p of this.index.all()) this.visible(p.rows).forEach((e, r) => this.add(out, e, this.node.rankStart + r, RowKind.INSERT));
    }
    if (out.size === 0) return [];
    return [out.chunk(this.outSchema, !complete && !this.node.appendOnly)];
  }

  /** The changelog from the rows emitted for a partition (`before`) to its visible rows now (`after`), see the file comment. */
  private emitChanges(out: ResultColumns, before: readonly Entry[], after: readonly Entry[]): void {
    const start = this.node.rankStart;
    if (this.node.outputRank || this.node.rankStart === this.node.rankEnd) {
      // per rank position (with the rank hidden there is just one)
      const len = Math.max(before.length, after.length);
      for (let r = 0; r < len; r++) {
        const o = before[r], e = after[r];
        if (o === e) continue;
        if (o !== undefined && e !== undefined) {
          if (sameValues(o.values!, e.values!)) continue;
          this.add(out, o, start + r, RowKind.UPDATE_BEFORE);
          this.add(out, e, start + r, RowKind.UPDATE_AFTER);
        } else if (o !== undefined) this.add(out, o, start + r, RowKind.DELETE);
        else this.add(out, e!, start + r, RowKind.INSERT);
      }
      return;
    }
    const now = new Set(after);
    const was = new Set(before);
    for (const o of before) if (!now.has(o)) this.add(out, o, 0, RowKind.DELETE);
    for (const e of after) if (!was.has(e)) this.add(out, e, 0, RowKind.INSERT);
  }

  private add(out: ResultColumns, e: Entry, rank: number, kind: number): void {
    const cols = out.cols;
    const v = e.values!;
    for (let c = 0; c < this.width; c++) cols[c]!.push(v[c]);
    if (this.node.outputRank) cols[this.width]!.push(rank);
    out.pushed(kind);
  }

  async checkpoint(version: number): Promise<void> {
    await this.store.commit(version);
  }

  abort(): void {
    this.store.abort();
    this.touched = [];
    this.chunks = [];
    this.readers = [];
    this.batchSeq++;
    this.nextSeq = Math.max(this.nextSeq, this.rebuild());
  }

  progress(): StateOperatorProgress {
    return {
      operatorName: 'topN',
      numRowsTotal: this.rowsKept,
      numRowsUpdated: this.store.numUpdated,
      memoryUsedBytes: this.store.memoryUsedBytes(),
      numRowsDroppedByWatermark: 0,
    };
  }
}
