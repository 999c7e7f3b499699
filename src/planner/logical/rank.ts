import type { SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { T } from '../../common/types.js';
import type { BoundExpr } from '../expr.js';
import type { LogicalPlan } from './plan.js';

/** One ORDER BY key of `ROW_NUMBER() OVER (... ORDER BY ...)`. */
export interface RankOrderKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  /** where NULLs go, whatever the direction (the binder fills in Flink's default: first for ASC, last for DESC) */
  readonly nullsFirst: boolean;
}

/**
 * Which numbering the Top-N filters on: ROW_NUMBER numbers rows 1, 2, 3 (ties by arrival); RANK gives
 * tied rows the same number and skips after them (1, 1, 3); DENSE_RANK does not skip (1, 1, 2).
 */
export type RankFunction = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK';

/**
 * Top-N (and deduplication, N = 1): `ROW_NUMBER() OVER (PARTITION BY k ORDER BY c) AS rn` filtered
 * by `rn <= N`. Per partition the rows are numbered by the ORDER BY keys (ties: the row that came
 * first ranks first); only the rows ranked `rankStart`..`rankEnd` (1-based, inclusive) are kept.
 *
 * The output is every input column, then, when `outputRank` is set, the row number (BIGINT) named
 * `rankName`. The binder builds the node with `rankEnd` = +∞ when it meets the ROW_NUMBER in a select
 * list, and sets the bounds when it finds the enclosing WHERE on the row number; one left unbounded
 * is refused. Projection pruning clears `outputRank` when nothing reads the row number.
 */
export interface Rank {
  readonly kind: 'rank';
  readonly input: LogicalPlan;
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly RankOrderKey[];
  readonly rankStart: number;
  readonly rankEnd: number;
  readonly outputRank: boolean;
  readonly rankName: string;
  /** the numbering (ROW_NUMBER unless RANK or DENSE_RANK): with RANK and DENSE_RANK N ranks may hold more than N rows */
  readonly rankFunction: RankFunction;
  /** the ROW_NUMBER() call, for errors */
  readonly span: SourceSpan;
  readonly schema: Schema;
}

export function rank(
  input: LogicalPlan,
  partitionBy: readonly BoundExpr[],
  orderBy: readonly RankOrderKey[],
  bounds: { readonly rankStart: number; readonly rankEnd: number; readonly rankFunction?: RankFunction },
  outputRank: boolean,
  rankName: string,
  span: SourceSpan,
): Rank {
  const columns = outputRank
    ? [...input.schema.columns, { name: rankName, type: T.BIGINT, nullable: false }]
    : input.schema.columns;
  return {
    kind: 'rank', input, partitionBy, orderBy, rankStart: bounds.rankStart, rankEnd: bounds.rankEnd,
    outputRank, rankName, rankFunction: bounds.rankFunction ?? 'ROW_NUMBER', span, schema: { columns },
  };
}

/** The same Top-N over another input (of the same columns, or fewer after pruning). */
export function rankOver(p: Rank, input: LogicalPlan): Rank {
  return rank(input, p.partitionBy, p.orderBy, p, p.outputRank, p.rankName, p.span);
}
