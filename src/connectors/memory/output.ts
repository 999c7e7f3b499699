/**
 * What a memory sink holds for one table: only what its output mode needs, so a service that runs
 * for months keeps flat memory.
 * - append: rows() is the rows not yet consumed by a stream() reader, in order;
 * - complete: rows() is the last batch's rows (each batch is the whole result);
 * - update: rows() is the current result table: a row replaces the row of the same key
 *   (`keyColumns` from the sink's open()), UPDATE_BEFORE and DELETE rows remove theirs. Without key
 *   columns the table is a multiset and a retraction removes one equal row.
 *
 * The changelog (every change with its row kind and batch id) is kept only for a reader: `stream()`
 * yields each change once and releases it. With `changelog: 'all'` (tests, debugging) every change
 * is kept and `changes()` returns them all.
 *
 * Delivering batch N again right after batch N (a re-run after a crash, by the same query) replaces
 * that batch's effect instead of adding it twice: the output keeps an undo record of each writer's
 * last batch. A stream() reader that already took part of batch N sees batch N again: readers go by
 * batch id (at least once per batch id, as Spark's foreachBatch).
 */
import { Readable } from 'node:stream';
import type * as arrow from 'apache-arrow';
import { rowsToBatch } from '../../common/columns.js';
import { applicationTable } from '../api-table.js';
import type { Schema } from '../../common/schema.js';
import { WeirError } from '../../common/errors.js';
import type { OutputMode, RowKindValue } from '../api.js';
import { RowKind } from '../api.js';

export type ChangeKind = 'insert' | 'update_before' | 'update_after' | 'delete';

export interface Change {
  readonly kind: ChangeKind;
  readonly row: Record<string, unknown>;
  readonly batchId: number;
}

/** A RowKind's name as the API shows it. */
export const KIND_NAMES: Readonly<Record<RowKindValue, ChangeKind>> = {
  [RowKind.INSERT]: 'insert',
  [RowKind.UPDATE_BEFORE]: 'update_before',
  [RowKind.UPDATE_AFTER]: 'update_after',
  [RowKind.DELETE]: 'delete',
};

type Row = Record<string, unknown>;

/** What the memory outputs keep: 'consumed' drops what a reader took (the default), 'all' keeps everything. */
export type ChangelogRetention = 'consumed' | 'all';

/** Enough to take back one batch: positions before it, and the first old value of every key it touched. */
interface Undo {
  readonly batchId: number;
  /** absolute change and append positions (see SlidingList) */
  readonly changesEnd: number;
  readonly appendEnd: number;
  /** append mode, when the batch removed rows: the whole list before it */
  appendBefore: Row[] | undefined;
  readonly completeBefore: Row[];
  /**
   * update mode: each key the batch wrote and its rows before that write, in write order (undone
   * backwards, so a key written twice gets its first old value back). Arrays rather than a Map of
   * first old values: no lookup per row, and the table's row arrays are replaced, never changed, so
   * the old ones need no copy.
   */
  readonly tableKeys: string[];
  readonly tableBefore: (Row[] | undefined)[];
}

/** A list whose front is released as it is consumed; positions are absolute (they never shift). */
class SlidingList<T> {
  private items: T[] = [];
  /** absolute position of items[head] */
  private start = 0;
  private head = 0;

  get end(): number { return this.start + this.items.length - this.head; }
  get first(): number { return this.start; }
  push(x: T): void { this.items.push(x); }
  at(pos: number): T | undefined { return pos < this.start ? undefined : this.items[this.head + pos - this.start]; }
  values(): T[] { return this.items.slice(this.head); }
  /** Forget everything before absolute position `pos`. */
  releaseBefore(pos: number): void {
    const n = Math.min(pos, this.end) - this.start;
    if (n <= 0) return;
    this.head += n;
    this.start += n;
    // compact now and then: shifting one by one would be quadratic
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
  }
  /** Drop everything from absolute position `pos` on (undo of a batch). */
  truncate(pos: number): void {
    if (pos >= this.end) return;
    this.items.length = this.head + Math.max(0, pos - this.start);
  }
  replace(items: T[], start: number): void { this.items = items; this.head = 0; this.start = start; }
}

