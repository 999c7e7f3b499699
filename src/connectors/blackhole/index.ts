/**
 * The `blackhole` connector: a sink that discards every row (benchmarks measure the engine, not the
 * output). It counts what it was given, so progress and tests can see that rows did arrive.
 */
import type { Connector, OutputMode, Sink, SinkBatch } from '../api.js';
import type { Schema } from '../../common/schema.js';

export class BlackholeSink implements Sink {
  readonly description = 'blackhole';
  /** rows received over the sink's life */
  rowCount = 0;
  batchCount = 0;

  async open(_ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string }): Promise<void> {}

  async write(batch: SinkBatch): Promise<void> {
    for (const b of batch.data) this.rowCount += b.numRows;
    this.batchCount++;
  }

  async close(): Promise<void> {}
}

export const blackholeConnector: Connector = {
  name: 'blackhole',
  options: [],
  createSink: () => new BlackholeSink(),
};
