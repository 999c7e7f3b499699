/**
 * UNNEST (a Correlate whose fn is UNNEST, planner/logical/unnest.ts): each input row joined to every
 * element of its collection. Stateless: nothing in the checkpoint; each output row has its input
 * row's kind, so a retracted row retracts the rows its collection made.
 *
 * It works on the Arrow column of the collection: the List's (or Map's) offsets give each row's
 * child rows, and the output's columns are takes of the input columns (by input row) and of the
 * child column (by child row), no JS value per element except for ROW elements (their fields
 * become columns) and MULTISET counts.
 *
 * UNNEST(a, b, …) zips its collections by position: row i makes as many rows as its longest
 * collection, a shorter (or NULL) one giving NULLs in its columns past its end.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues, isValidAt, nullColumn, takeData, valueAt } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import { toArrowSchema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { exprToString, exprType } from '../../planner/expr.js';
import type { CorrelateNode } from '../../planner/incremental/physical.js';
import { unnestColumns, withOrdinality } from '../../planner/logical/unnest.js';
import type { ExprContext } from '../expr/compile.js';
import { compileExpr } from '../expr/compile.js';
import type { Chunk, Operator } from './operator.js';

/** One collection argument: its compiled expression, type and how many output columns it makes. */
interface Collection {
  readonly eval: (b: arrow.RecordBatch) => arrow.Data;
  readonly type: SqlType;
  readonly columnTypes: readonly SqlType[];
}

export class UnnestOperator implements Operator {
  private readonly collections: readonly Collection[];
  private readonly ordinality: boolean;
  private readonly outSchema: arrow.Schema;
  private readonly columnTypes: readonly SqlType[];

  constructor(private readonly node: CorrelateNode, ctx: ExprContext) {
    if (node.args.length === 0) throw new InternalError('UNNEST of no argument');
    this.columnTypes = node.schema.columns.slice(node.input.schema.columns.length).map((c) => c.type);
    let at = 0;
    this.collections = node.args.map((a) => {
      const type = exprType(a);
      const width = unnestColumns(type, false)?.length;
      if (width === undefined) throw new InternalError(`UNNEST of ${type.kind}`);
      const columnTypes = this.columnTypes.slice(at, at + width);
      at += width;
      return { eval: compileExpr(a, node.input.schema, ctx), type, columnTypes };
    });
    this.ordinality = withOrdinality(node.fn);
    this.outSchema = toArrowSchema(node.schema);
  }

