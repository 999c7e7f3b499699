/**
 * The print sink on a terminal: the result as a table under its column names, redrawn in place
 * after each batch, with the rows the batch changed marked by their change (`+I`, `+U`, `-D`).
 *
 * The table holds the result as the changelog makes it: a row is keyed by the sink's key columns
 * (by all its values when it has none), an insert or update-after puts it, an update-before or a
 * delete takes it out (shown once as `-D`, then gone). Append-only output keeps its newest rows.
 * Only as many rows as fit the terminal are drawn, and at most `MAX_ROWS` are kept, oldest first
 * out, so a large result cannot grow the process. Redrawing moves the cursor up over the previous
 * drawing (and over a progress line redrawn on the same terminal below it) and clears to the end.
 */
import { RowKind, type RowKindValue } from '../api.js';

/** rows kept for the terminal: far more than fit on one screen */
const MAX_ROWS = 10_000;
/** a full redraw at most this often (ms of real time); the last state is drawn on close */
const REDRAW_EVERY_MS = 100;

interface Entry {
  values: string[];
  /** the change this row had in the batch last drawn ('' when unchanged since) */
  mark: string;
  batch: number;
}

export interface TerminalOutput {
  write(chunk: string): unknown;
  readonly rows?: number;
  readonly columns?: number;
}

export class LiveTable {
  private readonly rows = new Map<string, Entry>();
  private drawnLines = 0;
  private lastDraw = -Infinity;
  private dirty = false;
  private batch = -1;
  private appended = 0;

  constructor(
    private readonly out: TerminalOutput,
    private readonly names: readonly string[],
    /** the columns that identify a row (empty: all of them) */
    private readonly keyColumns: readonly number[],
    private readonly appendOnly: boolean,
    private readonly prefix: string,
  ) {}

  /** One row of batch `batchId`, its values already in their text form. */
  apply(batchId: number, kind: RowKindValue, values: string[]): void {
    if (batchId !== this.batch) this.startBatch(batchId);
    const key = this.appendOnly ? String(this.appended++) : this.keyOf(values);
    if (kind === RowKind.UPDATE_BEFORE || kind === RowKind.DELETE) {
      const e = this.rows.get(key);
      // an update-before followed by its update-after in the batch reads as one +U below
      if (e) { e.mark = '-D'; e.batch = batchId; }
      return;
    }
    const prior = this.rows.get(key);
    const mark = kind === RowKind.INSERT && !(prior && prior.batch === batchId) ? '+I' : '+U';
    if (prior) { prior.values = values; prior.mark = prior.batch === batchId && prior.mark === '-D' ? '+U' : mark; prior.batch = batchId; }
    else this.rows.set(key, { values, mark, batch: batchId });
    if (this.rows.size > MAX_ROWS) this.rows.delete(this.rows.keys().next().value!);
  }

  /** The batch's rows are in: draw, unless the last drawing was moments ago. */
  endBatch(now: number): void {
    this.dirty = true;
    if (now - this.lastDraw >= REDRAW_EVERY_MS) this.draw(now);
  }

  /** Draw what is pending (when the query ends). */
  flush(now: number): void {
    if (this.dirty) this.draw(now);
  }

  private startBatch(batchId: number): void {
    // rows taken out in the batch drawn last go now; the others lose their marks
    for (const [k, e] of this.rows) {
      if (e.mark === '-D') this.rows.delete(k);
      else e.mark = '';
    }
    this.batch = batchId;
  }

  private keyOf(values: readonly string[]): string {
    if (this.keyColumns.length === 0) return values.join('\u0000');
    return this.keyColumns.map((k) => values[k]).join('\u0000');
  }

  private draw(now: number): void {
    this.lastDraw = now;
    this.dirty = false;
    const height = Math.max(5, (this.out.rows ?? 24) - 4);
    const all = [...this.rows.values()];
    const shown = this.appendOnly ? all.slice(-height) : all.slice(0, height);
    const widths = this.names.map((n, c) => Math.max(n.length, ...shown.map((e) => e.values[c]!.length)));
    const width = this.out.columns ?? 200;
    const line = (mark: string, cells: readonly string[]): string =>
      `${this.prefix}${mark.padEnd(2)} ${cells.map((v, c) => v.padEnd(widths[c]!)).join(' │ ')}`.trimEnd().slice(0, width);
    const lines = [
      line('', this.names),
      line('', widths.map((w) => '─'.repeat(w))),
      ...shown.map((e) => line(e.mark, e.values)),
    ];
    const hidden = all.length - shown.length;
    if (hidden > 0) lines.push(`${this.prefix}… ${hidden} more row${hidden === 1 ? '' : 's'} ${this.appendOnly ? 'above' : 'below'}`);
    // back to the top of the previous drawing (from the start of a progress line below it), clear, draw
    // (the first time, from the start of the line a progress line may be on)
    const up = this.drawnLines > 0 ? `\r\x1b[${this.drawnLines}A\x1b[J` : '\r\x1b[K';
    this.out.write(up + lines.join('\n') + '\n');
    this.drawnLines = lines.length;
  }
}
