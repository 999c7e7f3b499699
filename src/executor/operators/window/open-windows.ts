/**
 * The open windows of a window operator, by window end, so the watermark can close them in order
 * without scanning state. Ends arrive mostly in increasing order, so a sorted array with binary
 * insertion stays cheap.
 */
export class OpenWindows {
  private readonly byEnd = new Map<number, Set<string>>();
  private ends: number[] = [];

  add(end: number, key: string): void {
    let keys = this.byEnd.get(end);
    if (!keys) {
      keys = new Set();
      this.byEnd.set(end, keys);
      let lo = 0, hi = this.ends.length;
      if (hi === 0 || this.ends[hi - 1]! < end) lo = hi;
      else {
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.ends[mid]! < end) lo = mid + 1; else hi = mid;
        }
      }
      this.ends.splice(lo, 0, end);
    }
    keys.add(key);
  }

  remove(end: number, key: string): void {
    const keys = this.byEnd.get(end);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) {
      this.byEnd.delete(end);
      this.ends = this.ends.filter((e) => e !== end);
    }
  }

  /** The smallest open window end, +Infinity when none. */
  minEnd(): number {
    return this.ends.length > 0 ? this.ends[0]! : Infinity;
  }

  windowCount(): number {
    return this.ends.length;
  }

  /** Remove and return the key sets of every window whose end is ≤ `watermark`, oldest first. */
  closeUpTo(watermark: number): Set<string>[] {
    let n = 0;
    while (n < this.ends.length && this.ends[n]! <= watermark) n++;
    if (n === 0) return [];
    const closed = this.ends.slice(0, n).map((e) => {
      const keys = this.byEnd.get(e)!;
      this.byEnd.delete(e);
      return keys;
    });
    this.ends = this.ends.slice(n);
    return closed;
  }

  /** Re-index from state (after a restart or an aborted batch): values are [keys, …] with keys[1] the end. */
  rebuild(entries: Iterable<[string, readonly unknown[]]>): void {
    this.byEnd.clear();
    this.ends = [];
    for (const [key, v] of entries) this.add((v[0] as unknown[])[1] as number, key);
  }
}
