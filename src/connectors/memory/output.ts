/**
 * What a memory sink holds for one table, by output mode:
 * - append: rows() is every row written, in order;
 * - complete: rows() is the last batch's rows (each batch is the whole result);
 * - update: rows() is the current result table: a row replaces the row of the same key
 *   (`keyColumns` from the sink's open()), UPDATE_BEFORE and DELETE rows remove theirs. Without key
 *   columns the table is a multiset and a retraction removes one equal row.
 * changes() is the changelog of every batch, with row kinds and batch ids.
 *
 * Delivering batch N again right after batch N (a re-run after a crash, by the same query) replaces
 * that batch's effect instead of adding it twice: the output keeps an undo record of each writer's
 * last batch.
 */
import type { Schema } from '../../common/schema.js';
import type { OutputMode, RowKindValue } from '../api.js';
import { RowKind } from '../api.js';

export type ChangeKind = 'insert' | 'update_before' | 'update_after' | 'delete';

export interface Change {
  readonly kind: ChangeKind;
  readonly row: Record<string, unknown>;
  readonly batchId: number;
}

const KIND_NAMES: Readonly<Record<RowKindValue, ChangeKind>> = {
  [RowKind.INSERT]: 'insert',
  [RowKind.UPDATE_BEFORE]: 'update_before',
  [RowKind.UPDATE_AFTER]: 'update_after',
  [RowKind.DELETE]: 'delete',
};

type Row = Record<string, unknown>;

/** Enough to take back one batch: lengths before it, and the first old value of every key it touched. */
interface Undo {
  readonly batchId: number;
  readonly changesLength: number;
  readonly appendLength: number;
  /** append mode, when the batch removed rows: the whole list before it */
  appendBefore: Row[] | undefined;
  readonly completeBefore: Row[];
  readonly tableBefore: Map<string, Row[] | undefined>;
}

export class MemoryOutput {
  private mode: OutputMode = 'append';
  private keyNames: readonly string[] = [];
  private readonly changeLog: Change[] = [];
  private appendRows: Row[] = [];
  private completeRows: Row[] = [];
  private readonly table = new Map<string, Row[]>();
  private readonly lastByWriter = new Map<string, Undo>();
  private batchCount = 0;

  constructor(readonly schema: Schema) {}

  /** Called by a sink's open(). */
  configure(mode: OutputMode, keyColumns: readonly number[]): void {
    this.mode = mode;
    this.keyNames = keyColumns.map((i) => this.schema.columns[i]!.name);
  }

  /** Apply one batch from `writer` (the query's name); `kinds[i]` is row i's RowKind. */
  apply(writer: string, batchId: number, rows: readonly Row[], kinds: Uint8Array | undefined): void {
    const last = this.lastByWriter.get(writer);
    if (last && last.batchId === batchId) this.undo(last);
    else this.batchCount++;
    const undo: Undo = {
      batchId,
      changesLength: this.changeLog.length,
      appendLength: this.appendRows.length,
      appendBefore: undefined,
      completeBefore: this.completeRows,
      tableBefore: new Map(),
    };
    this.lastByWriter.set(writer, undo);
    if (this.mode === 'complete') this.completeRows = [];
    rows.forEach((row, i) => {
      const kind = (kinds ? kinds[i] : RowKind.INSERT) as RowKindValue;
      this.changeLog.push({ kind: KIND_NAMES[kind], row, batchId });
      const retract = kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE;
      switch (this.mode) {
        case 'append':
          if (!retract) this.appendRows.push(row);
          else {
            undo.appendBefore ??= this.appendRows.slice(0, undo.appendLength);
            removeOne(this.appendRows, row);
          }
          break;
        case 'complete':
          if (!retract) this.completeRows.push(row);
          break;
        case 'update':
          this.applyUpdate(row, retract, undo);
          break;
      }
    });
  }

  private applyUpdate(row: Row, retract: boolean, undo: Undo): void {
    const key = this.keyNames.length > 0 ? rowText(this.keyNames.map((k) => row[k] ?? null)) : rowText(row);
    const current = this.table.get(key);
    if (!undo.tableBefore.has(key)) undo.tableBefore.set(key, current?.slice());
    if (this.keyNames.length > 0) {
      if (retract) this.table.delete(key);
      else this.table.set(key, [row]);
      return;
    }
    if (!retract) this.table.set(key, [...(current ?? []), row]);
    else if (current && current.length > 1) this.table.set(key, current.slice(1));
    else this.table.delete(key);
  }

  private undo(u: Undo): void {
    this.changeLog.length = u.changesLength;
    if (u.appendBefore) this.appendRows = u.appendBefore;
    else this.appendRows.length = u.appendLength;
    this.completeRows = u.completeBefore;
    for (const [k, v] of u.tableBefore) {
      if (v === undefined) this.table.delete(k);
      else this.table.set(k, v);
    }
  }

  /** The result table as the output mode defines it (see the file comment). */
  rows(): Record<string, unknown>[] {
    switch (this.mode) {
      case 'append': return this.appendRows.slice();
      case 'complete': return this.completeRows.slice();
      case 'update': return [...this.table.values()].flat();
    }
  }

  changes(): Change[] {
    return this.changeLog.slice();
  }

  /** Number of batches written (a batch delivered twice counts once). */
  batches(): number {
    return this.batchCount;
  }
}

/** Text identity of a row (BIGINT beyond 2^53 is a bigint, which plain JSON refuses). */
const rowText = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

function removeOne(rows: Row[], row: Row): void {
  const key = rowText(row);
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rowText(rows[i]) === key) {
      rows.splice(i, 1);
      return;
    }
  }
}