interface Reader {
  /** absolute position of the next change to yield */
  next: number;
  wake: (() => void) | null;
}

export class MemoryOutput {
  private mode: OutputMode = 'append';
  private keyNames: readonly string[] = [];
  /** every column's name: a row's identity where the table has no key */
  private readonly columnNames: readonly string[];
  private readonly changeLog = new SlidingList<Change>();
  private readonly appendRows = new SlidingList<Row>();
  private completeRows: Row[] = [];
  private readonly table = new Map<string, Row[]>();
  private readonly lastByWriter = new Map<string, Undo>();
  private readonly openWriters = new Set<string>();
  private batchCount = 0;
  private reader: Reader | null = null;
  /** set once a writer finished and none is left: a reader's stream ends after the last change */
  private finished = false;

  constructor(readonly schema: Schema, private readonly retention: ChangelogRetention = 'consumed') {
    this.columnNames = schema.columns.map((c) => c.name);
  }

  /** Called by a sink's open(). */
  configure(mode: OutputMode, keyColumns: readonly number[], writer?: string): void {
    this.mode = mode;
    this.keyNames = keyColumns.map((i) => this.schema.columns[i]!.name);
    if (writer !== undefined) { this.openWriters.add(writer); this.finished = false; }
  }

  /** A writer (a query's sink) closed: when none is left, readers' streams end after what is there. */
  closeWriter(writer: string): void {
    this.openWriters.delete(writer);
    if (this.openWriters.size === 0) {
      this.finished = true;
      this.wakeReader();
    }
  }

  private get logging(): boolean {
    return this.retention === 'all' || this.reader !== null;
  }

