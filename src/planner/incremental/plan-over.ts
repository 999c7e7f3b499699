/**
 * How OVER aggregates (and ORDER BY a rowtime) run on a stream (physical OverAggregateNode):
 * - over an append-only input, as Flink: ordered by an event-time attribute (ascending, the binder
 *   checks), rows are released in time order as the watermark passes them; ordered by a
 *   processing-time attribute, each row comes out in the batch that reads it (its frame is what came
 *   before it); the result only inserts. An order on a column that is no time attribute is refused
 *   as Flink refuses it.
 * - over an input that retracts (an aggregation, a Top-N, a retracting join below), beyond Flink
 *   (which cannot consume retractions here: Nexmark q6): every row is kept and a changed partition's
 *   frames are recomputed; the result updates (DELETE / INSERT), so the query runs in update mode.
 *   ORDER BY a rowtime (a sort) is refused there: a sorted result that changes has no order to keep.
 */
import { WeirError } from '../../common/errors.js';
import type { LogicalPlan, OverAggregate } from '../logical/plan.js';
import { children } from '../logical/plan.js';
import type { OutputModeName } from './output-mode.js';
import type { JoinPlanningContext } from './plan-join.js';
import type { OverAggregateNode, PhysicalNode } from './physical.js';
import { timeAttributeOf } from './window-match.js';
import { joinRetracts } from './plan-join.js';
import { semiJoinRetracts } from './plan-semi-join.js';
import { topNUpdates } from './plan-top-n.js';

/** Whether rows of `p` may be retracted (an unbounded aggregation, a retracting join or Top-N, an updating OVER below). */
export function planUpdates(p: LogicalPlan): boolean {
  if (p.kind === 'aggregate' && p.window === undefined) return true;
  if (p.kind === 'join' && joinRetracts(p)) return true;
  if (p.kind === 'semiJoin' && semiJoinRetracts(p)) return true;
  if (p.kind === 'rank' && topNUpdates(p)) return true;
  return children(p).some(planUpdates);
}

export function planOver(p: OverAggregate, b: JoinPlanningContext, mode: OutputModeName): PhysicalNode {
  const input = b.build(p.input);
  const column = p.input.schema.columns[p.timeColumn]!.name;
  const what = p.sort ? 'ORDER BY' : 'OVER windows\' ordering';
  let form: OverAggregateNode['form'];
  if (input.appendOnly) {
    const domain = timeAttributeOf(p.input, p.timeColumn);
    if (domain === undefined) {
      throw new WeirError('PLAN',
        `${what} in stream mode must be defined on a time attribute: '${column}' is not one ` +
        '(declare WATERMARK FOR it in its table, or order by a column that is one)', p.span);
    }
    if (domain === 'processing' && p.sort) {
      throw new WeirError('UNSUPPORTED', `ORDER BY a processing-time attribute ('${column}') is not supported yet; order by an event-time attribute`, p.span);
    }
    // processing time (Flink's proctime OVER): rows are in order as they arrive, frames close at once
    form = domain === 'processing' ? 'processing' : 'watermark';
  } else {
    if (p.sort) {
      throw new WeirError('UNSUPPORTED',
        `ORDER BY ${column} is not supported on a result that updates: its rows change after they are sorted; ` +
        'sort an append-only stream, or use ORDER BY … LIMIT n (a Top-N)', p.span);
    }
    form = 'updating';
  }
  return b.register((operatorId): OverAggregateNode => ({
    kind: 'overAggregate', operatorId, input, partitionBy: p.partitionBy, timeColumn: p.timeColumn, frame: p.frame,
    calls: p.calls, sort: p.sort, form, mode, schema: p.schema, appendOnly: form !== 'updating',
  }));
}
