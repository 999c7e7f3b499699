/** One line per micro-batch for `weir run --progress` and the demo. */
import type { QueryProgress } from '../executor/streaming/progress.js';

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatProgressLine(p: QueryProgress, withName: boolean): string {
  const wm = p.eventTime.watermark ?? '-';
  const rejected = p.numRejectedRows > 0 ? `  rejected ${p.numRejectedRows}` : '';
  const state = p.stateOperators.length > 0 ? `  state ${fmt.format(p.stateOperators.reduce((a, s) => a + s.numRowsTotal, 0))} rows` : '';
  return `${withName ? `[${p.name}] ` : ''}batch ${p.batchId}: ${fmt.format(p.numInputRows)} rows  ` +
    `${fmt.format(p.processedRowsPerSecond)} rows/s  ${p.durationMs.triggerExecution.toFixed(1)} ms  ` +
    `out ${fmt.format(p.sink.numOutputRows)}  watermark ${wm}${state}${rejected}`;
}