  explain(): string {
    const cols = this.node.schema.columns.slice(this.node.input.schema.columns.length).map((c) => c.name).join(', ');
    return `Unnest(${this.node.joinType}, ${this.node.args.map(exprToString).join(', ')}${this.ordinality ? ' WITH ORDINALITY' : ''}, columns=[${cols}])`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const data = this.collections.map((c) => c.eval(b));
    // per collection, each row's child rows in order (a MULTISET's element repeated by its count)
    const children = this.collections.map((c, a) => childRows(data[a]!, c.type.kind === 'MULTISET', n));
    // first pass: how many rows (the longest collection of each row), so the index arrays are made once
    let total = 0;
    const padded: number[] = [];
    const lengths = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let k = 0;
      for (const c of children) k = Math.max(k, c.start[i + 1]! - c.start[i]!);
      lengths[i] = k;
      total += k;
      if (k === 0 && this.node.joinType === 'left') padded.push(i);
    }
    const from = new Uint32Array(total), ord = new Int32Array(total);
    const picks = children.map(() => new Int32Array(total));
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let pos = 0; pos < lengths[i]!; pos++, p++) {
        from[p] = i; ord[p] = pos + 1;
        children.forEach((c, a) => {
          const at = c.start[i]! + pos;
          picks[a]![p] = at < c.start[i + 1]! ? c.rows[at]! : -1; // -1: this collection is shorter, pad with NULL
        });
      }
    }
    const out: Chunk[] = [];
    if (total > 0) {
      const cols = [...b.data.children.map((c) => takeData(c, from))];
      this.collections.forEach((c, a) => cols.push(...this.zippedColumns(c, data[a]!.children[0]!, picks[a]!)));
      if (this.ordinality) cols.push(columnFromValues({ kind: 'INT' }, Array.from(ord)));
      out.push(withKinds(batchFromColumns(this.outSchema, cols, total), chunk.kinds, from));
    }
    if (padded.length > 0) {
      const idx = Uint32Array.from(padded);
      const cols = [...b.data.children.map((c) => takeData(c, idx)), ...this.columnTypes.map((t) => nullColumn(t, idx.length))];
      out.push(withKinds(batchFromColumns(this.outSchema, cols, idx.length), chunk.kinds, idx));
    }
    return out;
  }

  /**
   * One collection's columns for child rows `picks` (-1: NULL). Without padding the columns are
   * Arrow takes; a shorter collection's columns (only with several) go through JS values.
   */
  private zippedColumns(c: Collection, child: arrow.Data, picks: Int32Array): arrow.Data[] {
    let pads = 0;
    for (let j = 0; j < picks.length; j++) if (picks[j]! < 0) pads++;
    if (pads === 0) return elementColumns(c.type, child, new Uint32Array(picks.buffer, picks.byteOffset, picks.length));
    if (pads === picks.length) return c.columnTypes.map((t) => nullColumn(t, picks.length));
    const clamped = Uint32Array.from(picks, (x) => Math.max(0, x));
    return elementColumns(c.type, child, clamped).map((col, k) => {
      const values = Array.from({ length: picks.length }, (_, j) => (picks[j]! < 0 ? null : valueAt(col, j)));
      return columnFromValues(c.columnTypes[k]!, values);
    });
  }
}

/** A collection column's child rows by row: row i's are rows[start[i] … start[i+1]-1]; a NULL collection has none. */
function childRows(d: arrow.Data, multiset: boolean, n: number): { start: Int32Array; rows: Int32Array } {
  const o = d.valueOffsets as Int32Array;
  const start = new Int32Array(n + 1);
  if (!multiset) {
    // an ARRAY or MAP: row i's child rows are o[i] … o[i+1]-1, typed arrays only (the hot path)
    const rows = new Int32Array(o[n]! - o[0]!);
    let p = 0;
    for (let i = 0; i < n; i++) {
      start[i] = p;
      if (isValidAt(d, i)) for (let j = o[i]!; j < o[i + 1]!; j++) rows[p++] = j;
    }
    start[n] = p;
    return { start, rows };
  }
  const counts = d.children[0]!.children[1]!;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    start[i] = rows.length;
    if (!isValidAt(d, i)) continue;
    for (let j = o[i]!; j < o[i + 1]!; j++) {
      const times = Math.max(0, Number(valueAt(counts, j) ?? 0));
      for (let r = 0; r < times; r++) rows.push(j);
    }
  }
  start[n] = rows.length;
  return { start, rows: Int32Array.from(rows) };
}

/** The unnested columns (without ordinality) of child rows `rows` of a collection's child column. */
function elementColumns(t: SqlType, child: arrow.Data, rows: Uint32Array): arrow.Data[] {
  if (t.kind === 'MAP') return [takeData(child.children[0]!, rows), takeData(child.children[1]!, rows)];
  const elements = t.kind === 'MULTISET' ? child.children[0]! : child;
  const element = t.kind === 'ARRAY' || t.kind === 'MULTISET' ? t.element : undefined;
  if (element?.kind !== 'ROW') return [takeData(elements, rows)];
  // ROW elements: each field a column, NULL where the element itself is NULL
  const taken = takeData(elements, rows);
  const objs = Array.from({ length: rows.length }, (_, i) => valueAt(taken, i) as Record<string, unknown> | null);
  return element.fields.map((f) => columnFromValues(f.type, objs.map((r) => (r === null ? null : r[f.name] ?? null))));
}

function withKinds(batch: arrow.RecordBatch, kinds: Uint8Array | undefined, rows: Uint32Array): Chunk {
  if (!kinds) return { batch };
  const out = new Uint8Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = kinds[rows[j]!]!;
  return { batch, kinds: out };
}
