/**
 * The progress of a parallel query's state operators: every task runs every operator over its own
 * key groups, so a figure of the query is the sum of the tasks' figures (rows, bytes, windows), and
 * the oldest open window is the oldest of any task's.
 */
import type { StateOperatorProgressOnDisk } from '../streaming/progress.js';

type Numeric = 'numRowsTotal' | 'numRowsUpdated' | 'memoryUsedBytes' | 'numRowsDroppedByWatermark' | 'numOpenWindows' | 'numRowsExpired' | 'stateSizeOnDiskBytes';
const SUMMED: readonly Numeric[] = ['numRowsTotal', 'numRowsUpdated', 'memoryUsedBytes', 'numRowsDroppedByWatermark', 'numOpenWindows', 'numRowsExpired', 'stateSizeOnDiskBytes'];

/** `perTask[t][i]`: operator i of task t (every task has the same operators in the same order). */
export function sumTaskProgress(perTask: readonly (readonly StateOperatorProgressOnDisk[])[]): StateOperatorProgressOnDisk[] {
  const first = perTask[0] ?? [];
  return first.map((p0, i) => {
    const out: Record<string, unknown> = { ...p0 };
    for (const k of SUMMED) {
      if (p0[k] === undefined) continue;
      out[k] = perTask.reduce((a, list) => a + (list[i]?.[k] ?? 0), 0);
    }
    if ('oldestOpenWindowEnd' in p0) {
      const ends = perTask.map((list) => list[i]?.oldestOpenWindowEnd).filter((x): x is string => typeof x === 'string');
      out['oldestOpenWindowEnd'] = ends.length === 0 ? null : ends.reduce((a, b) => (b < a ? b : a));
    }
    return out as unknown as StateOperatorProgressOnDisk;
  });
}
