/**
 * The nats sink: each result row published as one JetStream message to `subject` (json by default,
 * csv, or raw), the publish acks awaited before the batch counts as written.
 *
 * A batch written again after a crash must not appear twice. Two guards:
 * - every message has the id `<checkpoint>:<batch>:<row>` (Nats-Msg-Id), so within the stream's
 *   duplicate window (2 minutes by default) JetStream drops the copies of a replayed batch;
 * - for a replay after a longer outage, each message carries `Weir-Batch: <checkpoint>:<batch>` and
 *   the last one of a batch `Weir-Batch-End: <rows>`. When a run resumes a batch a crash interrupted
 *   (pendingBatchId), open() reads the last message on the subject: if it ends that very batch of
 *   this checkpoint, the batch was fully written and is skipped. (A batch cut off part way is written
 *   whole again; outside the duplicate window its first part then appears twice. Another writer on
 *   the same subject hides the mark: then only the duplicate window guards.)
 * In update mode each message has the header `Weir-Row-Kind` with the row's kind as Flink prints it
 * (+I, -U, +U, -D); the payload stays the plain row, so consumers of append-only results see no
 * envelope.
 */
import type { MsgHdrs } from '@nats-io/transport-node';
import type { PubAck } from '@nats-io/jetstream';
import { randomUUID } from 'node:crypto';
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { ConnectorTable, OutputMode, Sink, SinkBatch, SinkWriter } from '../api.js';
import { NatsLink } from './client.js';
import { sinkOptions, type NatsCommonOptions } from './options.js';
import { encodeRows } from './payload.js';

/** Publishes awaiting their ack at one time: enough to keep the connection busy, bounded in memory. */
const MAX_IN_FLIGHT = 2048;
const KIND_LABELS = ['+I', '-U', '+U', '-D'] as const;

export const BATCH_HEADER = 'Weir-Batch';
export const BATCH_END_HEADER = 'Weir-Batch-End';
export const ROW_KIND_HEADER = 'Weir-Row-Kind';

export class NatsSink implements Sink {
  readonly description: string;
  private readonly opts: NatsCommonOptions;
  private readonly subject: string;
  private readonly link: NatsLink;
  private schema: Schema | undefined;
  private mode: OutputMode = 'append';
  /** names this run's messages: the checkpoint's id, else the query's */
  private writerId = '';
  /** a batch open() found fully written already (a replay after a crash) */
  private alreadyWritten: number | undefined;
  private headersFn: (() => MsgHdrs) | undefined;

  constructor(table: ConnectorTable) {
    this.opts = sinkOptions(table);
    this.subject = this.opts.subject!;
    this.description = `${this.opts.target}:${this.subject}`;
    this.link = new NatsLink(this.opts.servers);
  }

  async open(ctx: { schema: Schema; mode: OutputMode; keyColumns: readonly number[]; queryName: string; writer?: SinkWriter }): Promise<void> {
    this.schema = ctx.schema;
    this.mode = ctx.mode;
    const w = ctx.writer;
    this.writerId = w?.checkpointId ?? w?.queryId ?? `${ctx.queryName}-${randomUUID()}`;
    this.headersFn = (await import('@nats-io/transport-node')).headers;
    await this.link.call('looking up the stream', async ({ jsm }) => {
      try {
        await jsm.streams.info(this.opts.stream);
      } catch (e) {
        if ((e as Error).name === 'StreamNotFoundError') {
          throw new WeirError('RUNTIME', `${this.opts.target}: the JetStream stream '${this.opts.stream}' does not exist: create it (with subject '${this.subject}') before writing to it`);
        }
        throw e;
      }
      if (w?.pendingBatchId !== undefined && w.checkpointId !== undefined) {
        const last = await jsm.streams.getMessage(this.opts.stream, { last_by_subj: this.subject }).catch((e: Error) => {
          if (e.name === 'JetStreamApiError' && /no message found|not found/i.test(e.message)) return null;
          throw e;
        });
        const mark = last?.header?.get(BATCH_HEADER);
        if (mark === `${w.checkpointId}:${w.pendingBatchId}` && last!.header.has(BATCH_END_HEADER)) this.alreadyWritten = w.pendingBatchId;
      }
    });
  }

  async write(batch: SinkBatch): Promise<void> {
    if (batch.batchId === this.alreadyWritten) return;
    const schema = this.schema!;
    const total = batch.data.reduce((n, b) => n + b.numRows, 0);
    if (total === 0) return;
    const batchMark = `${this.writerId}:${batch.batchId}`;
    const withKinds = this.mode !== 'append' && batch.kinds !== undefined;
    await this.link.call(`publishing batch ${batch.batchId}`, async ({ js }) => {
      const inFlight = new Set<Promise<PubAck>>();
      let failure: unknown;
      let row = 0;
      for (const part of batch.data) {
        const payloads = encodeRows(part, schema, this.opts.format);
        for (const payload of payloads) {
          const h = this.headersFn!();
          h.set(BATCH_HEADER, batchMark);
          if (withKinds) h.set(ROW_KIND_HEADER, KIND_LABELS[batch.kinds![row]!]!);
          if (row === total - 1) h.set(BATCH_END_HEADER, String(total));
          const p = js.publish(this.subject, payload, { msgID: `${batchMark}:${row}`, headers: h });
          inFlight.add(p);
          p.then(
            () => inFlight.delete(p),
            (e) => {
              inFlight.delete(p);
              failure ??= e;
            },
          );
          row++;
          if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight).catch(() => undefined);
          if (failure !== undefined) throw failure;
        }
      }
      await Promise.allSettled(inFlight);
      if (failure !== undefined) throw failure;
    });
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
