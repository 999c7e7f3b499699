/**
 * The `memory` connector: tables fed and read through the embedding API (`engine.input(name)`,
 * `engine.output(name)`), for tests and for applications that hold their data in the process.
 *
 * Source offsets are the number of batches pushed to the table: a micro-batch reads the pushes
 * between two counts, so rows pushed before the query started are read by its first batch and rows
 * pushed later by the next one. The source is unbounded (pushes may come at any time) until the
 * table's input is ended (`engine.input(name).end()`): then it is bounded, and exhausted once a batch
 * has read every push, so the watermark goes to +infinity and the remaining windows flush.
 */
import type * as arrow from 'apache-arrow';
import { WeirError } from '../../common/errors.js';
import { batchToRows } from '../../common/columns.js';
import type { Schema } from '../../common/schema.js';
import type { Connector, ConnectorTable, Json, OutputMode, Sink, SinkBatch, Source, SourceReadResult } from '../api.js';
import { MemoryTables, type MemoryTablesOptions } from './tables.js';

export { MemoryTables, type MemoryInput, type PushRows } from './tables.js';
export { MemoryOutput, type Change, type ChangeKind, type ChangelogRetention } from './output.js';

export class MemorySource implements Source {
  readonly description: string;
  /** this source as a reader of the table's input: pushes it committed may be released */
  private readonly reader: symbol;
  constructor(private readonly tables: MemoryTables, private readonly name: string, readonly schema: Schema) {
    this.description = `memory[${name}]`;
    this.reader = tables.addReader(name);
  }

  /** a getter: ending the input makes a running source bounded */
  get bounded(): boolean {
    return this.tables.ended(this.name);
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    const n = this.tables.pushCount(this.name);
    if (n === 0 || n === offsetOf(start)) return start;
    return n;
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    const batches: readonly arrow.RecordBatch[] = this.tables.pushedBetween(this.name, offsetOf(start), offsetOf(end));
    return { batches: batches.filter((b) => b.numRows > 0), rejected: [] };
  }

  isExhausted(offset: Json | undefined): boolean {
    return this.tables.ended(this.name) && offsetOf(offset) >= this.tables.pushCount(this.name);
  }

  /** The query committed everything up to `offset`: those pushes may go once every reader has. */
  async commit(offset: Json): Promise<void> {
    this.tables.committed(this.name, this.reader, offsetOf(offset));
  }

  async close(): Promise<void> {
    this.tables.removeReader(this.name, this.reader);
  }
}

function offsetOf(o: Json | undefined): number {
  if (o === undefined || o === null) return 0;
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw new WeirError('STATE', `not a memory source offset: ${JSON.stringify(o)}`);
  }
  return o;
}

export class MemorySink implements Sink {
  readonly description: string;
  private writer = '';
  constructor(private readonly tables: MemoryTables, private readonly name: string) {
    this.description = `memory[${name}]`;
  }

  async open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string }): Promise<void> {
    this.writer = ctx.queryName;
    this.tables.output(this.name).configure(ctx.mode, ctx.keyColumns, this.writer);
  }

  async write(batch: SinkBatch): Promise<void> {
    const rows = batch.data.flatMap((b) => batchToRows(b));
    this.tables.output(this.name).apply(this.writer, batch.batchId, rows, batch.kinds);
  }

  async close(): Promise<void> {
    if (this.writer !== '') this.tables.output(this.name).closeWriter(this.writer);
  }
}

/** The memory connector over `tables`. */
export function memoryConnector(tables: MemoryTables): Connector {
  const known = (table: ConnectorTable): void => {
    // a table created through SQL is registered by the engine; one given straight to the connector is registered here
    if (!tables.has(table.name)) tables.register(table.name, table.schema);
  };
  return {
    name: 'memory',
    options: [],
    createSource: (table) => {
      known(table);
      return new MemorySource(tables, table.name, table.schema);
    },
    createSink: (table) => {
      known(table);
      return new MemorySink(tables, table.name);
    },
  };
}

/** One engine's memory tables and the connector that serves them. */
export function createMemoryConnector(options: MemoryTablesOptions = {}): { connector: Connector; tables: MemoryTables } {
  const tables = new MemoryTables(options);
  return { connector: memoryConnector(tables), tables };
}
