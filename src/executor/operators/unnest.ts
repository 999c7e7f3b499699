/**
 * UNNEST (a Correlate whose fn is UNNEST, planner/logical/unnest.ts): each input row joined to every
 * element of its collection. Stateless: nothing in the checkpoint; each output row has its input
 * row's kind, so a retracted row retracts the rows its collection made.
 *
 * It works on the Arrow column of the collection: the List's (or Map's) offsets give each row's
 * child rows, and the output's columns are takes of the input columns (by input row) and of the
 * child column (by child row), no JS value per element except for ROW elements (their fields
 * become columns) and MULTISET counts.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues, isValidAt, nullColumn, takeData, valueAt } from '../../common/columns.js';
import { InternalError } from '../../common/errors.js';
import { toArrowSchema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import { exprToString, exprType } from '../../planner/expr.js';
import type { CorrelateNode } from '../../planner/incremental/physical.js';
import { withOrdinality } from '../../planner/logical/unnest.js';
import type { ExprContext } from '../expr/compile.js';
import { compileExpr } from '../expr/compile.js';
import type { Chunk, Operator } from './operator.js';
import { ZippedUnnest } from './unnest-zip.js';

export class UnnestOperator implements Operator {
  private readonly arg: (b: arrow.RecordBatch) => arrow.Data;
  private readonly type: SqlType;
  private readonly ordinality: boolean;
  private readonly outSchema: arrow.Schema;
  private readonly columnTypes: readonly SqlType[];
  /** UNNEST(a, b, …) of several collections: unnest-zip.ts */
  private readonly zipped: ZippedUnnest | undefined;

  constructor(private readonly node: CorrelateNode, ctx: ExprContext) {
    if (node.args.length === 0) throw new InternalError('UNNEST of no argument');
    this.arg = compileExpr(node.args[0]!, node.input.schema, ctx);
    this.type = exprType(node.args[0]!);
    this.zipped = node.args.length > 1
      ? new ZippedUnnest(node.args.map((a) => compileExpr(a, node.input.schema, ctx)), node.args.map(exprType), node.joinType === 'left')
      : undefined;
    this.ordinality = withOrdinality(node.fn);
    this.outSchema = toArrowSchema(node.schema);
    this.columnTypes = node.schema.columns.slice(node.input.schema.columns.length).map((c) => c.type);
  }

  explain(): string {
    const cols = this.node.schema.columns.slice(this.node.input.schema.columns.length).map((c) => c.name).join(', ');
    return `Unnest(${this.node.joinType}, ${this.node.args.map(exprToString).join(', ')}${this.ordinality ? ' WITH ORDINALITY' : ''}, columns=[${cols}])`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    if (this.zipped) {
      const z = this.zipped.unnest(b);
      if (z.from.length === 0) return [];
      const cols = [...b.data.children.map((c) => takeData(c, z.from)), ...z.columns];
      if (this.ordinality) cols.push(columnFromValues({ kind: 'INT' }, Array.from(z.ordinal)));
      return [withKinds(batchFromColumns(this.outSchema, cols, z.from.length), chunk.kinds, z.from)];
    }
    const d = this.arg(b);
    const o = d.valueOffsets as Int32Array;
    const multiset = this.type.kind === 'MULTISET';
    const counts = multiset ? d.children[0]!.children[1]! : undefined;
    // first pass: how many rows, so the index arrays are made once
    let total = 0;
    const padded: number[] = [];
    for (let i = 0; i < n; i++) {
      const valid = isValidAt(d, i);
      let k = 0;
      if (valid) {
        if (counts) for (let j = o[i]!; j < o[i + 1]!; j++) k += Math.max(0, Number(valueAt(counts, j) ?? 0));
        else k = o[i + 1]! - o[i]!;
      }
      total += k;
      if (k === 0 && this.node.joinType === 'left') padded.push(i);
    }
    const from = new Uint32Array(total), child = new Uint32Array(total), ord = new Int32Array(total);
    let p = 0;
    for (let i = 0; i < n; i++) {
      if (!isValidAt(d, i)) continue;
      let pos = 0;
      for (let j = o[i]!; j < o[i + 1]!; j++) {
        const times = counts ? Math.max(0, Number(valueAt(counts, j) ?? 0)) : 1;
        for (let r = 0; r < times; r++, p++) { from[p] = i; child[p] = j; ord[p] = ++pos; }
      }
    }
    const out: Chunk[] = [];
    if (total > 0) {
      const cols = [...b.data.children.map((c) => takeData(c, from)), ...this.elementColumns(d.children[0]!, child)];
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

  /** The unnested columns (without ordinality) of child rows `rows` of the collection's child column. */
  private elementColumns(child: arrow.Data, rows: Uint32Array): arrow.Data[] {
    const t = this.type;
    if (t.kind === 'MAP') return [takeData(child.children[0]!, rows), takeData(child.children[1]!, rows)];
    const elements = t.kind === 'MULTISET' ? child.children[0]! : child;
    const element = t.kind === 'ARRAY' || t.kind === 'MULTISET' ? t.element : undefined;
    if (element?.kind !== 'ROW') return [takeData(elements, rows)];
    // ROW elements: each field a column, NULL where the element itself is NULL
    const taken = takeData(elements, rows);
    const objs = Array.from({ length: rows.length }, (_, i) => valueAt(taken, i) as Record<string, unknown> | null);
    return element.fields.map((f) => columnFromValues(f.type, objs.map((r) => (r === null ? null : r[f.name] ?? null))));
  }
}

function withKinds(batch: arrow.RecordBatch, kinds: Uint8Array | undefined, rows: Uint32Array): Chunk {
  if (!kinds) return { batch };
  const out = new Uint8Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = kinds[rows[j]!]!;
  return { batch, kinds: out };
}
