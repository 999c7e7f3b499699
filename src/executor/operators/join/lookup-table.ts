/**
 * The lookup table of a lookup join: every row of a bounded source, read once when the query starts
 * (readLookupRows), and a hash index of those rows on the lookup key (LookupIndex).
 *
 * The index is a chained hash table over row numbers: `head` maps a key to its first row and `next`
 * links the rows of one key, so a key with many rows costs no arrays per key. A key is the value
 * itself for one key column (a number or a string: a JS Map hashes both cheaply), the key codec's
 * string otherwise (see joinMapKeys); rows with a NULL key are left out, since NULL equals nothing.
 */
import type * as arrow from 'apache-arrow';
import { batchFromColumns, concatBatches } from '../../../common/columns.js';
import type { Schema } from '../../../common/schema.js';
import { toArrowSchema } from '../../../common/schema.js';
import type { Json, RejectedRecord, Source } from '../../../connectors/api.js';
import { NULL_KEY } from '../window/row-keys.js';
import type { KeyCodec } from '../../keys/key-codec.js';
import { joinMapKeys } from './join-keys.js';

export interface LookupRows {
  /** the rows, with the lookup row's schema (the table columns the join loads) */
  readonly rows: arrow.RecordBatch;
  /** malformed records of the table's files: kept aside like any source's */
  readonly rejected: readonly RejectedRecord[];
}

const offsetKey = (o: Json | undefined): string => (o === undefined ? '' : JSON.stringify(o));

/**
 * Every row of bounded `source`, physical columns `columns` of it (by index), as one batch: the
 * source is asked for offsets until it offers nothing new or is exhausted (a per-trigger file cap
 * takes several rounds).
 */
export async function readLookupRows(source: Source, schema: Schema, columns: readonly number[]): Promise<LookupRows> {
  const arrowSchema = toArrowSchema(schema);
  const batches: arrow.RecordBatch[] = [];
  const rejected: RejectedRecord[] = [];
  let offset: Json | undefined;
  for (;;) {
    const end = await source.latestOffset(offset);
    if (end === undefined || offsetKey(end) === offsetKey(offset)) break;
    const r = await source.read(offset, end);
    for (const b of r.batches) {
      if (b.numRows > 0) batches.push(batchFromColumns(arrowSchema, columns.map((i) => b.data.children[i]!), b.numRows));
    }
    for (const rec of r.rejected) rejected.push(rec);
    offset = end;
    if (source.isExhausted(offset)) break;
  }
  return { rows: concatBatches(arrowSchema, batches), rejected };
}

export class LookupIndex {
  private readonly head = new Map<unknown, number>();
  /** next row of the same key, -1 at the end of a chain */
  private readonly next: Int32Array;

  /** `keys`: the key columns computed over the table's rows, one value per row each */
  constructor(codec: KeyCodec, keys: readonly arrow.Data[], numRows: number) {
    this.next = new Int32Array(numRows).fill(-1);
    const mapKeys = joinMapKeys(codec, keys, numRows);
    // walk backwards so each chain lists its rows in table order
    for (let i = numRows - 1; i >= 0; i--) {
      const k = mapKeys[i];
      if (k === NULL_KEY) continue;
      const first = this.head.get(k);
      if (first !== undefined) this.next[i] = first;
      this.head.set(k, i);
    }
  }

  /** The first row with key `k`, or -1. */
  first(k: unknown): number {
    return this.head.get(k) ?? -1;
  }

  /** The row after `row` with the same key, or -1. */
  after(row: number): number {
    return this.next[row]!;
  }

  get distinctKeys(): number {
    return this.head.size;
  }
}
