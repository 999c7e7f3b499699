/**
 * `SET 'late-rows.table' = 'name'`: the table late rows go to, through its connector's sink.
 *
 * The table declares the columns it keeps, matched by name (case-insensitive):
 * - any column of the refusing operator's input (the row as it reached the window: `item`, `ts`, …);
 * - `watermark TIMESTAMP(3)`: the watermark the row was judged late against;
 * - `operator STRING`: the operator that refused it (`windowAggregate[0]`, `sessionAggregate[1]`);
 * - `batch_id BIGINT`: the micro-batch it arrived in.
 * A column that is none of these is refused before the query starts, as is a type that differs
 * from the input column's. The sink is written in append mode, once per batch that had late rows.
 */
import { columnFromValues, batchFromColumns } from '../../../common/columns.js';
import { WeirError } from '../../../common/errors.js';
import type { Column, Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import type { SqlType } from '../../../common/types.js';
import { isCollection, T, typeToString } from '../../../common/types.js';
import type { Sink } from '../../../connectors/api.js';
import type { PhysicalNode } from '../../../planner/incremental/physical.js';
import { physicalChildren } from '../../../planner/incremental/physical.js';
import type { LateRow, LateRowsSink } from './late-rows.js';

const EXTRA: Readonly<Record<string, SqlType>> = { watermark: T.TIMESTAMP, operator: T.VARCHAR, batch_id: T.BIGINT };

/** The input schemas of the operators that may refuse late rows (window aggregations), in plan order. */
export function lateRowInputs(root: PhysicalNode, out: Schema[] = []): Schema[] {
  for (const c of physicalChildren(root)) lateRowInputs(c, out);
  if (root.kind === 'windowAggregate' || (root.kind === 'topN' && root.windowEndKey !== undefined)
    || (root.kind === 'overAggregate' && root.form === 'watermark')) out.push(root.input.schema);
  return out;
}

function sameKind(a: SqlType, b: SqlType): boolean {
  return typeToString(a) === typeToString(b) || (a.kind === b.kind && a.kind !== 'ROW' && a.kind !== 'DECIMAL' && !isCollection(a));
}

/** Refuse a late-rows table whose columns the late rows cannot fill. */
export function checkLateRowsTable(tableName: string, table: Schema, inputs: readonly Schema[]): void {
  for (const c of table.columns) {
    const name = c.name.toLowerCase();
    const extra = EXTRA[name];
    if (extra) {
      if (!sameKind(extra, c.type)) {
        throw new WeirError('PLAN', `late-rows table '${tableName}': column '${c.name}' must be ${typeToString(extra)}, got ${typeToString(c.type)}`);
      }
      continue;
    }
    const matches = inputs.map((s) => s.columns.find((x) => x.name.toLowerCase() === name)).filter((x): x is Column => x !== undefined);
    if (matches.length === 0) {
      const known = [...new Set(inputs.flatMap((s) => s.columns.map((x) => x.name)))];
      throw new WeirError('PLAN', `late-rows table '${tableName}': column '${c.name}' is not a column of the late rows; ` +
        `they have ${[...known, ...Object.keys(EXTRA)].join(', ')}`);
    }
    const bad = matches.find((m) => !sameKind(m.type, c.type));
    if (bad) {
      throw new WeirError('PLAN', `late-rows table '${tableName}': column '${c.name}' is ${typeToString(c.type)} but the late rows' '${bad.name}' is ${typeToString(bad.type)}`);
    }
  }
}

export class LateRowsTable implements LateRowsSink {
  private readonly operators = new Set<string>();
  private reported = new Set<string>();
  private rows: LateRow[] = [];
  private batchId = -1;

  /** `sink` is opened (append mode) by the caller; `schema` is the table's physical columns. */
  constructor(private readonly schema: Schema, private readonly sink: Sink) {}

  register(operator: string): void {
    this.operators.add(operator);
  }

  async report(operator: string, batchId: number, rows: readonly LateRow[]): Promise<void> {
    if (batchId !== this.batchId) {
      this.batchId = batchId;
      this.reported = new Set();
      this.rows = [];
    }
    this.reported.add(operator);
    for (const r of rows) this.rows.push(r);
    if (this.reported.size < this.operators.size) return;
    const all = this.rows;
    this.rows = [];
    this.reported = new Set();
    if (all.length === 0) return;
    await this.sink.write({ batchId, data: [this.toBatch(all)], kinds: undefined });
  }

  discard(): void {
    this.rows = [];
    this.reported = new Set();
    this.batchId = -1;
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private toBatch(rows: readonly LateRow[]) {
    const cols = this.schema.columns.map((c) => {
      const name = c.name.toLowerCase();
      const values = rows.map((r) => {
        switch (name) {
          case 'watermark': return Number.isFinite(r.watermark) ? r.watermark : null;
          case 'operator': return r.operator;
          case 'batch_id': return r.batchId;
          default: {
            const k = Object.keys(r.row).find((x) => x.toLowerCase() === name);
            return k === undefined ? null : r.row[k];
          }
        }
      });
      return columnFromValues(c.type, values);
    });
    return batchFromColumns(toArrowSchema(this.schema), cols, rows.length);
  }
}
