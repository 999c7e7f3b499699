import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import type { CatalogTable } from '../catalog.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** The joins a lookup join runs: the lookup table's own rows are never emitted unmatched. */
export type LookupJoinType = 'inner' | 'left';

/**
 * `probe JOIN t FOR SYSTEM_TIME AS OF probe.proctime AS s ON ...`: a processing-time lookup join
 * (Flink's). Each probe row is joined with the rows of the lookup table `table` as the table is when
 * the row is processed. Weir's lookup tables are bounded: their rows are loaded once when the query
 * starts, so the table is not a child plan and its changes after that are not seen.
 *
 * The output row is the probe row's columns followed by the table columns `columns` (indices into
 * the table's columns, which are all physical: projection pruning narrows them); `condition` reads
 * that layout. A LEFT join pads a probe row without a match with NULLs.
 */
export interface LookupJoin {
  readonly kind: 'lookupJoin';
  readonly joinType: LookupJoinType;
  readonly input: LogicalPlan;
  readonly table: CatalogTable;
  readonly columns: readonly number[];
  /** ON (and pushed-down WHERE) condition; has at least one equality probe expression = table column */
  readonly condition: BoundExpr;
  /** `FOR SYSTEM_TIME AS OF …`: where errors about the lookup table point */
  readonly span?: SourceSpan;
  readonly schema: Schema;
}

export function lookupJoin(
  joinType: LookupJoinType, input: LogicalPlan, table: CatalogTable, columns: readonly number[], condition: BoundExpr, span?: SourceSpan,
): LookupJoin {
  const pad = joinType === 'left';
  const schema: Schema = {
    columns: [
      ...input.schema.columns,
      ...columns.map((i) => table.columns[i]!).map((c) => (pad && !c.nullable ? { ...c, nullable: true } : c)),
    ],
  };
  return span
    ? { kind: 'lookupJoin', joinType, input, table, columns, condition, span, schema }
    : { kind: 'lookupJoin', joinType, input, table, columns, condition, schema };
}
