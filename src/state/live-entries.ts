/**
 * The live keys of an in-memory or checkpointing state store, and the undo log of the version being
 * written (so abort() restores the committed state): what MemoryStateStore and FileStateStore share.
 *
 * A value that is one string (`[s]`: a Top-N partition's pack, a window key's compact numbers) is
 * held as the string itself and handed out as a fresh `[s]`: an array per key costs 56 bytes, about
 * 33 MB for the 590 K partitions q18 keeps at 2 M events, and such values are read only when an
 * operator restores or a checkpoint is written, where a short-lived array is cheap.
 *
 * With a spill area, the large byte arrays of values (a join's blocks of rows, SPILL_MIN bytes or
 * more) and the one-string values put as spillable (a Top-N partition's pack) count against a threshold: once those held in memory add up to more than it, the least recently
 * written or read ones move to the area's file (spill-area.ts) and are read back, as fresh copies,
 * when the value is asked for. A regular join keeps every row it has seen, a Top-N every partition
 * it has seen: this is what bounds their memory, as long as the operator itself does not hold the
 * values (a join side keeps only its recent blocks, a Top-N only the ids of its partitions).
 */
import { LiveMap } from './live-map.js';
import { ResidentQueue } from './resident-queue.js';
import type { SpillArea, SpilledBytes } from './spill-area.js';
import type { StateValue } from './state-store.js';

const ABSENT = Symbol('absent');
/** what an entry costs besides its key's characters (for progress' memory estimate) */
const ENTRY_OVERHEAD = 64;
/**
 * Byte arrays smaller than this stay in memory (a join block's status, a small block), unless the
 * threshold itself is smaller (a test spilling everything).
 */
export const SPILL_MIN = 16 * 1024;

/** Bytes of a spilled string: its first byte says how the characters follow. */
const LATIN1 = 1;
const UTF16 = 2;
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * A string as bytes for the spill area: one byte a character when every character is below 256 (a
 * Top-N pack always is: half the bytes of UTF-16), else its UTF-16 code units, with which any
 * string, lone surrogates included, comes back as it was.
 */
function bytesOfString(s: string): Buffer {
  const oneByte = !BEYOND_LATIN1.test(s);
  const b = Buffer.allocUnsafe(1 + (oneByte ? s.length : 2 * s.length));
  b[0] = oneByte ? LATIN1 : UTF16;
  b.write(s, 1, oneByte ? 'latin1' : 'utf16le');
  return b;
}

function stringOfBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(b[0] === LATIN1 ? 'latin1' : 'utf16le', 1);
}

/** A value whose large arrays are in the spill area. */
class Spilled {
  constructor(readonly parts: readonly unknown[]) {}
}

/** One of a Spilled value's parts: a byte array in the spill area (a number part is a number). */
class SpilledPart {
  constructor(readonly at: SpilledBytes) {}
}

/**
 * A value as held: one string as itself (or, spilled, the spill area's slot of its bytes, a number:
 * bytesOfString), a value whose arrays spilled, any other value as it is.
 */
type Held = StateValue | string | Spilled | SpilledBytes;


/** Spilling: where to, and how many bytes of large arrays may stay in memory. */
export interface SpillPolicy {
  readonly area: SpillArea;
  readonly threshold: number;
}

export class LiveEntries {
  /** the live values by key (numbered keys in an array: live-map.ts) */
  private readonly live = new LiveMap<Held>();
  /** value before the first change in this version, per changed key */
  private readonly undo = new Map<string, Held | typeof ABSENT>();
  private keyBytes = 0;
  /** keys whose live value holds large arrays in memory, oldest first, with those arrays' bytes */
  private readonly resident = new ResidentQueue();
  private residentBytes = 0;
  /** the size from which a byte array may spill */
  private readonly spillMin: number;

  /** Entries read from a checkpoint (committed). */
  constructor(entries: Iterable<[string, StateValue]> = [], private readonly spill?: SpillPolicy) {
    this.spillMin = spill === undefined ? Infinity : Math.max(1, Math.min(SPILL_MIN, spill.threshold));
    for (const [k, v] of entries) {
      // one-string values read from a checkpoint stay until their operator marks them (markSpillable)
      this.live.set(k, this.hold(k, v, false));
      this.keyBytes += k.length * 2 + ENTRY_OVERHEAD;
    }
    this.spillOver();
  }

  get(key: string): StateValue | undefined {
    const h = this.live.get(key);
    if (h === undefined) return undefined;
    // a value read is recently used: the last to spill
    if (this.resident.size > 0 && this.resident.has(key)) this.resident.use(key);
    return this.release(h);
  }

  put(key: string, value: StateValue, spillable = false): void {
    const prev = this.live.get(key);
    this.replaced(key, prev);
    if (prev === undefined) this.keyBytes += key.length * 2 + ENTRY_OVERHEAD;
    this.live.set(key, this.hold(key, value, spillable));
    this.spillOver();
  }

  delete(key: string): void {
    const prev = this.live.get(key);
    if (prev === undefined) return;
    this.replaced(key, prev);
    this.keyBytes -= key.length * 2 + ENTRY_OVERHEAD;
    this.live.delete(key);
  }

  /** A committed one-string value becomes spillable, as if put so (an operator restoring its state). */
  markSpillable(key: string): void {
    const h = this.live.get(key);
    if (typeof h !== 'string' || this.resident.has(key)) return;
    this.remember(key, h);
    this.spillOver();
  }

  *entries(): IterableIterator<[string, StateValue]> {
    for (const [k, h] of this.live.entries()) yield [k, this.release(h)];
  }

  get size(): number {
    return this.live.size;
  }

