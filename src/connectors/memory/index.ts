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
import { MemoryTables } from './tables.js';

export { MemoryTables, type MemoryInput, type PushRows } from './tables.js';
export { MemoryOutput, type Change, type ChangeKind } from './output.js';

export class MemorySource implements Source {
  readonly description: string;
  constructor(private readonly tables: MemoryTables, private readonly name: string, readonly schema: Schema) {
    this.description = `memory[${name}]`;
  }

  /** a getter: ending the input makes a running source bounded */
  get bounded(): boolean {
    return this.tables.ended(this.name);
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    const n = this.tables.pushed(this.name).length;
    if (n === 0 || n === offsetOf(start)) return start;
    return n;
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    const batches: readonly arrow.RecordBatch[] = this.tables.pushed(this.name).slice(offsetOf(start), offsetOf(end));
    return { batches: batches.filter((b) => b.numRows > 0), rejected: [] };
  }

  isExhausted(offset: Json | undefined): boolean {
    return this.tables.ended(this.name) && offsetOf(offset) >= this.tables.pushed(this.name).length;
  }

  async close(): Promise<void> {}
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
    this.tables.output(this.name).configure(ctx.mode, ctx.keyColumns);
  }

  async write(batch: SinkBatch): Promise<void> {
    const rows = batch.data.flatMap((b) => batchToRows(b));
    this.tables.output(this.name).apply(this.writer, batch.batchId, rows, batch.kinds);
  }

  async close(): Promise<void> {}
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
export function createMemoryConnector(): { connector: Connector; tables: MemoryTables } {
  const tables = new MemoryTables();
  return { connector: memoryConnector(tables), tables };
}
