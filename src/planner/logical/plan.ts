/**
 * Logical plans: immutable trees of relational operators, one node kind per file in this folder.
 * Each node carries its output `schema`. Rules (planner/rules) rewrite them; the incremental planner
 * turns them into a streaming plan.
 */
import { assertNever } from '../../common/errors.js';
import type { Aggregate } from './aggregate.js';
import type { Correlate } from './correlate.js';
import { correlate } from './correlate.js';
import type { Filter } from './filter.js';
import type { Join } from './join.js';
import { join } from './join.js';
import type { LookupJoin } from './lookup-join.js';
import { lookupJoin } from './lookup-join.js';
import type { Project } from './project.js';
import type { Rank } from './rank.js';
import { rankOver } from './rank.js';
import type { Scan } from './scan.js';
import type { SemiJoin } from './semi-join.js';
import { semiJoin } from './semi-join.js';
import type { SingleRow } from './single-row.js';
import type { OverAggregate } from './over.js';
import { overAggregateOver } from './over.js';
import type { Union } from './union.js';
import type { TemporalJoin } from './temporal-join.js';
import { temporalJoinOver } from './temporal-join.js';
import type { WatermarkAssigner } from './watermark-assigner.js';
import type { WindowTvf } from './window-tvf.js';
import type { ProcessCall } from './process-call.js';
import { processCallOver } from './process-call.js';

export type { Aggregate, AggregateCall } from './aggregate.js';
export type { Correlate } from './correlate.js';
export { correlate } from './correlate.js';
export type { Filter } from './filter.js';
export type { Join, JoinType } from './join.js';
export type { LookupJoin, LookupJoinType } from './lookup-join.js';
export type { Project } from './project.js';
export type { Rank, RankFunction, RankOrderKey } from './rank.js';
export type { Scan } from './scan.js';
export type { SemiJoin } from './semi-join.js';
export { semiJoin } from './semi-join.js';
export type { SingleRow } from './single-row.js';
export { singleRow } from './single-row.js';
export type { OverAggregate, OverFrame } from './over.js';
export type { Union } from './union.js';
export type { TemporalJoin, TemporalJoinType } from './temporal-join.js';
export { temporalJoin, temporalJoinOver } from './temporal-join.js';
export type { WatermarkAssigner } from './watermark-assigner.js';
export type { WindowSpec, WindowTvf } from './window-tvf.js';
export { aggregate } from './aggregate.js';
export { filter } from './filter.js';
export { join, preserves } from './join.js';
export { lookupJoin } from './lookup-join.js';
export { project } from './project.js';
export { rank, rankOver } from './rank.js';
export { scan } from './scan.js';
export { overAggregate } from './over.js';
export { union } from './union.js';
export { watermarkAssigner } from './watermark-assigner.js';
export { windowTvf } from './window-tvf.js';
export type { ProcessCall } from './process-call.js';
export { processCall, processCallOver } from './process-call.js';

export type LogicalPlan = Scan | WatermarkAssigner | Project | Filter | Aggregate | Union | WindowTvf | Join | LookupJoin | Rank | Correlate | OverAggregate | ProcessCall | SemiJoin | SingleRow | TemporalJoin;
export type LogicalKind = LogicalPlan['kind'];

export function children(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case 'scan': return [];
    case 'watermarkAssigner': case 'project': case 'filter': case 'aggregate': case 'windowTvf': case 'lookupJoin': case 'rank': case 'correlate': case 'over': case 'processCall': case 'singleRow': return [p.input];
    case 'union': return p.inputs;
    case 'join': case 'semiJoin': case 'temporalJoin': return [p.left, p.right];
    default: return assertNever(p, 'plan node');
  }
}

/** The same node over new children (schemas of single-input nodes that pass rows through are kept). */
export function withChildren(p: LogicalPlan, kids: readonly LogicalPlan[]): LogicalPlan {
  switch (p.kind) {
    case 'scan': return p;
    case 'watermarkAssigner': return { ...p, input: kids[0]!, schema: kids[0]!.schema };
    case 'filter': case 'singleRow': return { ...p, input: kids[0]!, schema: kids[0]!.schema };
    case 'semiJoin': return semiJoin(p.anti, kids[0]!, kids[1]!, p.condition, p.span);
    case 'project': case 'aggregate': case 'windowTvf': return { ...p, input: kids[0]! };
    case 'union': return { ...p, inputs: kids };
    case 'rank': return rankOver(p, kids[0]!);
    case 'over': return overAggregateOver(p, kids[0]!);
    case 'processCall': return processCallOver(p, kids[0]!);
    // the schema follows the children (pruning may narrow them); nullability from the join type
    case 'join': return join(p.joinType, kids[0]!, kids[1]!, p.condition, p.span);
    case 'temporalJoin': return temporalJoinOver(p, kids[0]!, kids[1]!);
    case 'lookupJoin': return lookupJoin(p.joinType, kids[0]!, p.table, p.columns, p.condition, p.span);
    case 'correlate': return correlate(p.joinType, kids[0]!, p.fn, p.args, p.columns, p.span);
    default: return assertNever(p, 'plan node');
  }
}

/** Bottom-up rewrite. */
export function transformUp(p: LogicalPlan, f: (p: LogicalPlan) => LogicalPlan): LogicalPlan {
  const kids = children(p);
  const next = kids.length === 0 ? p : withChildren(p, kids.map((k) => transformUp(k, f)));
  return f(next);
}