  /** Apply one batch from `writer` (the query's name); `kinds[i]` is row i's RowKind. */
  apply(writer: string, batchId: number, rows: readonly Row[], kinds: Uint8Array | undefined): void {
    const last = this.lastByWriter.get(writer);
    if (last && last.batchId === batchId) this.undo(last);
    else this.batchCount++;
    const undo: Undo = {
      batchId,
      changesEnd: this.changeLog.end,
      appendEnd: this.appendRows.end,
      appendBefore: undefined,
      completeBefore: this.completeRows,
      tableKeys: [],
      tableBefore: [],
    };
    this.lastByWriter.set(writer, undo);
    if (this.mode === 'complete') this.completeRows = [];
    const logging = this.logging;
    rows.forEach((row, i) => {
      const kind = (kinds ? kinds[i] : RowKind.INSERT) as RowKindValue;
      if (logging) this.changeLog.push({ kind: KIND_NAMES[kind], row, batchId });
      const retract = kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE;
      switch (this.mode) {
        case 'append':
          if (!retract) this.appendRows.push(row);
          else {
            undo.appendBefore ??= this.appendRows.values().slice(0, undo.appendEnd - this.appendRows.first);
            const kept = this.appendRows.values();
            removeOne(kept, row, this.columnNames);
            this.appendRows.replace(kept, this.appendRows.first);
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
    this.wakeReader();
  }

  private applyUpdate(row: Row, retract: boolean, undo: Undo): void {
    const key = rowKey(row, this.keyNames.length > 0 ? this.keyNames : this.columnNames);
    const current = this.table.get(key);
    undo.tableKeys.push(key);
    undo.tableBefore.push(current);
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
    this.changeLog.truncate(u.changesEnd);
    if (this.reader && this.reader.next > u.changesEnd) this.reader.next = Math.max(u.changesEnd, this.changeLog.first);
    if (u.appendBefore) this.appendRows.replace(u.appendBefore, this.appendRows.first);
    else this.appendRows.truncate(u.appendEnd);
    this.completeRows = u.completeBefore;
    for (let i = u.tableKeys.length - 1; i >= 0; i--) {
      const k = u.tableKeys[i]!, v = u.tableBefore[i];
      if (v === undefined) this.table.delete(k);
      else this.table.set(k, v);
    }
  }

  /** The result table as the output mode defines it (see the file comment). */
  rows(): Record<string, unknown>[] {
    switch (this.mode) {
      case 'append': return this.appendRows.values();
      case 'complete': return this.completeRows.slice();
      case 'update': return [...this.table.values()].flat();
    }
  }

  /** The changes kept: every one with changelog 'all', else those a stream() reader has not taken yet. */
  changes(): Change[] {
    return this.changeLog.values();
  }

  /**
   * The current result (rows()) as an Arrow Table. A DECIMAL column is an Arrow Decimal128 of its
   * precision and scale (exact), every other column as Weir holds it.
   */
  toArrow(): arrow.Table {
    return applicationTable(this.schema, [rowsToBatch(this.schema, this.rows())]);
  }


  /** stream() as a Node Readable in object mode (back-pressure by the stream's own buffering). */
  readable(): Readable {
    return Readable.from(this.stream(), { objectMode: true });
  }

  /** Number of batches written (a batch delivered twice counts once). */
  batches(): number {
    return this.batchCount;
  }

  /**
   * Each change from now on (and any kept that no reader took), once, released as it is taken; the
   * iteration ends when every query writing the table has stopped. One reader at a time.
   */
  stream(): AsyncGenerator<Change, void, undefined> {
    if (this.reader !== null) throw new WeirError('INPUT', 'this memory output already has a stream() reader: one at a time (fan out from it)');
    // attached now, not at the first next(): changes from here on are kept for this reader
    const reader: Reader = { next: this.changeLog.first, wake: null };
    this.reader = reader;
    return this.read(reader);
  }

  private async *read(reader: Reader): AsyncGenerator<Change, void, undefined> {
    try {
      for (;;) {
        const c = this.changeLog.at(reader.next);
        if (c !== undefined) {
          reader.next++;
          this.release(reader.next, c);
          yield c;
          continue;
        }
        if (this.finished) return;
        await new Promise<void>((resolve) => { reader.wake = resolve; });
        reader.wake = null;
      }
    } finally {
      this.reader = null;
    }
  }

  /** A change was taken: forget it (and its append row) unless everything is kept. */
  private release(upTo: number, c: Change): void {
    if (this.retention === 'all') return;
    this.changeLog.releaseBefore(upTo);
    if (this.mode === 'append' && c.kind === 'insert' && this.appendRows.at(this.appendRows.first) === c.row) {
      this.appendRows.releaseBefore(this.appendRows.first + 1);
    }
  }

  private wakeReader(): void {
    const w = this.reader?.wake;
    if (w) w();
  }
}

/** Text of one value that is no number, bigint, string or boolean (a ROW, ARRAY, MAP, NULL...), for rowKey. */
const valueText = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => {
  // plain JSON writes NaN and ±Infinity as null and refuses bigints: tag them, so no two values meet
  if (typeof x === 'bigint') return { '\u0000bigint': String(x) };
  if (x instanceof Map) return { '\u0000map': [...x.entries()] }; // a MAP / MULTISET value (plain JSON writes every Map as {})
  if (typeof x === 'number' && (!Number.isFinite(x) || Object.is(x, -0))) return { '\u0000number': Object.is(x, -0) ? '-0' : String(x) };
  return x;
});

/**
 * The identity of a row by the values of columns `names` (the key columns of an update-mode table,
 * else every column: a keyless table's rows and retractions): each value written so that it ends
 * itself (a number, bigint or string is told from the others, -0 from 0, NaN from NULL), without
 * JSON.stringify's replacer calls for scalar values (a fifth of a 120 K-group aggregation's sink time
 * went to them).
 */
function rowKey(row: Row, names: readonly string[]): string {
  let s = '';
  for (const name of names) {
    const v = row[name] ?? null;
    switch (typeof v) {
      case 'number': s += Object.is(v, -0) ? 'n-0;' : `n${v};`; break;
      case 'bigint': s += `b${v};`; break;
      case 'string': s += `s${v.length}:${v}`; break;
      case 'boolean': s += v ? 't' : 'f'; break;
      default: {
        const text = valueText(v);
        s += `o${text.length}:${text}`;
      }
    }
  }
  return s;
}

/** Take out the last of `rows` equal to `row` in columns `names`. */
function removeOne(rows: Row[], row: Row, names: readonly string[]): void {
  const key = rowKey(row, names);
  for (let i = rows.length - 1; i >= 0; i--) {
    if (rowKey(rows[i]!, names) === key) {
      rows.splice(i, 1);
      return;
    }
  }
}
