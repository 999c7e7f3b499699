/**
 * LATERAL TABLE(f(…)) (physical CorrelateNode): a user-defined table function called on each input
 * row, each row it yields joined to that row. Stateless: nothing in the checkpoint; each output row
 * has its input row's kind, so a retracted input row retracts what the function made of it.
 *
 * `eval(...args)` returns an iterable (a generator, an array) of rows, or null/undefined for none;
 * each row is an object with the declared column names (`{ word, n }`) or an array in their order.
 * Each value is checked against its declared type, as a scalar function's result is.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, columnFromValues, nullColumn, readerFor, takeData, toApiValue } from '../../common/columns.js';
import { InternalError, WeirError } from '../../common/errors.js';
import { toArrowSchema } from '../../common/schema.js';
import { isCollection } from '../../common/types.js';
import type { UserTableFunction } from '../../common/user-function-types.js';
import { exprToString, exprType } from '../../planner/expr.js';
import type { CorrelateNode } from '../../planner/incremental/physical.js';
import type { ExprContext } from '../expr/compile.js';
import { compileExpr } from '../expr/compile.js';
import { udfResultChecker } from '../expr/udf-result.js';
import type { Chunk, Operator } from './operator.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

const shown = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${(v.length > 80 ? `${v.slice(0, 77)}...` : v).replace(/'/g, "''")}'`;
  return typeof v === 'object' ? JSON.stringify(v) ?? String(v) : String(v);
};

export class TableFunctionOperator implements Operator {
  private readonly fn: UserTableFunction;
  private readonly args: readonly Kernel[];
  private readonly outSchema: arrow.Schema;
  private readonly checks: readonly ((v: unknown, call: () => string) => unknown)[];

  constructor(private readonly node: CorrelateNode, ctx: ExprContext) {
    const fn = ctx.tableFunctions?.get(node.fn.toLowerCase());
    if (!fn) throw new InternalError(`table function ${node.fn} is not loaded`);
    this.fn = fn;
    this.args = node.args.map((a) => compileExpr(a, node.input.schema, ctx));
    this.outSchema = toArrowSchema(node.schema);
    this.checks = fn.columns.map((c) => udfResultChecker(`${fn.name} (column ${c.name})`, c.type, node.span));
  }

  explain(): string {
    const cols = this.fn.columns.map((c) => c.name).join(', ');
    return `Correlate(${this.node.joinType}, ${this.node.fn}(${this.node.args.map(exprToString).join(', ')}), columns=[${cols}])`;
  }

  process(chunk: Chunk): Chunk[] {
    const b = chunk.batch;
    const n = b.numRows;
    if (n === 0) return [];
    const readers = this.args.map((k, j) => {
      const r = readerFor(k(b));
      const t = exprType(this.node.args[j]!);
      return t.kind === 'DECIMAL' || t.kind === 'ROW' || isCollection(t) ? (i: number) => toApiValue(r(i), t) : r;
    });
    const from: number[] = [];
    const values: unknown[][] = this.fn.columns.map(() => []);
    const padded: number[] = [];
    const left = this.node.joinType === 'left';
    for (let i = 0; i < n; i++) {
      const args = readers.map((r) => r(i));
      const call = (): string => `${this.fn.name}(${args.map(shown).join(', ')})`;
      const before = from.length;
      try {
        const out = this.fn.def.eval(...args);
        if (out !== null && out !== undefined) {
          if (typeof (out as { then?: unknown }).then === 'function' || typeof (out as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
            throw new WeirError('RUNTIME', `table function ${this.fn.name} returned a Promise or an async iterable on the row with ${call()}: `
              + 'async functions are not supported; eval must return its rows synchronously', this.node.span);
          }
          if (typeof (out as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
            throw new WeirError('RUNTIME', `table function ${this.fn.name} returned ${shown(out)} on the row with ${call()}: eval must return `
              + 'an iterable of rows (a generator or an array)', this.node.span);
          }
          for (const row of out as Iterable<unknown>) this.addRow(row, values, call);
        }
      } catch (e) {
        if (e instanceof WeirError) throw e;
        throw new WeirError('RUNTIME', `function ${this.fn.name} failed on the row with ${call()}: ${e instanceof Error ? e.message : String(e)}`, this.node.span);
      }
      for (let k = before; k < values[0]!.length; k++) from.push(i);
      if (left && from.length === before) padded.push(i);
    }
    const out: Chunk[] = [];
    if (from.length > 0) {
      const idx = Uint32Array.from(from);
      const cols = [...b.data.children.map((c) => takeData(c, idx)), ...this.fn.columns.map((c, j) => columnFromValues(c.type, values[j]!))];
      out.push(this.withKinds(batchFromColumns(this.outSchema, cols, idx.length), chunk.kinds, idx));
    }
    if (padded.length > 0) {
      const idx = Uint32Array.from(padded);
      const cols = [...b.data.children.map((c) => takeData(c, idx)), ...this.fn.columns.map((c) => nullColumn(c.type, idx.length))];
      out.push(this.withKinds(batchFromColumns(this.outSchema, cols, idx.length), chunk.kinds, idx));
    }
    return out;
  }

  /** One yielded row into the column values: an object by column name, or an array in column order. */
  private addRow(row: unknown, values: unknown[][], call: () => string): void {
    const cols = this.fn.columns;
    if (row === null || typeof row !== 'object') {
      throw new WeirError('RUNTIME', `table function ${this.fn.name} yielded ${shown(row)} on the row with ${call()}: each row must be an object `
        + `({ ${cols.map((c) => c.name).join(', ')} }) or an array`, this.node.span);
    }
    for (let j = 0; j < cols.length; j++) {
      const v = Array.isArray(row) ? row[j] : (row as Record<string, unknown>)[cols[j]!.name];
      values[j]!.push(this.checks[j]!(v, call));
    }
  }

  private withKinds(batch: arrow.RecordBatch, kinds: Uint8Array | undefined, rows: Uint32Array): Chunk {
    if (!kinds) return { batch };
    const out = new Uint8Array(rows.length);
    for (let j = 0; j < rows.length; j++) out[j] = kinds[rows[j]!]!;
    return { batch, kinds: out };
  }
}
