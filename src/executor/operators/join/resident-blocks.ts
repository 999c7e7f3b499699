/**
 * Which of a join side's blocks keep their rows in memory when the state store spills
 * (join-state.ts): at most `budget` bytes of blocks, the ones used last. A block let go keeps its
 * keys, alive flags and match counts; its rows are read back from the store (which holds them in its
 * spill file, live-entries.ts) the next time a match or an expiry needs them.
 *
 * Bytes read back are this side's alone: when their block is let go they are released
 * (common/release-bytes.ts) at the side's next safe point, releaseLetGo, not left to the collector.
 */
import type * as arrow from 'apache-arrow';
import { releaseBytes } from '../../../common/release-bytes.js';

export interface ResidentBlock {
  readonly id: number;
  /** bytes of its rows (their Arrow IPC form) */
  readonly bytes: number;
  /** its rows, while in memory */
  batch: arrow.RecordBatch | undefined;
  /** readers of its columns, made from `batch` */
  readers: ((i: number) => unknown)[] | undefined;
  /** the bytes `batch` views, when they were read back for it alone (released once it is let go) */
  readBack?: Uint8Array | undefined;
}

/** A block's rows read back: the batch, and the bytes it views when no one else holds them. */
export interface LoadedRows {
  readonly batch: arrow.RecordBatch;
  readonly readBack: Uint8Array | undefined;
}

export class ResidentBlocks<B extends ResidentBlock> {
  /** blocks whose rows are in memory, least recently used first */
  private readonly blocks = new Map<number, B>();
  private bytes = 0;
  /** read-back bytes of blocks let go since the last releaseLetGo */
  private readonly letGo: Uint8Array[] = [];

  /** `load`: a block's rows, read back from the store. Infinity: every block keeps its rows. */
  constructor(private readonly budget: number, private readonly load: (b: B) => LoadedRows) {}

  /**
   * A block's rows, read back when they were let go; the block becomes the most recently used and the
   * least recently used others are let go until the rest fit. A caller holding several blocks'
   * batches keeps them valid until it calls releaseLetGo.
   */
  use(b: B): arrow.RecordBatch {
    let batch = b.batch;
    if (this.budget === Infinity) return batch!;
    if (batch === undefined) {
      const loaded = this.load(b);
      batch = b.batch = loaded.batch;
      b.readBack = loaded.readBack;
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

  /**
   * Release the read-back bytes of the blocks let go since the last call. The side calls it once
   * nothing it handed out views a block's batch: after a take (whose columns are copies) or a row's
   * values are read.
   */
  releaseLetGo(): void {
    for (const bytes of this.letGo) releaseBytes(bytes);
    this.letGo.length = 0;
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
      if (oldest.readBack) this.letGo.push(oldest.readBack);
      oldest.readBack = undefined;
    }
  }
}
