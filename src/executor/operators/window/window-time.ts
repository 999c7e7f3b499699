/**
 * When windows close and which rows are late for them, shared by the window operators (window and
 * session aggregation, window Top-N, OVER): the closing time of a batch, the late threshold, and the
 * windows a row of a TUMBLE, HOP or CUMULATE falls in.
 */
import { InternalError } from '../../../common/errors.js';
import type { WindowAggregateNode } from '../../../planner/incremental/physical.js';
import type { WindowSpec } from '../../../planner/logical/plan.js';
import type { BatchContext } from '../operator.js';

/** The time that closes windows: the watermark, or in the processing-time domain the clock (+∞ once every input ended). */
export function closingTime(domain: WindowAggregateNode['timeDomain'], watermark: number, processingTime: number): number {
  return domain === 'processing' ? (watermark === Infinity ? Infinity : processingTime) : watermark;
}

/**
 * The time at or below which a window is closed for arriving rows. None in the processing-time
 * domain, and none in complete mode: there every window is kept and emitted each batch anyway, so a
 * row behind the watermark still counts in its window (the batch answer, as Spark's complete mode).
 */
export function lateThreshold(domain: WindowAggregateNode['timeDomain'], ctx: BatchContext, mode: WindowAggregateNode['mode']): number {
  return domain === 'processing' || mode === 'complete' ? -Infinity : ctx.lateWatermark ?? ctx.watermark;
}

/** Windows of a row at time t: `count` windows from `first`, each `step` later, ending `size` after start (CUMULATE: growing ends). */
export function windowParams(w: WindowSpec): { size: number; slide: number; offset: number; perRow: number } {
  switch (w.kind) {
    case 'tumble': return { size: w.sizeMs, slide: w.sizeMs, offset: w.offsetMs, perRow: 1 };
    case 'hop': return { size: w.sizeMs, slide: w.slideMs, offset: w.offsetMs, perRow: w.sizeMs / w.slideMs };
    case 'cumulate': return { size: w.sizeMs, slide: w.stepMs, offset: w.offsetMs, perRow: w.sizeMs / w.stepMs };
    case 'session': throw new InternalError('session windows are aggregated by SessionAggregateOperator');
  }
}
