/**
 * The live entries' map (live-entries.ts): a JS Map from key to value, except for numbered keys,
 * `#` and a number in canonical base 36 (no leading zero, at most MAX_DIGITS digits: what a Top-N
 * writes for its partitions, top-n-state.ts), whose values sit in an array at that number.
 *
 * Why: a packed Top-N keeps one entry per partition, 586 K for q18 at 2 M events. In a Map those
 * cost a 28 MB hash table and 14 MB of key strings, all of it live heap that V8 multiplies by its
 * growth factor (about 3) before the next full collection; in the array they cost 8 bytes each.
 * Any key of that form gets the array, whichever operator writes it (an operator's own encodings,
 * the key codec's tags and the join's block keys, never start with `#`), so checkpoints, restores
 * and rescaling, which pass keys as strings, need to know nothing of it. Entries iterate as the Map
 * does (insertion order), then the numbered ones in number order.
 *
 * The numbered values sit in an array of values (ValueSlots) or, where they are numbers, in a
 * Float64Array outside the heap (NumberSlots: the spill queue's stamps, resident-queue.ts).
 */

/** Numbered keys start with it (and are listed with it: entries()). */
export const NUMBERED_PREFIX = '#';
const HASH = NUMBERED_PREFIX.charCodeAt(0);
/** 36^6 ≈ 2.2e9 numbers: a longer key stays in the Map */
const MAX_DIGITS = 6;
/**
 * A number further than this past the array's end stays in the Map too ("strays"): numbers come
 * in order (a Top-N counts its partitions), and one far-off key must not make a huge array.
 */
const MAX_GAP = 65536;

/** The number of a numbered key, or -1 for any other key. */
export function numberOf(key: string): number {
  const n = key.length;
  if (n < 2 || n > MAX_DIGITS + 1 || key.charCodeAt(0) !== HASH) return -1;
  // a leading zero would make two keys ('#01', '#1') one number
  if (n > 2 && key.charCodeAt(1) === 48) return -1;
  let v = 0;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 36 + d;
  }
  return v;
}

/** Where a LiveMap keeps its numbered keys' values, by number (undefined: none). */
export interface NumberedSlots<V> {
  readonly length: number;
  get(n: number): V | undefined;
  set(n: number, v: V): void;
  clear(n: number): void;
  /** Make room for numbers up to `n`. */
  extendTo(n: number): void;
}

/** Any values, in a JS array grown one slot at a time (dense: no hole for V8 to make a dictionary of). */
export class ValueSlots<V> implements NumberedSlots<V> {
  private readonly a: (V | undefined)[] = [];
  get length(): number { return this.a.length; }
  get(n: number): V | undefined { return this.a[n]; }
  set(n: number, v: V): void { this.a[n] = v; }
  clear(n: number): void { this.a[n] = undefined; }
  extendTo(n: number): void { while (this.a.length <= n) this.a.push(undefined); }
}

/** Numbers, as number + 1 in a Float64Array (0: none), doubled when it grows: outside the heap. */
export class NumberSlots implements NumberedSlots<number> {
  private a = new Float64Array(0);
  get length(): number { return this.a.length; }
  get(n: number): number | undefined { const v = this.a[n]!; return v === 0 ? undefined : v - 1; }
  set(n: number, v: number): void { this.a[n] = v + 1; }
  clear(n: number): void { this.a[n] = 0; }
  extendTo(n: number): void {
    if (n < this.a.length) return;
    const grown = new Float64Array(Math.max(1024, 2 * this.a.length, n + 1));
    grown.set(this.a);
    this.a = grown;
  }
}

export class LiveMap<V> {
  private readonly named = new Map<string, V>();
  private numberedCount = 0;
  /** numbered keys in `named`: those whose number was too far past the array's end when set */
  private strays = 0;

  /** `numbered`: where the numbered keys' values go */
  constructor(private readonly numbered: NumberedSlots<V> = new ValueSlots<V>()) {}

  get size(): number {
    return this.named.size + this.numberedCount;
  }

  get(key: string): V | undefined {
    const n = numberOf(key);
    if (n >= 0 && n < this.numbered.length) {
      const v = this.numbered.get(n);
      if (v !== undefined || this.strays === 0) return v;
    }
    return this.named.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, v: V): void {
    const n = numberOf(key);
    const a = this.numbered;
    if (n < 0 || n > a.length + MAX_GAP) {
      if (n >= 0 && !this.named.has(key)) this.strays++;
      this.named.set(key, v);
      return;
    }
    if (this.strays > 0 && this.named.delete(key)) this.strays--;
    a.extendTo(n);
    if (a.get(n) === undefined) this.numberedCount++;
    a.set(n, v);
  }

  delete(key: string): boolean {
    const n = numberOf(key);
    if (n >= 0 && n < this.numbered.length && this.numbered.get(n) !== undefined) {
      this.numbered.clear(n);
      this.numberedCount--;
      return true;
    }
    if (!this.named.delete(key)) return false;
    if (n >= 0) this.strays--;
    return true;
  }

  *entries(): IterableIterator<[string, V]> {
    yield* this.named;
    const a = this.numbered;
    for (let n = 0; n < a.length; n++) {
      const v = a.get(n);
      if (v !== undefined) yield [NUMBERED_PREFIX + n.toString(36), v];
    }
  }
}