  /**
   * Give the spilled values' places in the spill area back, committed or not: the entries are
   * dropped with this object (a store read once, for a re-split, while the provider and its spill
   * area live on), which must not be used after.
   */
  dispose(): void {
    if (this.spill === undefined) return;
    const seen = new Set<Held | typeof ABSENT>();
    for (const [, h] of this.live.entries()) if (typeof h === 'number' || h instanceof Spilled) seen.add(h);
    for (const h of this.undo.values()) if (typeof h === 'number' || h instanceof Spilled) seen.add(h);
    for (const h of seen) this.discard(h);
  }

  /** keys written or deleted since the last commit */
  get numUpdated(): number {
    return this.undo.size;
  }

  /** bytes of large arrays held in memory (the rest are in the spill area) */
  get residentLargeBytes(): number {
    return this.residentBytes;
  }

  /** The keys changed since the last commit (as they are now) with their new values (undefined: deleted). */
  changes(): IterableIterator<[string, StateValue | undefined]> {
    const keys = [...this.undo.keys()];
    const live = this.live;
    const release = (h: Held): StateValue => this.release(h);
    return (function* (): IterableIterator<[string, StateValue | undefined]> {
      for (const k of keys) {
        const h = live.get(k);
        yield [k, h === undefined ? undefined : release(h)];
      }
    })();
  }

  /** The version being written is committed: nothing to undo any more. */
  committed(): void {
    for (const [k, v] of this.undo) if (v !== ABSENT && v !== this.live.get(k)) this.discard(v);
    this.undo.clear();
  }

  /** Undo every change since the last commit. */
  rollBack(): void {
    for (const [k, v] of this.undo) {
      const cur = this.live.get(k);
      if (cur !== undefined && cur !== v) this.discard(cur);
      this.forget(k);
      if (v === ABSENT) {
        if (this.live.delete(k)) this.keyBytes -= k.length * 2 + ENTRY_OVERHEAD;
      } else {
        if (!this.live.has(k)) this.keyBytes += k.length * 2 + ENTRY_OVERHEAD;
        this.live.set(k, v);
        // a string put spillable is not known as such any more: it stays until its operator marks
        // it again (a Top-N restores its state after an abort, and does)
        if (typeof v !== 'string') this.remember(k, v);
      }
    }
    this.undo.clear();
    this.spillOver();
  }

  /** A rough estimate of the memory the entries hold: keys plus a per-entry overhead, and large arrays in memory. */
  memoryUsedBytes(): number {
    return Math.max(0, this.keyBytes + this.live.size * 48 + this.residentBytes);
  }

  /** A value as held, counted as resident when it has large arrays and the store may spill. */
  private hold(key: string, v: StateValue, spillable: boolean): Held {
    if (v.length === 1 && typeof v[0] === 'string') {
      if (spillable) this.remember(key, v[0]);
      return v[0];
    }
    this.remember(key, v);
    return v;
  }

  private release(h: Held): StateValue {
    if (typeof h === 'string') return [h];
    if (typeof h === 'number') {
      return [stringOfBytes(this.spill!.area.read(h))];
    }
    if (h instanceof Spilled) {
      const area = this.spill!.area;
      return h.parts.map((x) => (x instanceof SpilledPart ? area.read(x.at) : x));
    }
    return h;
  }

  /** `key`'s live value `prev` is being replaced: the undo log keeps the committed one, a newer one goes. */
  private replaced(key: string, prev: Held | undefined): void {
    this.forget(key);
    const logged = this.undo.get(key);
    if (logged === undefined) this.undo.set(key, prev ?? ABSENT);
    else if (prev !== undefined && prev !== logged) this.discard(prev);
  }

  private remember(key: string, v: Held): void {
    if (this.spill === undefined) return;
    const n = this.largeBytes(v);
    if (n === 0) return;
    this.resident.use(key);
    this.residentBytes += n;
  }

  /** Bytes of a value's arrays that may spill, or a spillable string's characters (0: none). */
  private largeBytes(v: Held): number {
    if (typeof v === 'string') return v.length;
    if (typeof v === 'number' || v instanceof Spilled) return 0;
    let n = 0;
    for (const x of v) if (x instanceof Uint8Array && x.byteLength >= this.spillMin) n += x.byteLength;
    return n;
  }

  /** `key`'s live value (still in the live map) is no longer counted as resident. */
  private forget(key: string): void {
    // a store whose values never hold large arrays (a group aggregation's) has none resident: no lookup
    if (this.resident.size === 0 || !this.resident.remove(key)) return;
    this.residentBytes -= this.largeBytes(this.live.get(key)!);
  }


  /** A held value no longer referenced by the live map or the undo log: its spilled arrays are released. */
  private discard(h: Held | typeof ABSENT): void {
    if (typeof h === 'number') this.spill!.area.release(h);
    if (!(h instanceof Spilled)) return;
    for (const x of h.parts) if (x instanceof SpilledPart) this.spill!.area.release(x.at);
  }

  /** Move the oldest resident values' large arrays to the spill area until the rest fit the threshold. */
  private spillOver(): void {
    const spill = this.spill;
    if (spill === undefined) return;
    while (this.residentBytes > spill.threshold) {
      const key = this.resident.oldest()!;
      const v = this.live.get(key) as StateValue | string;
      const spilled = typeof v === 'string'
        ? spill.area.write(bytesOfString(v))
        : new Spilled(v.map((x) => (x instanceof Uint8Array && x.byteLength >= this.spillMin ? new SpilledPart(spill.area.write(x)) : x)));
      this.forget(key);
      this.live.set(key, spilled);
    }
  }
}
