/**
 * The last-write times of a keyed operator's state, for `table.exec.state.ttl` (Flink's
 * OnCreateAndWrite: only a write refreshes a key). The times themselves live in the state store's
 * values, so a restart keeps them; this index only orders the keys by last write so that expired
 * keys are found at the front of the order without scanning the store each batch.
 *
 * Batch processing times never go backwards within a run, so appending on each write keeps the
 * order sorted; after a restart or an aborted batch the index is rebuilt once from the store.
 */
import type { StateStore, StateValue } from '../../../state/state-store.js';

export class StateTtlIndex {
  /** key → last write, oldest first (a Map iterates in insertion order; a write re-inserts) */
  private order = new Map<string, number>();
  private built = false;

  constructor(
    readonly ttlMs: number,
    /** where a value keeps its last-write time; undefined for a value written before the TTL was set */
    private readonly lastWriteOf: (v: StateValue) => number | undefined,
  ) {}

  /** Flink's rule: expired once `lastWrite + ttl <= now`; state written without a time never expires by age alone until rewritten. */
  expired(lastWrite: number | undefined, now: number): boolean {
    return lastWrite !== undefined && lastWrite + this.ttlMs <= now;
  }

  /** Call before the batch's first write: the store then holds what the index must reflect. */
  ensureBuilt(store: StateStore, now: number): void {
    if (this.built) return;
    const entries: [string, number][] = [];
    // state written before the TTL was set counts as written now: it lives one TTL from here
    for (const [key, v] of store.entries()) entries.push([key, this.lastWriteOf(v) ?? now]);
    entries.sort((a, b) => a[1] - b[1]);
    this.order = new Map(entries);
    this.built = true;
  }

  wrote(key: string, now: number): void {
    this.order.delete(key);
    this.order.set(key, now);
  }

  removed(key: string): void {
    this.order.delete(key);
  }

  /** Delete every expired key from the store; returns how many. */
  sweep(store: StateStore, now: number): number {
    let n = 0;
    for (const [key, t] of this.order) {
      if (t + this.ttlMs > now) break;
      store.delete(key);
      this.order.delete(key);
      n++;
    }
    return n;
  }

  /** The store rolled back: rebuild from it before the next write. */
  invalidate(): void {
    this.built = false;
    this.order = new Map();
  }
}
