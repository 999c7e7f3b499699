/**
 * The blocks of a join side that keep their rows in memory (resident-blocks.ts): the least recently
 * used are let go past the budget; bytes read back for a block are released once it is let go, and
 * only at releaseLetGo, so a take holding several blocks' batches reads them whole until it is done;
 * bytes that are not read-back copies (the store's own) are never released.
 */
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import { T } from '../../../src/common/types.js';
import { ResidentBlocks, type ResidentBlock } from '../../../src/executor/operators/join/resident-blocks.js';

const batch = rowsToBatch({ columns: [{ name: 'x', type: T.INT, nullable: false }] }, [{ x: 1 }]);

function block(id: number): ResidentBlock {
  return { id, bytes: 100, batch: undefined, readers: undefined };
}

describe('ResidentBlocks', () => {
  it('releases the read-back bytes of blocks let go at releaseLetGo, not before, and never bytes it does not own', () => {
    const bytes = new Map<number, Uint8Array>();
    // even blocks come back as read-back copies, odd ones as the store's own bytes
    const resident = new ResidentBlocks<ResidentBlock>(250, (b) => {
      const own = new Uint8Array(100).fill(b.id);
      bytes.set(b.id, own);
      return { batch, readBack: b.id % 2 === 0 ? own : undefined };
    });
    const blocks = [0, 1, 2, 3, 4].map(block);
    for (const b of blocks) resident.use(b); // a budget of two blocks: 0, 1 and 2 are let go
    expect(blocks.map((b) => b.batch !== undefined)).toEqual([false, false, false, true, true]);
    // let go, but a caller may still hold their batches: nothing released yet
    for (const id of [0, 1, 2]) expect(bytes.get(id)!.byteLength).toBe(100);
    resident.releaseLetGo();
    expect(bytes.get(0)!.byteLength).toBe(0);
    expect(bytes.get(2)!.byteLength).toBe(0);
    expect(bytes.get(1)!.byteLength).toBe(100); // the store's own
    // resident blocks keep theirs; a block read again gets fresh bytes, released when let go again
    expect(bytes.get(4)!.byteLength).toBe(100);
    resident.use(blocks[0]!);
    const again = bytes.get(0)!;
    expect(again.byteLength).toBe(100);
    resident.use(blocks[1]!);
    resident.use(blocks[2]!);
    resident.releaseLetGo();
    expect(again.byteLength).toBe(0);
    expect(bytes.get(4)!.byteLength).toBe(0);
    expect(blocks[0]!.batch).toBeUndefined();
  });
});
