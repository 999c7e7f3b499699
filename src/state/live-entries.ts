/**
 * The live keys of an in-memory or checkpointing state store, and the undo log of the version being
 * written (so abort() restores the committed state): what MemoryStateStore and FileStateStore share.
 *
 * A value that is one string (`[s]`: a Top-N partition's pack, a window key's compact numbers) is
 * held as the string itself and handed out as a fresh `[s]`: an array per key costs 56 bytes, about
 * 33 MB for the 590 K partitions q18 keeps at 2 M events, and such values are read only when an
 * operator restores or a checkpoint is written, where a short-lived array is cheap.
 */
import type { StateValue } from './state-store.js';

const ABSENT = Symbol('absent');
/** what an entry costs besides its key's characters (for progress' memory estimate) */
const ENTRY_OVERHEAD = 64;

/** A value as held: one string as itself, any other value as it is. */
type Held = StateValue | string;

const hold = (v: StateValue): Held => (v.length === 1 && typeof v[0] === 'string' ? v[0] : v);
const release = (h: Held): StateValue => (typeof h === 'string' ? [h] : h);

export class LiveEntries {
  private readonly live = new Map<string, Held>();
  /** value before the first change in this version, per changed key */
  private readonly undo = new Map<string, Held | typeof ABSENT>();
  private keyBytes = 0;

  /** Entries read from a checkpoint (committed). */
  constructor(entries: Iterable<[string, StateValue]> = []) {
    for (const [k, v] of entries) {
      this.live.set(k, hold(v));
      this.keyBytes += k.length * 2 + ENTRY_OVERHEAD;
    }
  }

  get(key: string): StateValue | undefined {
    const h = this.live.get(key);
    return h === undefined ? undefined : release(h);
  }

  put(key: string, value: StateValue): void {
    const prev = this.live.get(key);
    if (!this.undo.has(key)) this.undo.set(key, prev ?? ABSENT);
    if (prev === undefined) this.keyBytes += key.length * 2 + ENTRY_OVERHEAD;
    this.live.set(key, hold(value));
  }

  delete(key: string): void {
    const prev = this.live.get(key);
    if (prev === undefined) return;
    if (!this.undo.has(key)) this.undo.set(key, prev);
    this.keyBytes -= key.length * 2 + ENTRY_OVERHEAD;
    this.live.delete(key);
  }

  *entries(): IterableIterator<[string, StateValue]> {
    for (const [k, h] of this.live) yield [k, release(h)];
  }

  get size(): number {
    return this.live.size;
  }

  /** keys written or deleted since the last commit */
  get numUpdated(): number {
    return this.undo.size;
  }

  /** The keys changed since the last commit (as they are now) with their new values (undefined: deleted). */
  changes(): IterableIterator<[string, StateValue | undefined]> {
    const keys = [...this.undo.keys()];
    const live = this.live;
    return (function* (): IterableIterator<[string, StateValue | undefined]> {
      for (const k of keys) {
        const h = live.get(k);
        yield [k, h === undefined ? undefined : release(h)];
      }
    })();
  }

  /** The version being written is committed: nothing to undo any more. */
  committed(): void {
    this.undo.clear();
  }

  /** Undo every change since the last commit. */
  rollBack(): void {
    for (const [k, v] of this.undo) {
      if (v === ABSENT) {
        if (this.live.delete(k)) this.keyBytes -= k.length * 2 + ENTRY_OVERHEAD;
      } else {
        if (!this.live.has(k)) this.keyBytes += k.length * 2 + ENTRY_OVERHEAD;
        this.live.set(k, v);
      }
    }
    this.undo.clear();
  }

  /** A rough estimate of the memory the entries hold: keys plus a per-entry overhead. */
  memoryUsedBytes(): number {
    return Math.max(0, this.keyBytes + this.live.size * 48);
  }
}
