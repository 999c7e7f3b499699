/**
 * The redis sink: each result row appended to the stream as one entry (XADD with an id the server
 * assigns): the columns as fields by name (NULL: the field left out), or with `'format' = 'json'`
 * one field `value` holding the row as JSON. In update mode the field `_op` holds the row's kind as
 * Flink prints it (+I, -U, +U, -D).
 *
 * Exactly once per batch id: a batch's entries and the batch id go into one MULTI/EXEC
 * transaction, the id into the hash `weir:sink:<stream>` under the writer (the checkpoint's id, or
 * the query's without one). Before writing batch N the sink reads that mark: a batch at or below it
 * was written before (a replay after a crash) and is skipped. Redis applies a transaction whole or
 * not at all, so a batch is never half written.
 */
import { randomUUID } from 'node:crypto';
import type { Schema } from '../../common/schema.js';
import type { ConnectorTable, OutputMode, Sink, SinkBatch, SinkWriter } from '../api.js';
import { RedisLink } from './client.js';
import { encodeRows } from './entries.js';
import { KIND_FIELD, sinkOptions, type RedisCommonOptions } from './options.js';

const KIND_LABELS = ['+I', '-U', '+U', '-D'] as const;

/** The hash that remembers, per writer, the last batch id written to `stream`. */
export const markKey = (stream: string): string => `weir:sink:${stream}`;

export class RedisSink implements Sink {
  readonly description: string;
  private readonly opts: RedisCommonOptions;
  private readonly link: RedisLink;
  private schema: Schema | undefined;
  private mode: OutputMode = 'append';
  private writerId = '';

  constructor(table: ConnectorTable) {
    this.opts = sinkOptions(table);
    this.description = this.opts.target;
    this.link = new RedisLink(this.opts.url);
  }

  async open(ctx: { schema: Schema; mode: OutputMode; queryName: string; writer?: SinkWriter }): Promise<void> {
    this.schema = ctx.schema;
    this.mode = ctx.mode;
    const w = ctx.writer;
    this.writerId = w?.checkpointId ?? w?.queryId ?? `${ctx.queryName}-${randomUUID()}`;
    // fail early (and wait, if the server is away) rather than at the first batch
    await this.link.call('connecting', (r) => r.ping());
  }

  async write(batch: SinkBatch): Promise<void> {
    const schema = this.schema!;
    const withKinds = this.mode !== 'append';
    const key = markKey(this.opts.stream);
    await this.link.call(`writing batch ${batch.batchId}`, async (r) => {
      const mark = await r.hget(key, this.writerId);
      if (mark !== null && Number(mark) >= batch.batchId) return; // written before this crash
      const tx = r.multi();
      let row = 0;
      for (const part of batch.data) {
        const rows = encodeRows(part, schema, this.opts.json);
        for (const fields of rows) {
          if (withKinds) fields.push(KIND_FIELD, KIND_LABELS[batch.kinds ? batch.kinds[row]! : 0]!);
          // an entry needs a field: a row of NULLs is written as the one field `_op`
          if (fields.length === 0) fields.push(KIND_FIELD, '+I');
          tx.xadd(this.opts.stream, '*', ...fields);
          row++;
        }
      }
      tx.hset(key, this.writerId, String(batch.batchId));
      const results = await tx.exec();
      const failed = results?.find(([e]) => e !== null);
      if (results === null) throw new Error(`${this.opts.target}: the transaction of batch ${batch.batchId} was aborted`);
      if (failed) throw new Error(`${this.opts.target}: writing batch ${batch.batchId} failed: ${failed[0]!.message}`);
    });
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
