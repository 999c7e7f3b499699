/**
 * The `print` connector: a sink that writes rows to the terminal.
 *
 * Not on a terminal (a pipe, a file, a test) it writes one line a row as Flink's print connector
 * does, with the column names added so a reader needs no schema: `+I[id=1, name=abc]`, with `+U`,
 * `-U`, `-D` for the other row kinds, and `<print-identifier>> ` before each line when that option
 * is set. The line format is stable: `KIND[name=value, ...]`.
 *
 * On a terminal (the output's isTTY) it shows the result as a table under its column names,
 * redrawn in place after each batch with the changed rows marked (live-table.ts).
 *
 * Values print in their SQL text form (timestamps `YYYY-MM-DD HH:MM:SS.fff` in UTC, DECIMAL with its
 * scale, NULL as `null`, a ROW as `(a, b)`).
 */
import { valueAt } from '../../common/columns.js';
import { assertNever } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { SqlType } from '../../common/types.js';
import type { Connector, ConnectorContext, ConnectorTable, OutputMode, RowKindValue, Sink, SinkBatch } from '../api.js';
import { RowKind } from '../api.js';
import { booleanOption } from '../formats/csv.js';
import { toTextValue } from '../formats/convert.js';
import { LiveTable, type TerminalOutput } from './live-table.js';

/** Where printed lines go: process.stdout, or any stream with write(). */
export interface TextOutput {
  write(chunk: string): unknown;
}

const KIND_PREFIX: Readonly<Record<RowKindValue, string>> = {
  [RowKind.INSERT]: '+I',
  [RowKind.UPDATE_BEFORE]: '-U',
  [RowKind.UPDATE_AFTER]: '+U',
  [RowKind.DELETE]: '-D',
};

/** One value as the print connector shows it. */
export function printValue(t: SqlType, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (t.kind === 'ROW') {
    const rec = v as Record<string, unknown>;
    return `(${t.fields.map((f) => printValue(f.type, rec[f.name])).join(', ')})`;
  }
  // as Flink prints them: [a, b] and {k=v}
  if (t.kind === 'ARRAY') return `[${(v as unknown[]).map((e) => printValue(t.element, e)).join(', ')}]`;
  if (t.kind === 'MAP' || t.kind === 'MULTISET') {
    const kt = t.kind === 'MAP' ? t.key : t.element;
    const vt: SqlType = t.kind === 'MAP' ? t.value : { kind: 'INT' };
    return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${printValue(kt, k)}=${printValue(vt, x)}`).join(', ')}}`;
  }
  return toTextValue(t, v) ?? 'null';
}

export class PrintSink implements Sink {
  readonly description = 'print';
  private schema: Schema = { columns: [] };
  private readonly prefix: string;
  /** `name=` before each value of a line */
  private labels: string[] = [];
  /** set on a terminal: the result as a table redrawn in place */
  private live: LiveTable | undefined;

  constructor(private readonly out: TextOutput, identifier: string | undefined) {
    this.prefix = identifier ? `${identifier}> ` : '';
  }

  async open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string }): Promise<void> {
    this.schema = ctx.schema;
    this.labels = ctx.schema.columns.map((c) => `${c.name}=`);
    if ((this.out as { isTTY?: boolean }).isTTY === true) {
      this.live = new LiveTable(this.out as TerminalOutput, ctx.schema.columns.map((c) => c.name), ctx.keyColumns, ctx.mode === 'append', this.prefix);
    }
  }

  async write(batch: SinkBatch): Promise<void> {
    const cols = this.schema.columns;
    const labels = this.labels;
    const live = this.live;
    let text = '';
    let row = 0;
    for (const b of batch.data) {
      const data = b.data.children;
      for (let i = 0; i < b.numRows; i++, row++) {
        const kind = (batch.kinds ? batch.kinds[row] : RowKind.INSERT) as RowKindValue;
        const prefix = KIND_PREFIX[kind];
        if (prefix === undefined) assertNever(kind as never, 'row kind');
        if (live) {
          live.apply(batch.batchId, kind, cols.map((c, k) => printValue(c.type, valueAt(data[k]!, i))));
          continue;
        }
        // joined, not concatenated value by value: a flat string is cheaper to append and write
        const values = new Array<string>(cols.length);
        for (let k = 0; k < cols.length; k++) values[k] = labels[k] + printValue(cols[k]!.type, valueAt(data[k]!, i));
        text += `${this.prefix}${prefix}[${values.join(', ')}]\n`;
      }
    }
    if (live) live.endBatch(performance.now());
    // one write per batch: lines of concurrent queries do not interleave mid-batch
    else if (text) this.out.write(text);
  }

  async close(): Promise<void> {
    this.live?.flush(performance.now());
  }
}

export const PRINT_OPTION_KEYS: readonly string[] = ['print-identifier', 'standard-error'];

/** A connector whose sink writes to a terminal the engine chooses (the registry passes its stdout). */
export interface TerminalConnector extends Connector {
  createSinkTo(table: ConnectorTable, ctx: ConnectorContext, out: TextOutput): Sink;
}

/** The print connector writing to `out` (default: process.stdout, or stderr with 'standard-error'). */
export function createPrintConnector(out?: TextOutput): TerminalConnector {
  const sinkTo = (table: ConnectorTable, target: TextOutput | undefined): Sink => {
    const toStderr = booleanOption(table.options, table.optionSpans, 'standard-error');
    const stream = toStderr ? process.stderr : target ?? process.stdout;
    return new PrintSink(stream, table.options.get('print-identifier'));
  };
  return {
    name: 'print',
    options: PRINT_OPTION_KEYS,
    createSink: (table) => sinkTo(table, out),
    createSinkTo: (table, _ctx, target) => sinkTo(table, target),
  };
}

export const printConnector: TerminalConnector = createPrintConnector();
