/**
 * UNNEST(a, b, …) of several collections (unnest.ts): for each input row the collections side by
 * side, as many output rows as the longest has elements, each shorter one NULL past its end (as
 * Calcite's UNNEST, which Flink runs, and DuckDB's unnest of several lists). A MULTISET counts each
 * element as often as it holds it; a MAP gives key and value; a ROW element its fields. A row whose
 * collections are all NULL or empty yields no row (a LEFT join keeps it, padded with NULLs).
 *
 * Rare and small, so it reads each row's collections as JS values rather than by Arrow offsets.
 */
import type * as arrow from 'apache-arrow';
import { columnFromValues, valueAt } from '../../common/columns.js';
import type { SqlType } from '../../common/types.js';

type Kernel = (b: arrow.RecordBatch) => arrow.Data;

export interface Zipped {
  /** the input row of each output row */
  readonly from: Uint32Array;
  /** each output row's 1-based position in its input row's collections */
  readonly ordinal: Int32Array;
  /** the unnested columns, each collection's in turn */
  readonly columns: arrow.Data[];
}

export class ZippedUnnest {
  constructor(private readonly kernels: readonly Kernel[], private readonly types: readonly SqlType[], private readonly left: boolean) {}

  unnest(b: arrow.RecordBatch): Zipped {
    const n = b.numRows;
    const data = this.kernels.map((k) => k(b));
    const from: number[] = [], ordinal: number[] = [];
    const cells: unknown[][][] = this.types.map((t) => widthOf(t) === 2 ? [[], []] : fieldsOf(t).map(() => []));
    for (let i = 0; i < n; i++) {
      const lists = data.map((d, c) => elements(valueAt(d, i), this.types[c]!));
      const rows = Math.max(0, ...lists.map((l) => l.length));
      if (rows === 0 && !this.left) continue;
      for (let r = 0; r < Math.max(rows, 1); r++) {
        from.push(i);
        ordinal.push(r + 1);
        lists.forEach((l, c) => {
          const cols = cells[c]!;
          const v = r < l.length ? l[r] : null;
          const t = this.types[c]!;
          if (t.kind === 'MAP') {
            const kv = v as [unknown, unknown] | null;
            cols[0]!.push(kv === null ? null : kv[0]);
            cols[1]!.push(kv === null ? null : kv[1]);
          } else {
            const fields = fieldsOf(t);
            if (fields.length === 1 && fields[0] === undefined) cols[0]!.push(v);
            else fields.forEach((f, k) => cols[k]!.push(v === null ? null : (v as Record<string, unknown>)[f!] ?? null));
          }
        });
      }
    }
    const columns = this.types.flatMap((t, c) => columnTypes(t).map((ct, k) => columnFromValues(ct, cells[c]![k]!)));
    return { from: Uint32Array.from(from), ordinal: Int32Array.from(ordinal), columns };
  }
}

/** A collection's elements as a list: an ARRAY's, a MULTISET's each as often as it counts, a MAP's [key, value] pairs. */
function elements(v: unknown, t: SqlType): unknown[] {
  if (v === null || v === undefined) return [];
  if (t.kind === 'MAP') return [...(v as Map<unknown, unknown>)];
  if (t.kind === 'MULTISET') {
    const out: unknown[] = [];
    for (const [x, count] of v as Map<unknown, number>) for (let k = 0; k < Number(count); k++) out.push(x);
    return out;
  }
  return v as unknown[];
}

const widthOf = (t: SqlType): number => (t.kind === 'MAP' ? 2 : columnTypes(t).length);

/** The field names of a ROW element (one column each), or [undefined] for an element that is one column. */
function fieldsOf(t: SqlType): (string | undefined)[] {
  const e = t.kind === 'ARRAY' || t.kind === 'MULTISET' ? t.element : undefined;
  return e?.kind === 'ROW' ? e.fields.map((f) => f.name) : [undefined];
}

function columnTypes(t: SqlType): SqlType[] {
  if (t.kind === 'MAP') return [t.key, t.value];
  const e = t.kind === 'ARRAY' || t.kind === 'MULTISET' ? t.element : t;
  return e.kind === 'ROW' ? e.fields.map((f) => f.type) : [e];
}
