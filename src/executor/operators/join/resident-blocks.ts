/**
 * Which of a join side's blocks keep their rows in memory when the state store spills
 * (join-state.ts): at most `budget` bytes of blocks, the ones used last. A block let go keeps its
 * keys, alive flags and match counts; its rows are read back from the store (which holds them in its
 * spill file, live-entries.ts) the next time a match or an expiry needs them.
 */
import type * as arrow from 'apache-arrow';

export interface ResidentBlock {
  readonly id: number;
  /** bytes of its rows (their Arrow IPC form) */
  readonly bytes: number;
  /** its rows, while in memory */
  batch: arrow.RecordBatch | undefined;
  /** readers of its columns, made from `batch` */
  readers: ((i: number) => unknown)[] | undefined;
}

export class ResidentBlocks<B extends ResidentBlock> {
  /** blocks whose rows are in memory, least recently used first */
  private readonly blocks = new Map<number, B>();
  private bytes = 0;

  /** `load`: a block's rows, read back from the store. Infinity: every block keeps its rows. */
  constructor(private readonly budget: number, private readonly load: (b: B) => arrow.RecordBatch) {}

  /**
   * A block's rows, read back when they were let go; the block becomes the most recently used and the
   * least recently used others are let go until the rest fit. A caller holding several blocks'
   * batches keeps them valid: letting go only drops the block's reference.
   */
  use(b: B): arrow.RecordBatch {
    let batch = b.batch;
    if (this.budget === Infinity) return batch!;
    if (batch === undefined) {
      batch = b.batch = this.load(b);
      this.bytes += b.bytes;
    } else {
      this.blocks.delete(b.id);
    }
    this.blocks.set(b.id, b);
    this.fit(b);
    return batch;
  }

  /** A new block, its rows in memory. */
  added(b: B): void {
    if (this.budget === Infinity) return;
    this.blocks.set(b.id, b);
    this.bytes += b.bytes;
    this.fit(b);
  }

  /** A block whose rows are all gone. */
  dropped(b: B): void {
    if (this.blocks.delete(b.id)) this.bytes -= b.bytes;
  }

  clear(): void {
    this.blocks.clear();
    this.bytes = 0;
  }

  /** Let go of the least recently used blocks' rows (never `keep`'s) until the rest fit the budget. */
  private fit(keep: B): void {
    while (this.bytes > this.budget) {
      const oldest = this.blocks.values().next().value as B;
      if (oldest === keep) return;
      this.blocks.delete(oldest.id);
      this.bytes -= oldest.bytes;
      oldest.batch = undefined;
      oldest.readers = undefined;
    }
  }
}
