import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** The joins an event-time temporal join runs: a version is never emitted on its own. */
export type TemporalJoinType = 'inner' | 'left';

/**
 * `probe [LEFT] JOIN v FOR SYSTEM_TIME AS OF probe.rowtime AS r ON probe.k = r.k`: an event-time
 * temporal join (Flink's) against the versioned table `v` (a PRIMARY KEY and a WATERMARK). Each row of
 * `left` is joined with the version of its key valid at its event time: the latest row of `right`
 * for that key whose event time is at or before it.
 *
 * The output row is the left row's columns followed by the right row's; `condition` reads that layout
 * and has an equality on every primary-key column of the versioned table (`rightKey`).
 * `leftTime` / `rightTime`: the rowtime columns of each side (side-local indices).
 */
export interface TemporalJoin extends TemporalJoinSpec {
  readonly kind: 'temporalJoin';
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly schema: Schema;
}

/** A temporal join apart from its inputs and schema: what the binder states and the node carries. */
export interface TemporalJoinSpec {
  readonly joinType: TemporalJoinType;
  readonly condition: BoundExpr;
  readonly leftTime: number;
  readonly rightTime: number;
  /** the versioned table's primary-key columns (indices into the right side) */
  readonly rightKey: readonly number[];
  /** the versioned table's name, for EXPLAIN and errors */
  readonly tableName: string;
  /** `FOR SYSTEM_TIME AS OF …` */
  readonly span?: SourceSpan;
}

export function temporalJoin(left: LogicalPlan, right: LogicalPlan, spec: TemporalJoinSpec): TemporalJoin {
  const pad = spec.joinType === 'left';
  const schema: Schema = {
    columns: [...left.schema.columns, ...right.schema.columns.map((c) => (pad && !c.nullable ? { ...c, nullable: true } : c))],
  };
  const { span, ...rest } = spec;
  return span ? { kind: 'temporalJoin', left, right, ...rest, span, schema } : { kind: 'temporalJoin', left, right, ...rest, schema };
}

/** The same join over new inputs with the same columns (the schema follows their nullability). */
export function temporalJoinOver(p: TemporalJoin, left: LogicalPlan, right: LogicalPlan): TemporalJoin {
  return temporalJoin(left, right, p);
}
