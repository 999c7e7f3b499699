import type { WindowSpec } from '../../../planner/logical/plan.js';

/** `TUMBLE(size=10000ms)` and the like, for EXPLAIN lines. */
export function describeWindow(w: WindowSpec): string {
  switch (w.kind) {
    case 'tumble': return `TUMBLE(size=${w.sizeMs}ms${w.offsetMs ? `, offset=${w.offsetMs}ms` : ''})`;
    case 'hop': return `HOP(slide=${w.slideMs}ms, size=${w.sizeMs}ms${w.offsetMs ? `, offset=${w.offsetMs}ms` : ''})`;
    case 'cumulate': return `CUMULATE(step=${w.stepMs}ms, size=${w.sizeMs}ms${w.offsetMs ? `, offset=${w.offsetMs}ms` : ''})`;
    case 'session': return `SESSION(gap=${w.gapMs}ms${w.partitionBy.length ? `, partitioned` : ''})`;
  }
}
