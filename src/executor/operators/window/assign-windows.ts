/**
 * Which windows each row falls in, computed over the time column's typed array.
 *
 * TUMBLE: one window [start, start + size) with start aligned to size (+ offset).
 * HOP: every window of `size` whose start is a multiple of `slide` (+ offset) and contains t.
 * CUMULATE: windows [start, start + k·step) for k = 1 … size/step, start aligned to size, that contain t.
 * The result lists (row, start, end) triples in row order; a row with a NULL time gets none (as Flink).
 */
import type * as arrow from 'apache-arrow';
import { InternalError } from '../../../common/errors.js';
import type { WindowSpec } from '../../../planner/logical/plan.js';

export interface WindowAssignment {
  /** number of (row, window) pairs */
  readonly count: number;
  readonly rows: Uint32Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
}

/** Floor of (t - offset) to a multiple of `size`, plus offset, for negative times too. */
export function alignStart(t: number, size: number, offset: number): number {
  return Math.floor((t - offset) / size) * size + offset;
}

/** Epoch milliseconds of a TIMESTAMP column, or NaN where NULL (values are pre-sliced; bitmaps use offset). */
export function timesOf(d: arrow.Data): Float64Array {
  const n = d.length;
  const out = new Float64Array(n);
  const vals = d.values as ArrayLike<bigint | number>;
  const off = d.offset;
  const bm = d.nullCount > 0 ? d.nullBitmap : undefined;
  const big = vals instanceof BigInt64Array;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    if (bm && ((bm[j >> 3]! >> (j & 7)) & 1) === 0) out[i] = NaN;
    else out[i] = big ? Number((vals as BigInt64Array)[i]) : (vals as ArrayLike<number>)[i]!;
  }
  return out;
}

export function windowsPerRow(spec: WindowSpec): number {
  switch (spec.kind) {
    case 'tumble': return 1;
    case 'hop': return Math.ceil(spec.sizeMs / spec.slideMs);
    case 'cumulate': return Math.ceil(spec.sizeMs / spec.stepMs);
    case 'session': throw new InternalError('session windows are assigned by merging, not per row');
  }
}

export function assignWindows(spec: WindowSpec, times: Float64Array): WindowAssignment {
  const n = times.length;
  const cap = n * windowsPerRow(spec);
  const rows = new Uint32Array(cap);
  const starts = new Float64Array(cap);
  const ends = new Float64Array(cap);
  let k = 0;
  switch (spec.kind) {
    case 'tumble': {
      const { sizeMs: size, offsetMs: offset } = spec;
      for (let i = 0; i < n; i++) {
        const t = times[i]!;
        if (t !== t) continue; // NaN: NULL time
        const s = alignStart(t, size, offset);
        rows[k] = i; starts[k] = s; ends[k] = s + size; k++;
      }
      break;
    }
    case 'hop': {
      const { sizeMs: size, slideMs: slide, offsetMs: offset } = spec;
      for (let i = 0; i < n; i++) {
        const t = times[i]!;
        if (t !== t) continue;
        // windows in start order, earliest first, as Flink lists them
        const last = alignStart(t, slide, offset);
        let first = last;
        while (first - slide > t - size) first -= slide;
        for (let s = first; s <= last; s += slide) {
          rows[k] = i; starts[k] = s; ends[k] = s + size; k++;
        }
      }
      break;
    }
    case 'cumulate': {
      const { sizeMs: size, stepMs: step, offsetMs: offset } = spec;
      for (let i = 0; i < n; i++) {
        const t = times[i]!;
        if (t !== t) continue;
        const s = alignStart(t, size, offset);
        for (let e = alignStart(t, step, offset) + step; e <= s + size; e += step) {
          rows[k] = i; starts[k] = s; ends[k] = e; k++;
        }
      }
      break;
    }
    case 'session':
      throw new InternalError('session windows are assigned by merging, not per row');
  }
  return { count: k, rows, starts, ends };
}
