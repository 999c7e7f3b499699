/**
 * The rows an OVER operator holds, columnar, as they arrived: each input chunk's held rows form one
 * block, an Arrow batch of the input's columns plus an alive flag per row. A row is named by its
 * block id and row packed in one number (as the join's RowRef), so a held row costs the operator a
 * small object of its time and call arguments, not a row string and a state-store entry apiece.
 *
 * In the state store a block is two entries: `b<id>` = [Arrow IPC bytes of its rows, the arrival
 * number of its first row] (its rows are numbered consecutively), written once when the block is
 * made (the in-memory batch reads those very bytes), and `b<id>:s` = [alive flags], rewritten at the
 * end of a batch in which rows of the block died. A block whose rows are all gone is deleted then,
 * not before: the batch's output may still read them.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../../../common/errors.js';
import { takeBlockRows } from '../../../common/gather.js';
import type { StateStore } from '../../../state/state-store.js';
import { blockKey as taggedBlockKey, MAX_BLOCK_ROWS, ROW_SPAN, statusKey as taggedStatusKey, storedBlocks, type RowRef } from '../block-keys.js';

export { MAX_BLOCK_ROWS, type RowRef };
/** the store keys' tag (the operator's other keys start with 'a' and 'w') */
const TAG = 'b';

interface Block {
  readonly id: number;
  readonly batch: arrow.RecordBatch;
  readonly firstSeq: number;
  readonly alive: Uint8Array;
  live: number;
  /** the alive flags must be written at the end of the batch */
  dirty: boolean;
  readonly bytes: number;
}

/** A block read back from the store: its rows, the first's arrival number and which are alive. */
export interface StoredBlock {
  readonly first: RowRef;
  readonly batch: arrow.RecordBatch;
  readonly firstSeq: number;
  readonly alive: Uint8Array;
}

const blockKey = (id: number): string => taggedBlockKey(TAG, id);
const statusKey = (id: number): string => taggedStatusKey(TAG, id);

export class RowBlocks {
  private readonly blocks = new Map<number, Block>();
  private nextBlock = 0;
  private rows = 0;
  private bytes = 0;
  /** rows added or removed since the last sync, and in the batch that sync ended */
  private changing = 0;
  private changed = 0;

  constructor(private readonly store: StateStore) {}

  /** live rows */
  get size(): number {
    return this.rows;
  }

  /** rows that came or went in the last batch */
  get updated(): number {
    return this.changed;
  }

  /** bytes of the held rows' blocks */
  get memoryBytes(): number {
    return this.bytes;
  }

  /** Hold the rows of `batch` (numbered from `firstSeq`): one block. Returns the RowRef of the first; the others follow. */
  add(batch: arrow.RecordBatch, firstSeq: number): RowRef {
    const n = batch.numRows;
    if (n === 0 || n > ROW_SPAN) throw new InternalError(`an OVER block of ${n} rows`);
    const id = this.nextBlock++;
    const ipc = arrow.tableToIPC(new arrow.Table(batch), 'stream');
    this.store.put(blockKey(id), [ipc, firstSeq]);
    this.make(id, ipc, firstSeq, new Uint8Array(n).fill(1));
    this.changing += n;
    return id * ROW_SPAN;
  }

  /** Row `ref` is no longer held (its block stays readable until the end of the batch: sync). */
  remove(ref: RowRef): void {
    const b = this.blockOf(ref);
    const row = ref % ROW_SPAN;
    if (b.alive[row] === 0) return;
    b.alive[row] = 0;
    b.live--;
    b.dirty = true;
    this.rows--;
    this.changing++;
  }

  /** Columns of the input of rows `refs`, in that order. */
  take(refs: readonly RowRef[]): arrow.Data[] {
    const first = this.blockOf(refs[0]!).batch;
    return takeBlockRows(refs, ROW_SPAN, (id) => this.blockOf(id * ROW_SPAN).batch, first.data.children.map((_, c) => c));
  }

  /** End of a batch: write the alive flags of blocks that changed; delete the blocks left empty. */
  sync(): void {
    this.changed = this.changing;
    this.changing = 0;
    for (const b of this.blocks.values()) {
      if (!b.dirty) continue;
      b.dirty = false;
      if (b.live > 0) {
        this.store.put(statusKey(b.id), [b.alive.slice()]);
        continue;
      }
      this.store.delete(blockKey(b.id));
      this.store.delete(statusKey(b.id));
      this.blocks.delete(b.id);
      this.bytes -= b.bytes;
    }
  }

  /** The store's blocks again (at start, and after an aborted batch), in the order they were made. */
  load(): StoredBlock[] {
    this.blocks.clear();
    this.rows = 0;
    this.bytes = 0;
    this.changing = 0;
    const { ids, status } = storedBlocks(this.store, TAG);
    this.nextBlock = ids.length === 0 ? 0 : ids[ids.length - 1]! + 1;
    return ids.map((id) => {
      const v = this.store.get(blockKey(id))!;
      const b = this.make(id, v[0] as Uint8Array, v[1] as number, (status.get(id)?.[0] as Uint8Array | undefined)?.slice());
      return { first: id * ROW_SPAN, batch: b.batch, firstSeq: b.firstSeq, alive: b.alive };
    });
  }

  private make(id: number, ipc: Uint8Array, firstSeq: number, alive: Uint8Array | undefined): Block {
    const batch = arrow.tableFromIPC(ipc).batches[0]!;
    const flags = alive ?? new Uint8Array(batch.numRows).fill(1);
    let live = 0;
    for (let i = 0; i < flags.length; i++) live += flags[i]!;
    const b: Block = { id, batch, firstSeq, alive: flags, live, dirty: false, bytes: ipc.byteLength };
    this.blocks.set(id, b);
    this.rows += live;
    this.bytes += b.bytes;
    return b;
  }

  private blockOf(ref: RowRef): Block {
    const b = this.blocks.get(Math.floor(ref / ROW_SPAN));
    if (!b) throw new InternalError(`OVER row ${ref} of a dropped block`);
    return b;
  }
}
