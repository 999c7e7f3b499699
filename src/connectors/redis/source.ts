/**
 * The redis source: the entries of a Redis stream, one record each.
 *
 * Offset: `{"id": "<ms>-<seq>"}`, the id of the last entry a batch takes: the batch (start, end]
 * holds the entries with ids in that range, read with XRANGE from just after `start` (the same
 * offsets give the same entries, also in a new process, as long as the stream keeps them: trimming
 * a stream with MAXLEN below what a query has not committed loses those entries). latestOffset asks
 * for up to `scan.max-rows-per-trigger` entries after the start and returns the last one's id; the
 * entries it fetched serve the read of that range, so a batch reads the stream once.
 *
 * The start: 'earliest' reads from the stream's first entry; 'id' from `scan.startup.id`
 * (inclusive); 'latest' from after the last entry present when the query first asks, which its first
 * offset records (a restart from the checkpoint does not move it).
 */
import type * as arrow from 'apache-arrow';
import { WeirError } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { ConnectorTable, Json, RejectedRecord, Source, SourceReadResult } from '../api.js';
import { RedisLink } from './client.js';
import { compareIds, isEntryId, previousId } from './entry-ids.js';
import { decodeEntries, type RawEntry } from './entries.js';
import { sourceOptions, type RedisSourceOptions } from './options.js';

/** Entries per XRANGE call when a read pages through a range. */
const PAGE = 10_000;

export class RedisSource implements Source {
  readonly schema: Schema;
  readonly description: string;
  readonly bounded = false;
  /** a stream keeps its entries (unless trimmed): a committed range reads the same again */
  readonly replayable = true;
  readonly pollIntervalMs = 100;
  private readonly opts: RedisSourceOptions;
  private readonly link: RedisLink;
  /** the last entry id when an available-now trigger started ('0-0': the stream was empty) */
  private availableNowEnd: string | undefined;
  /** the entries latestOffset fetched for (from, to]: what the read of that range takes */
  private fetched: { from: string; to: string; entries: RawEntry[] } | undefined;

  constructor(table: ConnectorTable) {
    this.opts = sourceOptions(table);
    this.schema = table.schema;
    this.description = this.opts.target;
    this.link = new RedisLink(this.opts.url);
  }

  /** The id of the stream's last entry ('0-0' when it is empty or missing). */
  private async lastId(): Promise<string> {
    const last = await this.link.call('reading the last entry', (r) => r.xrevrange(this.opts.stream, '+', '-', 'COUNT', 1)).catch((e) => this.refuseWrongType(e));
    return last[0]?.[0] ?? '0-0';
  }

  private refuseWrongType(e: unknown): never {
    if (e instanceof Error && /WRONGTYPE/.test(e.message)) {
      throw new WeirError('RUNTIME', `${this.opts.target}: the key '${this.opts.stream}' holds a value that is not a stream`);
    }
    throw e;
  }

  async prepareForAvailableNow(): Promise<void> {
    this.availableNowEnd ??= await this.lastId();
  }

  /** The id the first batch starts after. */
  private baseId(): string {
    return this.opts.startupMode === 'id' ? previousId(this.opts.startupId!) : '0-0';
  }

  async latestOffset(start: Json | undefined): Promise<Json | undefined> {
    if (start === undefined || start === null) {
      // 'latest' records where it starts in the first offset, even when nothing came yet
      if (this.opts.startupMode === 'latest') return { id: this.availableNowEnd ?? (await this.lastId()) };
    }
    const from = start === undefined || start === null ? this.baseId() : parseOffset(start);
    const cap = this.availableNowEnd;
    if (cap !== undefined && compareIds(cap, from) <= 0) return start ?? undefined;
    const entries = await this.range(from, cap ?? '+', this.opts.maxRowsPerTrigger);
    if (entries.length === 0) return start ?? undefined;
    const to = entries[entries.length - 1]![0].toString('latin1');
    this.fetched = { from, to, entries };
    return { id: to };
  }

  /** Up to `count` entries after `from` (exclusive) up to `to` (inclusive, or '+'). */
  private range(from: string, to: string, count: number): Promise<RawEntry[]> {
    const start = from === '0-0' ? '-' : `(${from}`;
    return this.link.call(`reading entries after ${from}`, (r) => r.xrangeBuffer(this.opts.stream, start, to, 'COUNT', count))
      .catch((e) => this.refuseWrongType(e)) as Promise<RawEntry[]>;
  }

  async read(start: Json | undefined, end: Json): Promise<SourceReadResult> {
    const to = parseOffset(end);
    const from = start === undefined || start === null
      ? (this.opts.startupMode === 'latest' ? to : this.baseId())
      : parseOffset(start);
    const batches: arrow.RecordBatch[] = [];
    const rejected: RejectedRecord[] = [];
    const take = (entries: readonly RawEntry[]): void => {
      if (entries.length === 0) return;
      const r = decodeEntries(entries, this.schema, this.opts.json, this.opts.target);
      if (r.batch.numRows > 0) batches.push(r.batch);
      for (const x of r.rejected) rejected.push(x);
    };
    const cached = this.fetched;
    this.fetched = undefined;
    if (cached && cached.from === from && cached.to === to) {
      take(cached.entries);
      return { batches, rejected };
    }
    let after = from;
    while (compareIds(after, to) < 0) {
      const page = await this.range(after, to, PAGE);
      if (page.length === 0) break;
      take(page);
      after = page[page.length - 1]![0].toString('latin1');
      if (page.length < PAGE) break;
    }
    return { batches, rejected };
  }

  isExhausted(): boolean {
    return false;
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

export function parseOffset(o: Json): string {
  const id = (o as { id?: unknown } | null)?.id;
  if (typeof o !== 'object' || o === null || Array.isArray(o) || typeof id !== 'string' || !isEntryId(id)) {
    throw new WeirError('STATE', `not a redis source offset: ${JSON.stringify(o)}`);
  }
  return id;
}
