/**
 * The lookup join operator (physical LookupJoinNode): probe rows against a bounded table loaded once
 * when the query starts (lookup-table.ts), stateless with respect to checkpoints.
 *
 * Per probe chunk, columnar: the key columns are computed by compiled kernels and decoded once; each
 * row walks its key's chain in the index, collecting (probe row, table row) pairs as two index
 * arrays; the pairs' columns are taken from the chunk and from the table with takeData (when every
 * probe row matched exactly one table row in order, as q13's `mod(auction, 10000) = key` does, the
 * chunk's columns are used as they are); the residual is evaluated over the pair batch once. A LEFT
 * join adds the probe rows left without an accepted pair, padded with NULLs. Each output row has its
 * probe row's kind, so a retracting probe input retracts its joined rows (the table does not change).
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, nullColumn, readerFor, takeData } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import { exprToString } from '../../../planner/expr.js';
import type { LookupJoinNode } from '../../../planner/incremental/physical.js';
import type { ExprContext } from '../../expr/compile.js';
import { compileExpr } from '../../expr/compile.js';
import type { BatchContext, Chunk, Operator } from '../operator.js';
import { NULL_KEY } from '../window/row-keys.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import { joinKeyCodecs, joinMapKeys } from './join-keys.js';
import { LookupIndex } from './lookup-table.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

/** Growable pair lists: probe row and table row of each candidate pair. */
class Pairs {
  probe: Uint32Array;
  table: Uint32Array;
  count = 0;

  constructor(capacity: number) {
    this.probe = new Uint32Array(Math.max(16, capacity));
    this.table = new Uint32Array(Math.max(16, capacity));
  }

  push(p: number, t: number): void {
    if (this.count === this.probe.length) {
      const probe = new Uint32Array(this.count * 2);
      probe.set(this.probe);
      this.probe = probe;
      const table = new Uint32Array(this.count * 2);
      table.set(this.table);
      this.table = table;
    }
    this.probe[this.count] = p;
    this.table[this.count] = t;
    this.count++;
  }
}

export class LookupJoinOperator implements Operator {
  private readonly probeKeys: readonly Kernel[];
  private readonly probeCodec: KeyCodec;
  private readonly tableCodec: KeyCodec;
  private readonly residual: Kernel | undefined;
  private readonly index: LookupIndex;
  private readonly tableColumns: readonly arrow.Data[];
  private readonly tableSchema: Schema;
  private readonly outSchema: arrow.Schema;

  /** `rows`: the table's loaded rows, with the lookup row's schema (node.columns of the table) */
  constructor(private readonly node: LookupJoinNode, rows: arrow.RecordBatch, exprCtx: ExprContext) {
    this.tableSchema = { columns: node.columns.map((i) => node.table.columns[i]!) };
    this.probeKeys = node.probeKeys.map((e) => compileExpr(e, node.input.schema, exprCtx));
    const tableKeys = node.tableKeys.map((e) => compileExpr(e, this.tableSchema, exprCtx)(rows));
    [this.probeCodec, this.tableCodec] = joinKeyCodecs(node.probeKeys.map((e) => e.type), node.tableKeys.map((e) => e.type));
    this.index = new LookupIndex(this.tableCodec, tableKeys, rows.numRows);
    this.tableColumns = rows.data.children;
    this.residual = node.residual ? compileExpr(node.residual, node.schema, exprCtx) : undefined;
    this.outSchema = toArrowSchema(node.schema);
  }

  explain(): string {
    const keys = this.node.probeKeys.map((k, i) => `${exprToString(k)} = ${exprToString(this.node.tableKeys[i]!)}`).join(', ');
    return `LookupJoin(${this.node.joinType}, table=${this.node.table.name}, keys=[${keys}], ${this.index.distinctKeys} keys loaded)`;
  }

  process(chunk: Chunk, _ctx: BatchContext): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const keys = joinMapKeys(this.probeCodec, this.probeKeys.map((k) => k(b)), n);
    const pairs = new Pairs(n);
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      if (k === NULL_KEY) continue;
      for (let t = this.index.first(k); t >= 0; t = this.index.after(t)) pairs.push(i, t);
    }
    const out: Chunk[] = [];
    let matched: Uint8Array | undefined;
    if (this.node.joinType === 'left') matched = new Uint8Array(n);
    if (pairs.count > 0) {
      let batch = this.pairBatch(b, pairs);
      let probeRows = pairs.probe.subarray(0, pairs.count);
      if (this.residual) {
        const read = readerFor(this.residual(batch));
        const keep = new Uint32Array(pairs.count);
        let m = 0;
        for (let j = 0; j < pairs.count; j++) if (read(j) === true) keep[m++] = j;
        if (m < pairs.count) {
          const idx = keep.subarray(0, m);
          batch = batchFromColumns(this.outSchema, batch.data.children.map((c) => takeData(c, idx)), m);
          const kept = new Uint32Array(m);
          for (let j = 0; j < m; j++) kept[j] = probeRows[idx[j]!]!;
          probeRows = kept;
        }
      }
      if (matched) for (let j = 0; j < probeRows.length; j++) matched[probeRows[j]!] = 1;
      if (batch.numRows > 0) out.push(this.withKinds(batch, chunk.kinds, probeRows));
    }
    if (matched) {
      const unmatched: number[] = [];
      for (let i = 0; i < n; i++) if (matched[i] === 0) unmatched.push(i);
      if (unmatched.length > 0) out.push(this.withKinds(this.padded(b, Uint32Array.from(unmatched)), chunk.kinds, Uint32Array.from(unmatched)));
    }
    return out;
  }

  /** The output rows of the candidate pairs: probe columns, then the table's. */
  private pairBatch(b: arrow.RecordBatch, pairs: Pairs): arrow.RecordBatch {
    const count = pairs.count;
    const probeIdx = pairs.probe.subarray(0, count);
    const tableIdx = pairs.table.subarray(0, count);
    let identity = count === b.numRows;
    for (let j = 0; identity && j < count; j++) if (probeIdx[j] !== j) identity = false;
    const probeCols = identity ? b.data.children : b.data.children.map((c) => takeData(c, probeIdx));
    const tableCols = this.tableColumns.map((c) => takeData(c, tableIdx));
    return batchFromColumns(this.outSchema, [...probeCols, ...tableCols], count);
  }

  /** Probe rows `idx` with NULLs for the table's columns (LEFT join, no match). */
  private padded(b: arrow.RecordBatch, idx: Uint32Array): arrow.RecordBatch {
    const probeCols = b.data.children.map((c) => takeData(c, idx));
    const nulls = this.tableSchema.columns.map((c) => nullColumn(c.type, idx.length));
    return batchFromColumns(this.outSchema, [...probeCols, ...nulls], idx.length);
  }

  /** Output rows carry the kinds of their probe rows (none when the probe chunk is all inserts). */
  private withKinds(batch: arrow.RecordBatch, kinds: Uint8Array | undefined, probeRows: ArrayLike<number>): Chunk {
    if (!kinds) return { batch };
    const out = new Uint8Array(probeRows.length);
    for (let j = 0; j < probeRows.length; j++) out[j] = kinds[probeRows[j]!]!;
    return { batch, kinds: out };
  }
}
