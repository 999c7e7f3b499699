/**
 * The join key of a row, as the stream, semi, temporal and lookup joins compare it: each side's key
 * codec (the two sides of one key pair meet as SQL compares them) and a Map key per row.
 */
import type * as arrow from 'apache-arrow';
import { readerFor } from '../../../common/columns.js';
import { T, typesEqual, type SqlType } from '../../../common/types.js';
import { KeyCodec } from '../../keys/key-codec.js';
import { encodeColumns } from '../../keys/key-columns.js';
import { decodeColumn, NULL_KEY } from '../window/row-keys.js';

/**
 * The key codecs of the two sides of an equi-join, pair by pair. The codec tags numbers by value, so
 * an INT and a DOUBLE key meet as SQL compares them; only DECIMAL is tagged by type, so a DECIMAL
 * compared with a key of another type is encoded under the number rule on that side.
 */
export function joinKeyCodecs(left: readonly SqlType[], right: readonly SqlType[]): [KeyCodec, KeyCodec] {
  const meet = (mine: SqlType, other: SqlType): SqlType =>
    mine.kind === 'DECIMAL' && !typesEqual(mine, other) ? T.DOUBLE : mine;
  return [new KeyCodec(left.map((t, i) => meet(t, right[i]!))), new KeyCodec(right.map((t, i) => meet(t, left[i]!)))];
}

/**
 * Each row's join key as a Map key: the value itself for one key column a Map compares as SQL does
 * (KeyCodec.valueIsMapKey), else the codec's string; NULL_KEY when a key value is NULL (it never matches).
 */
export function joinMapKeys(codec: KeyCodec, columns: readonly arrow.Data[], n: number): unknown[] {
  if (codec.valueIsMapKey) {
    const c = decodeColumn(columns[0]!);
    for (let i = 0; i < n; i++) if (c[i] === null || c[i] === undefined) c[i] = NULL_KEY;
    return c;
  }
  const out: unknown[] = encodeColumns(codec, columns, n);
  for (const d of columns) {
    if (d.nullCount === 0) continue;
    const read = readerFor(d);
    for (let i = 0; i < n; i++) if (read(i) === null) out[i] = NULL_KEY;
  }
  return out;
}
