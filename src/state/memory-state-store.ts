/**
 * The in-memory state store: a Map of live keys plus the undo log of the version being written, so
 * abort() can restore the committed state. Committed versions are kept in memory only (the
 * checkpoint files come with the fault-tolerance work, behind the same interface).
 */
import { LiveEntries } from './live-entries.js';
import type { StateStore, StateStoreProvider, StateValue } from './state-store.js';

export class MemoryStateStore implements StateStore {
  private readonly live = new LiveEntries();

  constructor(readonly operatorId: number, public version = -1) {}

  get(key: string): StateValue | undefined {
    return this.live.get(key);
  }

  put(key: string, value: StateValue): void {
    this.live.put(key, value);
  }

  delete(key: string): void {
    this.live.delete(key);
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

/** Keeps each operator's store across restarts of a query within one process (the engine's default). */
export class MemoryStateStoreProvider implements StateStoreProvider {
  private readonly stores = new Map<number, MemoryStateStore>();

  async open(operatorId: number, version: number): Promise<StateStore> {
    const existing = this.stores.get(operatorId);
    if (existing && existing.version === version) return existing;
    const store = new MemoryStateStore(operatorId, -1);
    this.stores.set(operatorId, store);
    return store;
  }
}
