/**
 * The in-memory state store: a Map of live keys plus the undo log of the version being written, so
 * abort() can restore the committed state. Committed versions are kept in memory only (the
 * checkpoint files come with the fault-tolerance work, behind the same interface).
 */
import type { StateStore, StateStoreProvider, StateValue } from './state-store.js';

const ABSENT = Symbol('absent');

export class MemoryStateStore implements StateStore {
  private readonly live = new Map<string, StateValue>();
  /** value before the first change in this version, per changed key */
  private readonly undo = new Map<string, StateValue | typeof ABSENT>();
  private bytes = 0;

  constructor(readonly operatorId: number, public version = -1) {}

  get(key: string): StateValue | undefined {
    return this.live.get(key);
  }

  put(key: string, value: StateValue): void {
    const prev = this.live.get(key);
    if (!this.undo.has(key)) this.undo.set(key, prev ?? ABSENT);
    if (prev === undefined) this.bytes += key.length * 2 + 64;
    this.live.set(key, value);
  }

  delete(key: string): void {
    const prev = this.live.get(key);
    if (prev === undefined) return;
    if (!this.undo.has(key)) this.undo.set(key, prev);
    this.bytes -= key.length * 2 + 64;
    this.live.delete(key);
  }

  entries(): IterableIterator<[string, StateValue]> {
    return this.live.entries();
  }

  get size(): number {
    return this.live.size;
  }

  get numUpdated(): number {
    return this.undo.size;
  }

  /** The keys changed since the last commit with their new values (undefined: deleted). */
  changes(): IterableIterator<[string, StateValue | undefined]> {
    const live = this.live;
    const keys = this.undo.keys();
    return (function* () {
      for (const k of keys) yield [k, live.get(k)] as [string, StateValue | undefined];
    })();
  }

  async commit(version: number): Promise<void> {
    this.undo.clear();
    this.version = version;
  }

  abort(): void {
    for (const [k, v] of this.undo) {
      if (v === ABSENT) this.live.delete(k);
      else this.live.set(k, v);
    }
    this.undo.clear();
  }

  memoryUsedBytes(): number {
    // keys plus a per-entry overhead; values are small arrays of accumulators
    return Math.max(0, this.bytes + this.live.size * 48);
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
