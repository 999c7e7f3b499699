/**
 * The keys of a spilling store's values held in memory (live-entries.ts), least recently used
 * first: a queue of (key, stamp) in two arrays, and the stamp of each key's newest entry. Using a key
 * again pushes a new entry; the older one is skipped when it reaches the head. (A Map used as the
 * queue, deleting at its head and re-inserting at its tail, slows down as deleted slots pile up in
 * front: q18's 586 K Top-N partitions made that five times slower.)
 */
import { LiveMap, NumberSlots } from './live-map.js';

export class ResidentQueue {
  /**
   * key → stamp of its newest entry in the queue; a numbered key's (a Top-N partition's) in a
   * Float64Array at its number (live-map.ts): hashed into a Map per use, fresh key strings took 9 %
   * of q18's time
   */
  private stamps = new LiveMap<number>(new NumberSlots());
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
    this.stamps = new LiveMap<number>(new NumberSlots());
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
