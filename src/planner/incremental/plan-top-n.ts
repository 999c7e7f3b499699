/**
 * How a Top-N (logical Rank) runs incrementally: whether its result only ever grows, and which of
 * its output columns identify a result row for an upserting sink.
 *
 * A Top-N's result updates: a better row pushes the N-th out, and the rows below a new one move
 * down a rank. The one exception is a keep-first deduplication on processing time
 * (`ORDER BY proctime ASC`, ranks 1..1) over an input that never retracts: every later row has a
 * later (or the same, and ties go to the row that came first) processing time, so the first row of
 * a partition stays first forever and the result is append-only (as Flink's).
 *
 * A window Top-N (and window deduplication) is partitioned by the window_end of an event-time window
 * TVF or window aggregation, over an input that never retracts: as Flink's window rank, it ranks each
 * window's rows as they come, emits the window's ranking once, when the watermark closes the window,
 * and drops its state then; rows of a window already closed are late. Its result only inserts.
 */
import type { Aggregate, LogicalPlan, Rank } from '../logical/plan.js';
import { children } from '../logical/plan.js';
import type { OutputModeName } from './output-mode.js';
import type { JoinPlanningContext } from './plan-join.js';
import { joinRetracts } from './plan-join.js';
import { semiJoinRetracts } from './plan-semi-join.js';
import type { PhysicalNode, TopNNode } from './physical.js';
import { matchWindowAggregate, timeAttributeOf, windowBoundOf } from './window-match.js';

/** `ORDER BY <processing-time attribute> ASC` keeping rank 1 only. */
function keepsFirstOnProcessingTime(p: Rank): boolean {
  if (p.rankStart !== 1 || p.rankEnd !== 1 || p.orderBy.length !== 1) return false;
  const k = p.orderBy[0]!;
  return !k.descending && k.expr.kind === 'column' && timeAttributeOf(p.input, k.expr.index) === 'processing';
}

/** `ORDER BY <time attribute> DESC` keeping rank 1 only: Flink's keep-last deduplication. */
function keepsLastOnTime(p: Rank): boolean {
  if (p.rankFunction !== 'ROW_NUMBER' || p.rankStart !== 1 || p.rankEnd !== 1 || p.orderBy.length !== 1) return false;
  const k = p.orderBy[0]!;
  return k.descending && k.expr.kind === 'column' && timeAttributeOf(p.input, k.expr.index) !== undefined;
}

/**
 * Whether rows of `p` may be retracted or updated (an aggregation, a retracting join or Top-N below).
 * With `windowsFinal`, an event-time window aggregation counts as final: it emits each window once
 * when the watermark closes it (in update mode it updates, and the physical plan sees that).
 */
function updates(p: LogicalPlan, windowsFinal = false): boolean {
  if (p.kind === 'aggregate' && !(windowsFinal && eventTimeWindowAggregate(p))) return true;
  if (p.kind === 'join' && joinRetracts(p)) return true;
  if (p.kind === 'semiJoin' && semiJoinRetracts(p)) return true;
  if (p.kind === 'rank' && topNUpdates(p)) return true;
  return children(p).some((c) => updates(c, windowsFinal));
}

function eventTimeWindowAggregate(p: Aggregate): boolean {
  try {
    return matchWindowAggregate(p)?.domain === 'event';
  } catch {
    return false; // refused where it is planned, with its reason
  }
}

/**
 * For a window Top-N (see the file comment): the position in PARTITION BY of the window_end that
 * closes each partition; undefined for any other Top-N.
 */
export function windowEndKey(p: Rank): number | undefined {
  if (updates(p.input, true)) return undefined;
  const i = p.partitionBy.findIndex((e) => e.kind === 'column' && windowBoundOf(p.input, e.index)?.bound === 'end');
  if (i < 0) return undefined;
  const e = p.partitionBy[i]!;
  return e.kind === 'column' && windowBoundOf(p.input, e.index)?.domain === 'event' ? i : undefined;
}

/** Whether the Top-N's result updates (else it only inserts: a window Top-N, or a keep-first deduplication on processing time). */
export function topNUpdates(p: Rank): boolean {
  if (windowEndKey(p) !== undefined) return false;
  return !keepsFirstOnProcessingTime(p) || updates(p.input);
}

export function planTopN(p: Rank, b: JoinPlanningContext, mode: OutputModeName): PhysicalNode {
  const input = b.build(p.input);
  // complete mode re-sends every kept row each batch: there a window Top-N runs as a plain one
  // and over a window aggregation that updates (update mode), as a plain one too
  const endKey = mode === 'complete' || !input.appendOnly ? undefined : windowEndKey(p);
  const appendOnly = input.appendOnly && !topNUpdates(p);
  return b.register((operatorId): TopNNode => ({
    kind: 'topN', operatorId, input, partitionBy: p.partitionBy, orderBy: p.orderBy,
    rankStart: p.rankStart, rankEnd: p.rankEnd, rankFunction: p.rankFunction, outputRank: p.outputRank, mode, schema: p.schema, appendOnly,
    ...(endKey !== undefined ? { windowEndKey: endKey } : {}),
    // the watermark bounds a window Top-N's state; TTL is for the others (Flink's idle-state retention)
    ...(endKey === undefined && (b.stateTtlMs ?? 0) > 0 ? { stateTtlMs: b.stateTtlMs } : {}),
    ...(keepsLastOnTime(p) ? { tiesToLatest: true } : {}),
  }));
}

/**
 * The upsert key of a Top-N's result: the partition keys and the rank when the rank is output (one
 * row per rank of a partition); the partition keys alone when it is not and one row per partition
 * is kept; otherwise none (rows of a partition cannot be told apart: the result is a multiset).
 * Undefined also when a partition key is an expression rather than a column of the result.
 */
export function topNKeyColumns(p: Rank): number[] | undefined {
  const keys = p.partitionBy.map((e) => (e.kind === 'column' ? e.index : -1));
  // RANK and DENSE_RANK give tied rows one number: neither (keys, rank) nor the keys identify a row
  if (keys.includes(-1) || p.rankFunction !== 'ROW_NUMBER') return undefined;
  if (p.outputRank) return [...keys, p.input.schema.columns.length];
  return p.rankStart === p.rankEnd && keys.length > 0 ? keys : undefined;
}
