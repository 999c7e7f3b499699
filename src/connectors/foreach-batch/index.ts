/**
 * The `foreach-batch` connector: each micro-batch's rows handed to an application's function, as
 * Spark's foreachBatch. `engine.foreachBatch('alerts', async ({ batchId, table, kinds }) => ...)`
 * registers the function (before the INSERT that writes the table is executed).
 *
 * The function's promise is part of the batch: the batch commits only after it resolves, and if it
 * rejects the query fails. So with a checkpoint, a batch id may be handed over again after a crash
 * (the batch re-runs with the same rows), and is never skipped: a handler that must act once per
 * batch remembers the last batch id it finished (or writes with the batch id, idempotently).
 */
import type * as arrow from 'apache-arrow';
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { Connector, OutputMode, Sink, SinkBatch } from '../api.js';
import { RowKind, type RowKindValue } from '../api.js';
import { applicationTable } from '../api-table.js';
import { KIND_NAMES, type ChangeKind } from '../memory/output.js';

/** What a foreachBatch function receives for one micro-batch. */
export interface ForeachBatchContext {
  readonly batchId: number;
  /** the batch's rows (in complete mode: the whole result) */
  readonly table: arrow.Table;
  /** row i's kind: every row is 'insert' in append mode */
  readonly kinds: readonly ChangeKind[];
  readonly mode: OutputMode;
  /** the watermark the batch ran with */
  readonly watermark: number | undefined;
}

export type ForeachBatchHandler = (ctx: ForeachBatchContext) => unknown;

class ForeachBatchSink implements Sink {
  readonly description: string;
  private schema: Schema | undefined;
  private mode: OutputMode = 'append';

  constructor(private readonly table: string, private readonly handler: ForeachBatchHandler) {
    this.description = `foreach-batch[${table}]`;
  }

  async open(ctx: { schema: Schema; mode: OutputMode }): Promise<void> {
    this.schema = ctx.schema;
    this.mode = ctx.mode;
  }

  async write(batch: SinkBatch): Promise<void> {
    const table = applicationTable(this.schema!, batch.data);
    const kinds: ChangeKind[] = new Array(table.numRows);
    for (let i = 0; i < kinds.length; i++) kinds[i] = KIND_NAMES[(batch.kinds ? batch.kinds[i] : RowKind.INSERT) as RowKindValue];
    try {
      await this.handler({ batchId: batch.batchId, table, kinds, mode: this.mode, watermark: batch.watermark });
    } catch (e) {
      throw new WeirError('RUNTIME', `the foreachBatch function of '${this.table}' failed on batch ${batch.batchId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async close(): Promise<void> {}
}

/** The connector, looking handlers up by table name (case-insensitive) when a query starts. */
export function foreachBatchConnector(handlers: ReadonlyMap<string, ForeachBatchHandler>): Connector {
  return {
    name: 'foreach-batch',
    options: [],
    createSink: (table) => {
      const h = handlers.get(table.name.toLowerCase());
      if (!h) {
        throw new WeirError('OPTION',
          `table '${table.name}' has 'connector' = 'foreach-batch' but no function: call engine.foreachBatch('${table.name}', async ({ batchId, table, kinds }) => ...) before executing the INSERT`,
          table.optionSpans.get('connector'));
      }
      return new ForeachBatchSink(table.name, h);
    },
  };
}
