/**
 * The keys of a spilling store's values held in memory (live-entries.ts), least recently used
 * first: a queue of (key, stamp) in two arrays, and the stamp of each key's newest entry. Using a key
 * again pushes a new entry; the older one is skipped when it reaches the head. (A Map used as the
 * queue, deleting at its head and re-inserting at its tail, slows down as deleted slots pile up in
 * front: q18's 586 K Top-N partitions made that five times slower.)
 */
import { numberOf } from './live-map.js';

/** Numbered keys below this have their stamps in Stamps' typed array; a larger one's stay in the Map. */
const MAX_NUMBERED = 1 << 24;

/**
 * Key → stamp. A numbered key's stamp (a Top-N's partition, `#` and base 36: live-map.ts) is kept at
 * its number in a Float64Array, stamp + 1 with 0 for none: each use of a key is a string
 * hashed into a Map otherwise, which took 9 % of q18's time, and the array lives outside the heap
 * (pages never written, numbers never used, cost no memory).
 */
class Stamps {
  private readonly named = new Map<string, number>();
  private numbered = new Float64Array(0);
  private numberedCount = 0;

  get size(): number {
    return this.named.size + this.numberedCount;
  }

  get(key: string): number | undefined {
    const n = numberOf(key);
    if (n < 0 || n >= MAX_NUMBERED) return this.named.get(key);
    const s = n < this.numbered.length ? this.numbered[n]! : 0;
    return s === 0 ? undefined : s - 1;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, stamp: number): void {
    const n = numberOf(key);
    if (n < 0 || n >= MAX_NUMBERED) {
      this.named.set(key, stamp);
      return;
    }
    if (n >= this.numbered.length) {
      const grown = new Float64Array(Math.min(MAX_NUMBERED, Math.max(1024, 2 * this.numbered.length, n + 1)));
      grown.set(this.numbered);
      this.numbered = grown;
    }
    if (this.numbered[n] === 0) this.numberedCount++;
    this.numbered[n] = stamp + 1;
  }

  delete(key: string): boolean {
    const n = numberOf(key);
    if (n < 0 || n >= MAX_NUMBERED) return this.named.delete(key);
    if (n >= this.numbered.length || this.numbered[n] === 0) return false;
    this.numbered[n] = 0;
    this.numberedCount--;
    return true;
  }
}

export class ResidentQueue {
  /** key → stamp of its newest entry in the queue */
  private stamps = new Stamps();
  private keys: string[] = [];
  private marks: number[] = [];
  private head = 0;
  private clock = 0;

  get size(): number {
    return this.stamps.size;
  }

  /** entries held, stale ones and those behind the head included (for tests: it stays near size) */
  get held(): number {
    return this.keys.length;
  }

  has(key: string): boolean {
    return this.stamps.has(key);
  }

  /** `key` is (now) resident and the most recently used. */
  use(key: string): void {
    const stamp = this.clock++;
    this.stamps.set(key, stamp);
    this.keys.push(key);
    this.marks.push(stamp);
    // entries of keys used again, or gone, are dropped once they are most of the queue, and those
    // behind the head once they are half the arrays (else the arrays keep every key ever used:
    // 586 K entries, 9 MB, for q18's 38 K resident partitions)
    if (this.keys.length - this.head > 2 * this.stamps.size + 1024 || this.head > (this.keys.length >> 1) + 1024) this.compact();
  }

  /** `key` is no longer resident. */
  remove(key: string): boolean {
    return this.stamps.delete(key);
  }

  /** The least recently used resident key (it stays resident), or undefined when none is. */
  oldest(): string | undefined {
    while (this.head < this.keys.length) {
      const k = this.keys[this.head]!;
      if (this.stamps.get(k) === this.marks[this.head]) return k;
      this.head++;
    }
    return undefined;
  }

  clear(): void {
    this.stamps = new Stamps();
    this.keys = [];
    this.marks = [];
    this.head = 0;
  }

  private compact(): void {
    const keys: string[] = [];
    const marks: number[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (this.stamps.get(k) === this.marks[i]) {
        keys.push(k);
        marks.push(this.marks[i]!);
      }
    }
    this.keys = keys;
    this.marks = marks;
    this.head = 0;
  }
}
