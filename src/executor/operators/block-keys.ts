/**
 * How operators that hold rows as Arrow blocks (a join's sides, join-state.ts; an OVER's rows,
 * over/row-blocks.ts) name a row and keep a block in the state store. A row is a RowRef: its block id
 * and row packed in one number. A block is two store entries under its operator's tag: the block's
 * rows (`<tag><id in base 36>`) and its rows' status (that key and `:s`, ':' being no base-36 digit:
 * with a bare `s`, block 64's key "1s" was block 1's status key and each overwrote the other).
 */
import type { StateStore, StateValue } from '../../state/state-store.js';

/** A stored row: block id × ROW_SPAN + row index in the block. */
export type RowRef = number;
export const ROW_SPAN = 2 ** 22;
/** Chunks larger than this are stored as several blocks. */
export const MAX_BLOCK_ROWS = ROW_SPAN;

export const blockKey = (tag: string, id: number): string => tag + id.toString(36);
export const statusKey = (tag: string, id: number): string => `${blockKey(tag, id)}:s`;

/** The ids of the blocks under `tag` in `store`, ascending, and each one's status entry. */
export function storedBlocks(store: StateStore, tag: string): { ids: number[]; status: Map<number, StateValue> } {
  const status = new Map<number, StateValue>();
  const ids: number[] = [];
  for (const [key, v] of store.entries()) {
    if (!key.startsWith(tag)) continue;
    if (key.endsWith(':s')) status.set(parseInt(key.slice(tag.length, -2), 36), v);
    else ids.push(parseInt(key.slice(tag.length), 36));
  }
  ids.sort((a, b) => a - b);
  return { ids, status };
}

/** A typed array's bytes as stored in a block's entries (little-endian, as the machine's). */
export const bytesOf = (a: Float64Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
/** Stored bytes read back as numbers (copied: the bytes may sit at any offset). */
export const float64Of = (b: Uint8Array): Float64Array => new Float64Array(b.slice().buffer);
export const int32Of = (b: Uint8Array): Int32Array => new Int32Array(b.slice().buffer);
