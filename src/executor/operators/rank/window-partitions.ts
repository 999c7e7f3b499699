/**
 * The open windows of a window Top-N (TopNNode.windowEndKey): its partitions grouped by the end of
 * their window, so that the watermark closes them oldest first without a scan of every partition.
 * A partition's window end is one of its PARTITION BY values (epoch ms).
 */
import type { Partition } from './top-n-state.js';

export class WindowPartitions {
  private readonly byEnd = new Map<number, Partition[]>();
  private ends: number[] = [];
  private sorted = true;
  private count = 0;

  constructor(private readonly endKey: number) {}

  /** The window end of partition `p`. */
  endOf(p: Partition): number {
    return p.keyValues[this.endKey] as number;
  }

  /** A partition made for a row of an open window. */
  add(p: Partition): void {
    const end = this.endOf(p);
    const list = this.byEnd.get(end);
    if (list) list.push(p);
    else {
      this.byEnd.set(end, [p]);
      if (this.ends.length > 0 && end < this.ends[this.ends.length - 1]!) this.sorted = false;
      this.ends.push(end);
    }
    this.count++;
  }

  /** The partitions of every window ending at or before `time`, oldest window first; they are forgotten here. */
  closeUpTo(time: number): Partition[] {
    this.sort();
    const out: Partition[] = [];
    let i = 0;
    while (i < this.ends.length && this.ends[i]! <= time) {
      const list = this.byEnd.get(this.ends[i]!)!;
      for (const p of list) out.push(p);
      this.byEnd.delete(this.ends[i]!);
      i++;
    }
    if (i > 0) this.ends = this.ends.slice(i);
    this.count -= out.length;
    return out;
  }

  /** The end of the oldest open window (+Infinity: none). */
  minEnd(): number {
    this.sort();
    return this.ends.length > 0 ? this.ends[0]! : Infinity;
  }

  get openWindows(): number {
    return this.ends.length;
  }

  get partitions(): number {
    return this.count;
  }

  clear(): void {
    this.byEnd.clear();
    this.ends = [];
    this.sorted = true;
    this.count = 0;
  }

  private sort(): void {
    if (this.sorted) return;
    this.ends.sort((a, b) => a - b);
    this.sorted = true;
  }
}
