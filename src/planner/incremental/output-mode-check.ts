/**
 * Which output modes a plan can honour, and the default (CONTRACT.md: append where the plan allows
 * it, else update). A mode the plan cannot honour is refused before the query starts, with the
 * reason, in the spirit of Spark's UnsupportedOperationChecker.
 */
import type { SourceSpan } from '../../common/errors.js';
import { WeirError } from '../../common/errors.js';
import type { OutputModeName } from './output-mode.js';

/**
 * The stateful aggregations of a plan, as the mode check sees them, its retracting joins (outer
 * joins with no time bound, which emit NULL-padded rows and retract them when a match arrives), and
 * its Top-Ns whose result updates (all but a keep-first deduplication on processing time).
 */
export interface AggregationInfo {
  readonly kind: 'aggregate' | 'windowAggregate' | 'retractingJoin' | 'topN' | 'updatingOver';
  /** window aggregates: whether the window's time column carries a watermark */
  readonly watermarked: boolean;
}

export function chooseOutputMode(infos: readonly AggregationInfo[], requested: OutputModeName | undefined, span?: SourceSpan): OutputModeName {
  const aggs = infos.filter((a) => a.kind !== 'retractingJoin' && a.kind !== 'updatingOver');
  const joins = infos.filter((a) => a.kind === 'retractingJoin');
  const unbounded = aggs.filter((a) => a.kind === 'aggregate');
  const unwatermarked = aggs.filter((a) => a.kind === 'windowAggregate' && !a.watermarked);
  const topNs = aggs.filter((a) => a.kind === 'topN');
  const overs = infos.filter((a) => a.kind === 'updatingOver');
  switch (requested) {
    case 'append':
      if (unbounded.length > 0) {
        throw new WeirError('PLAN',
          'append output mode not supported when there are streaming aggregations on streaming tables without watermark: ' +
          'the aggregate never finalizes its groups; use update or complete', span);
      }
      if (unwatermarked.length > 0) {
        throw new WeirError('PLAN',
          'append output mode not supported for a window aggregation whose time column has no watermark: ' +
          'its windows never close; declare WATERMARK FOR the time column, or use update or complete', span);
      }
      if (joins.length > 0) {
        throw new WeirError('PLAN',
          'append output mode not supported for an outer join without a time bound: it emits a NULL-padded row for an ' +
          'unmatched row and retracts it when a match arrives; use update, or bound the join with a time range ' +
          'between the two sides\' event times (an interval join)', span);
      }
      if (topNs.length > 0) {
        throw new WeirError('PLAN',
          'append output mode not supported for a Top-N (ROW_NUMBER() OVER (...) filtered to the top N): a row leaves the ' +
          'result when a better one arrives, and the rows below it move down a rank; use update or complete', span);
      }
      if (overs.length > 0) {
        throw new WeirError('PLAN',
          'append output mode not supported for an OVER aggregation over a result that updates: a change recomputes ' +
          'the frames it is in and retracts their rows; use update', span);
      }
      return 'append';
    case 'complete':
      if (aggs.length === 0) {
        throw new WeirError('PLAN', 'complete output mode requires an aggregation: without one the result table grows without bound; use append', span);
      }
      return 'complete';
    case 'update':
      return 'update';
    case undefined:
      return unbounded.length === 0 && unwatermarked.length === 0 && joins.length === 0 && topNs.length === 0 && overs.length === 0 ? 'append' : 'update';
  }
}
