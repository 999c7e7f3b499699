/**
 * The nats source: the messages of a JetStream stream (those on `subject`, wildcards allowed), one
 * record each.
 *
 * Offset: `{"seq": N}`, a stream sequence number: the batch (start, end] holds the messages whose
 * sequence lies in that range. latestOffset gives the stream's last sequence, at most
 * `scan.max-rows-per-trigger` past the start. read() replays a range with an ordered consumer
 * created at start + 1 (so the same offsets give the same messages, also in a new process, as long
 * as the stream keeps them) and stops at `end`: when a message beyond it arrives, or when the
 * consumer has nothing pending. Messages come in pulls of up to PULL_SIZE, not a round trip each.
 *
 * The start: 'earliest' reads from the stream's first message; 'sequence' from
 * `scan.startup.sequence`; 'latest' from after the last message present when the query first asks,
 * which its first offset records (a restart from the checkpoint does not move it). So read() with no
 * start offset begins after 0, after sequence - 1, or (latest) at the end offset itself.
 */
import type * as arrow from 'apache-arrow';
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { ConnectorUnavailableError, type ConnectorTable, type Json, type RejectedRecord, type Source, type SourceReadResult } from '../api.js';
import { NatsLink, type NatsHandles } from './client.js';
import { sourceOptions, type NatsSourceOptions } from './options.js';
import { decodeMessages, type RawMessage } from './payload.js';

/** Messages per pull request, and per decoded Arrow batch. */
const PULL_SIZE = 4096;
/** A read that gets no message for this long while the consumer says more are pending has lost the server. */
const STALL_MS = 5000;

export interface SeqOffset {
  readonly seq: number;
}

export class NatsSource implements Source {
  readonly schema: Schema;
  readonly description: string;
  readonly bounded = false;
  /** a stream keeps its messages (within its retention): a committed range reads the same again */
  readonly replayable = true;
  readonly pollIntervalMs = 100;
  private readonly opts: NatsSourceOptions;
  private readonly link: NatsLink;
  /** the stream's last sequence when an available-now trigger started */
  private availableNowEnd: number | undefined;

  constructor(table: ConnectorTable) {
    this.opts = sourceOptions(table);
    this.schema = table.schema;
    this.description = this.opts.subject ? `${this.opts.target}:${this.opts.subject}` : this.opts.target;
    this.link = new NatsLink(this.opts.servers);
  }

  private async lastSequence(): Promise<number> {
    return this.link.call('reading the stream state', async ({ jsm }) => {
      try {
        return (await jsm.streams.info(this.opts.stream)).state.last_seq;
      } catch (e) {
        if ((e as Error).name === 'StreamNotFoundError') {
          throw new WeirError('RUNTIME', `${this.opts.target}: the JetStream stream '${this.opts.stream}' does not exist on ${this.opts.servers.join(', ')}`);
        }
        throw e;
      }
    });
  }

  async prepareForAvailableNow(): Promise<void> {
    this.availableNowEnd ??= await this.lastSequence();
  }

  /** The sequence the first batch starts after. */
  private baseSequence(firstEnd: number): number {
    switch (this.opts.startupMode) {
      case 'earliest': return 0;
      case 'sequence': return this.opts.startupSequence! - 1;
      case 'latest': return firstEnd;
    }
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    const last = this.availableNowEnd ?? (await this.lastSequence());
    if (start === undefined || start === null) {
      // 'latest' records where it starts in the first offset, even when nothing came yet
      if (this.opts.startupMode === 'latest') return { seq: last };
      const base = this.baseSequence(0);
      if (last <= base) return undefined;
      return { seq: Math.min(last, base + this.opts.maxRowsPerTrigger) };
    }
    const from = parseOffset(start);
    if (last <= from) return start;
    return { seq: Math.min(last, from + this.opts.maxRowsPerTrigger) };
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    const last = parseOffset(end);
    const first = (start === undefined || start === null ? this.baseSequence(last) : parseOffset(start)) + 1;
    if (first > last) return { batches: [], rejected: [] };
    const batches: arrow.RecordBatch[] = [];
    const rejected: RejectedRecord[] = [];
    const decode = (messages: RawMessage[]): void => {
      if (messages.length === 0) return;
      const r = decodeMessages(messages, this.schema, this.opts.format, this.opts.target);
      if (r.batch.numRows > 0) batches.push(r.batch);
      for (const rec of r.rejected) rejected.push(rec);
    };
    await this.link.call(`reading sequences ${first}..${last}`, (h) => this.fetchRange(h, first, last, decode));
    const f = this.opts.format;
    if (f.kind !== 'raw' && f.failOnParseError && rejected.length > 0) {
      throw new WeirError('INPUT', `${rejected[0]!.origin}: ${rejected[0]!.reason}`);
    }
    return { batches, rejected };
  }

  /**
   * Hands the messages with sequence in [first, last] to `decode`, PULL_SIZE at a time. The
   * consumer keeps pulls in flight (it asks for more before the last pull is used up), so reading
   * overlaps the server's sending.
   */
  private async fetchRange(h: NatsHandles, first: number, last: number, decode: (m: RawMessage[]) => void): Promise<void> {
    const consumer = await h.js.consumers.get(this.opts.stream, {
      deliver_policy: h.lib.DeliverPolicy.StartSequence,
      opt_start_seq: first,
      ...(this.opts.subject !== undefined ? { filter_subjects: this.opts.subject } : {}),
    });
    try {
      if ((await consumer.info(true)).num_pending === 0) return;
      const messages = await consumer.consume({ max_messages: Math.min(PULL_SIZE, last - first + 1) });
      let chunk: RawMessage[] = [];
      // one watchdog for the whole read rather than a timer per message
      let lastMessageAt = performance.now();
      let stalled = false;
      const watchdog = setInterval(() => {
        if (performance.now() - lastMessageAt < STALL_MS) return;
        stalled = true;
        messages.stop();
      }, 250);
      try {
        for await (const m of messages) {
          lastMessageAt = performance.now();
          // a filtered consumer skips to the next matching message, which may lie past the range
          if (m.seq > last) break;
          chunk.push({ seq: m.seq, data: m.data });
          if (chunk.length >= PULL_SIZE) {
            decode(chunk);
            chunk = [];
          }
          // nothing more on the subject for now: the range holds no later message
          if (m.seq >= last || m.info.pending === 0) break;
        }
      } finally {
        clearInterval(watchdog);
        messages.stop();
      }
      if (stalled) {
        throw new ConnectorUnavailableError(this.link.target, `${this.link.target}: no message from the server for ${STALL_MS} ms while reading up to sequence ${last}`);
      }
      decode(chunk);
    } finally {
      // not awaited: the ephemeral consumer also goes by itself when inactive, and a read that
      // failed because the server is away must not wait out one more request timeout here
      void consumer.delete().catch(() => undefined);
    }
  }

  isExhausted(): boolean {
    return false;
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

export function parseOffset(o: Json): number {
  const seq = (o as { seq?: unknown } | null)?.seq;
  if (typeof o !== 'object' || o === null || Array.isArray(o) || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new WeirError('STATE', `not a nats source offset: ${JSON.stringify(o)}`);
  }
  return seq;
}
