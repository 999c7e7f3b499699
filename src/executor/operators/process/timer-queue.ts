/**
 * The timers of every key of a process function in one min-heap per time domain, ordered by time
 * then key (the order they fire in: a deterministic one, whatever order they were registered in).
 *
 * A key's own timer set is the truth; the heap may hold entries deleted since (`isLive` says): they
 * are skipped when they reach the top, so deleting a timer is O(1).
 */
export interface TimerEntry {
  readonly time: number;
  readonly key: string;
}

const before = (a: TimerEntry, b: TimerEntry): boolean => a.time < b.time || (a.time === b.time && a.key < b.key);

export class TimerQueue {
  private heap: TimerEntry[] = [];

  constructor(private readonly isLive: (e: TimerEntry) => boolean) {}

  clear(): void {
    this.heap = [];
  }

  push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** The earliest live timer, or undefined (dropping deleted ones on the way). */
  peek(): TimerEntry | undefined {
    while (this.heap.length > 0 && !this.isLive(this.heap[0]!)) this.popTop();
    return this.heap[0];
  }

  /** Take the earliest live timer when it is at or before `upTo`. */
  takeDue(upTo: number): TimerEntry | undefined {
    const top = this.peek();
    if (top === undefined || top.time > upTo) return undefined;
    this.popTop();
    return top;
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
