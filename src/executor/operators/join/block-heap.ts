/**
 * A binary min-heap of join-state blocks by the expiry of their next live row: what the watermark
 * reaches first. A block sits in it once, under the key it was pushed with; a block whose next
 * expiry changed (its next rows were retracted) is re-pushed by the caller on peek.
 */

/** What the heap needs of a block: its rows' expiries and the order they expire in. */
export interface ExpiringBlock {
  readonly id: number;
  readonly expiry: Float64Array | undefined;
  /** row indices by expiry, ascending (set for blocks of a side whose rows expire) */
  order: Uint32Array | undefined;
  /** how many rows of `order` have expired */
  next: number;
}

export class BlockHeap<B extends ExpiringBlock> {
  private readonly items: B[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): B | undefined {
    return this.items[0];
  }

  /** The key the top block was pushed with. */
  keyOf(b: B): number {
    return this.items[0] === b ? this.keys[0]! : NaN;
  }

  push(b: B, key: number): void {
    const items = this.items, keys = this.keys;
    let i = items.length;
    items.push(b);
    keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      items[i] = items[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    items[i] = b;
    keys[i] = key;
  }

  pop(): B | undefined {
    const items = this.items, keys = this.keys;
    const top = items[0];
    const last = items.pop();
    const lastKey = keys.pop()!;
    const n = items.length;
    if (n === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && keys[r]! < keys[l]! ? r : l;
      if (keys[c]! >= lastKey) break;
      items[i] = items[c]!;
      keys[i] = keys[c]!;
      i = c;
    }
    items[i] = last;
    keys[i] = lastKey;
    return top;
  }

  clear(): void {
    this.items.length = 0;
    this.keys.length = 0;
  }
}
