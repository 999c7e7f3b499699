/**
 * `table.exec.state.ttl` for a Top-N or deduplication (Flink's idle-state retention with
 * OnCreateAndWrite): a partition no row has entered (or left by retraction) for the TTL (processing
 * time) has expired: its rows are dropped from state and a later row starts it over, ranked among
 * the rows that come after; what was emitted for it is not retracted (as Flink). A partition expires
 * when a batch touches it, or at the end of the batch its time ran out in.
 *
 * Each partition's last-write time is a store entry of its own (`@` + its key values as JSON), so a
 * restart keeps it; partitions written before the TTL was set count as written at the first batch.
 * The partitions are kept in last-write order (a Map re-inserted on each write), oldest first, so
 * the expired ones are found at its front without a scan.
 */
import type { StateStore } from '../../../state/state-store.js';
import type { Partition } from './top-n-state.js';
import { TTL_PREFIX } from './top-n-state.js';

/**
 * Key values as JSON, one name per partition: a BIGINT past 2^53 as `"…n"`, and NaN and the
 * infinities (which JSON writes as `null`, the NULL partition's name) as `"NaN"`, `"Infinity"`,
 * `"-Infinity"`. A key column has one type, so a tagged string never meets a string of that column.
 * (Times stored under the old `null` name by an earlier version go to the NULL partition; the others
 * count as written at the first batch.)
 */
const json = (keyValues: readonly unknown[]): string =>
  JSON.stringify(keyValues, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/** The store key of the last-write time of the partition of `keyValues` (as the partition index holds them). */
export const ttlKeyOf = (keyValues: readonly unknown[]): string => TTL_PREFIX + json(keyValues);

export class TopNTtl {
  private order = new Map<Partition, number>();
  /** partitions loaded without a time: written "now" at the first batch */
  private unknown: Partition[] = [];
  /** partitions whose time changed in the batch in progress (written to the store at its end) */
  private dirty = new Set<Partition>();
  private expiredInBatch = 0;
  /** partitions expired in the last finished batch (progress numRowsExpired) */
  lastExpired = 0;

  constructor(readonly ttlMs: number, private readonly store: StateStore) {}

  private keyOf(p: Partition): string {
    return ttlKeyOf(p.keyValues);
  }

  /** After the partitions were loaded from the store: their times from it. */
  load(partitions: Iterable<Partition>): void {
    this.order.clear();
    this.dirty.clear();
    this.unknown = [];
    const times = new Map<string, number>();
    for (const [k, v] of this.store.entries()) if (k.startsWith(TTL_PREFIX)) times.set(k, v[0] as number);
    const known: Partition[] = [];
    for (const p of partitions) {
      const t = times.get(this.keyOf(p));
      p.lastWrite = t;
      if (t === undefined) this.unknown.push(p);
      else known.push(p);
    }
    known.sort((a, b) => a.lastWrite! - b.lastWrite!);
    for (const p of known) this.order.set(p, p.lastWrite!);
  }

  /** Before the batch's rows: partitions of unknown time count as written now. */
  start(now: number): void {
    for (const p of this.unknown) this.wrote(p, now);
    this.unknown = [];
  }

  expired(p: Partition, now: number): boolean {
    return p.lastWrite !== undefined && p.lastWrite + this.ttlMs <= now;
  }

  wrote(p: Partition, now: number): void {
    p.lastWrite = now;
    this.order.delete(p);
    this.order.set(p, now);
    this.dirty.add(p);
  }

  /** `p` left the state (expired, or emptied): its time goes too. */
  removed(p: Partition, expired: boolean): void {
    this.order.delete(p);
    this.dirty.delete(p);
    this.store.delete(this.keyOf(p));
    if (expired) this.expiredInBatch++;
  }

  /** The partitions whose time ran out, oldest first (the caller drops each, calling removed). */
  due(now: number): Partition[] {
    const out: Partition[] = [];
    for (const [p, t] of this.order) {
      if (t + this.ttlMs > now) break;
      out.push(p);
    }
    return out;
  }

  /** End of batch: write the changed times; count the batch's expiries for progress. */
  finish(): void {
    for (const p of this.dirty) this.store.put(this.keyOf(p), [p.lastWrite!]);
    this.dirty.clear();
    this.lastExpired = this.expiredInBatch;
    this.expiredInBatch = 0;
  }
}
