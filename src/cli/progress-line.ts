/** One line per micro-batch for `weir run --progress` and the demo. */
import type { QueryProgress } from '../executor/streaming/progress.js';
import { formatCount } from './format-count.js';

export function formatProgressLine(p: QueryProgress, withName: boolean): string {
  const wm = p.eventTime.watermark ?? '-';
  const rejected = p.numRejectedRows > 0 ? `  rejected ${p.numRejectedRows}` : '';
  const state = p.stateOperators.length > 0 ? `  state ${formatCount(p.stateOperators.reduce((a, s) => a + s.numRowsTotal, 0))} rows` : '';
  return `${withName ? `[${p.name}] ` : ''}batch ${p.batchId}: ${formatCount(p.numInputRows)} rows  ` +
    `${formatCount(p.processedRowsPerSecond)} rows/s  ${p.durationMs.triggerExecution.toFixed(1)} ms  ` +
    `out ${formatCount(p.sink.numOutputRows)}  watermark ${wm}${inputs(p)}${state}${rejected}${tasks(p)}${resplit(p)}`;
}

/** At parallelism > 1: `  2 tasks on 2 threads`, or `  2 tasks inline` (progress.parallelism.inlineBecause says why). */
const tasks = (p: QueryProgress): string =>
  (p.parallelism ? `  ${p.parallelism.tasks} tasks ${p.parallelism.threads > 0 ? `on ${p.parallelism.threads} threads` : 'inline'}` : '');

/** After a resume at another parallelism: `  state re-split 1 → 2 tasks by key group (12 ms)`, or `… by replay`. */
const resplit = (p: QueryProgress): string => {
  const r = p.stateResplit;
  if (!r) return '';
  return `  state re-split ${r.fromTasks} → ${r.toTasks} tasks ${r.by === 'keyGroups' ? `by key group (${r.durationMs ?? 0} ms)` : 'by replay'}`;
};

/**
 * With several watermarked inputs, each one's watermark (time of day: the date is the query
 * watermark's) or `idle`, and the input holding the query's watermark back: why a window is open.
 */
function inputs(p: QueryProgress): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const s of p.sources) {
    if (s.eventTime === undefined || (s.eventTime.watermark === null && !s.idle) || seen.has(s.table)) continue;
    seen.add(s.table); // a table scanned twice (a self-join) has one watermark
    parts.push(`${s.table} ${s.idle ? 'idle' : timeOfDay(s.eventTime.watermark)}`);
  }
  if (parts.length < 2 && p.eventTime.watermarkHeldBackBy === undefined) return '';
  const held = p.eventTime.watermarkHeldBackBy;
  return ` (${parts.join(', ')}${held !== undefined ? `; held back by ${held}` : ''})`;
}

const timeOfDay = (iso: string | null): string => (iso === null ? '-' : iso.length >= 23 ? iso.slice(11, 23) : iso);
