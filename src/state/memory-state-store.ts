/**
 * The in-memory state store: a Map of live keys plus the undo log of the version being written, so
 * abort() can restore the committed state. Committed versions are kept in memory only (the
 * checkpoint files come with the fault-tolerance work, behind the same interface).
 */
import { LiveEntries, type SpillPolicy } from './live-entries.js';
import { SpillArea } from './spill-area.js';
import type { StateStore, StateStoreProvider, StateValue } from './state-store.js';

export class MemoryStateStore implements StateStore {
  private readonly live: LiveEntries;

  /** `spill`: large values past its threshold go to its area (live-entries.ts); none: all in memory */
  constructor(readonly operatorId: number, public version = -1, spill?: SpillPolicy) {
    this.live = new LiveEntries([], spill);
    if (spill) this.spillThreshold = spill.threshold;
  }

  readonly spillThreshold: number | undefined;

  get(key: string): StateValue | undefined {
    return this.live.get(key);
  }

  put(key: string, value: StateValue, spillable?: boolean): void {
    this.live.put(key, value, spillable);
  }

  delete(key: string): void {
    this.live.delete(key);
  }

  markSpillable(key: string): void {
    this.live.markSpillable(key);
  }

  entries(): IterableIterator<[string, StateValue]> {
    return this.live.entries();
  }

  get size(): number {
    return this.live.size;
  }

  get numUpdated(): number {
    return this.live.numUpdated;
  }

  async commit(version: number): Promise<void> {
    this.live.committed();
    this.version = version;
  }

  abort(): void {
    this.live.rollBack();
  }

  memoryUsedBytes(): number {
    return this.live.memoryUsedBytes();
  }
}

/**
 * Keeps each operator's store across restarts of a query within one process (the engine's default).
 * `spillThreshold` (bytes; 0: never) bounds each store's large values in memory, the rest in one
 * spill area for the query's stores, closed with the provider.
 */
export class MemoryStateStoreProvider implements StateStoreProvider {
  private readonly stores = new Map<number, MemoryStateStore>();
  private readonly spill: SpillArea | undefined;

  constructor(private readonly spillThreshold = 0) {
    this.spill = spillThreshold > 0 ? new SpillArea() : undefined;
  }

  async open(operatorId: number, version: number): Promise<StateStore> {
    const existing = this.stores.get(operatorId);
    if (existing && existing.version === version) return existing;
    const store = new MemoryStateStore(operatorId, -1, this.spill && { area: this.spill, threshold: this.spillThreshold });
    this.stores.set(operatorId, store);
    return store;
  }

  async close(): Promise<void> {
    this.spill?.close();
  }
}
