/**
 * TIMESTAMPDIFF, TIMESTAMPADD, TO_TIMESTAMP_LTZ and CURRENT_DATE, as Flink (Calcite) defines them.
 *
 * TIMESTAMPDIFF(unit, t1, t2) is the number of whole units from t1 to t2, truncated toward zero: for
 * SECOND..WEEK the millisecond difference divided by the unit; for MONTH, QUARTER and YEAR the
 * calendar months between them, less one when the later value's day and time of month have not
 * reached the earlier one's, where a day past the end of the later value's month counts as that
 * month's last day: 2024-01-31 to 2024-02-29 is 1 month (January 31 plus one month is February 29,
 * as TIMESTAMPADD clamps), 2024-01-30 to 2024-02-28 is 0. A negative span is the forward span of the
 * two values swapped, negated (DuckDB's date_sub agrees for every unit: the oracle test). Values are
 * read as wall-clock times (a TIMESTAMP_LTZ in the session time zone; a DATE at midnight).
 *
 * CURRENT_DATE is the date of the batch's processing time in the session time zone, like
 * CURRENT_TIMESTAMP (the same for every row of a batch).
 */
import type { SqlType } from '../../common/types.js';
import type { Call } from '../../planner/expr.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { FnImpl, Input } from './node.js';
import { constOf, isConst, perRow, runtimeError } from './node.js';
import type { Zone } from './time-util.js';
import { addMonths, CIV, civil, daysOf, instantFromWall, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, wallFromInstant } from './time-util.js';
import type { Vec } from './vector.js';
import { broadcast } from './vector.js';

/** Units of a fixed length (ms), and the calendar ones in months. */
const FIXED: Readonly<Record<string, number>> = {
  SECOND: 1000, MINUTE: MS_PER_MINUTE, HOUR: MS_PER_HOUR, DAY: MS_PER_DAY, WEEK: 7 * MS_PER_DAY,
};
const MONTHS: Readonly<Record<string, number>> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

function checkUnit(unit: string, call: Call): string {
  const u = unit.trim().toUpperCase();
  if (FIXED[u] === undefined && MONTHS[u] === undefined) {
    throw runtimeError(`${call.fn.toUpperCase()}: unknown time unit '${unit}'; expected SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR`, call.span);
  }
  return u;
}

function toWall(t: SqlType, zone: Zone): (x: number) => number {
  if (t.kind === 'DATE') return (d) => d * MS_PER_DAY;
  if (t.kind === 'TIMESTAMP' && t.ltz && !zone.utc) return (x) => wallFromInstant(zone, x);
  return (x) => x;
}

/**
 * Whole months from wall-clock a to b, a ≤ b: the calendar months between them, less one when b's
 * day and time of month have not reached a's; a's day counts as b's when b is the last day of its
 * month (January 31 to February 29 is a month).
 */
function monthsForward(a: number, b: number): number {
  const da = daysOf(a), db = daysOf(b);
  civil(da);
  const ya = CIV[0]!, ma = CIV[1]!, dayA = CIV[2]!;
  civil(db);
  const yb = CIV[0]!, mb = CIV[1]!, dayB = CIV[2]!;
  const lastOfMonthB = daysOf(addMonths((db - dayB + 1) * MS_PER_DAY, 1)) - 1 === db;
  const day = lastOfMonthB && dayA > dayB ? dayB : dayA;
  const timeA = a - da * MS_PER_DAY, timeB = b - db * MS_PER_DAY;
  const m = (yb - ya) * 12 + (mb - ma);
  return day > dayB || (day === dayB && timeA > timeB) ? m - 1 : m;
}

/** Whole months from wall-clock a to b, truncated toward zero (see the header). */
export function monthsBetween(a: number, b: number): number {
  return a <= b ? monthsForward(a, b) : 0 - monthsForward(b, a) || 0;
}

/** Whole `unit`s from wall-clock a to b, truncated toward zero. */
export function timestampDiff(unit: string, a: number, b: number): number {
  const fixed = FIXED[unit];
  if (fixed !== undefined) return Math.trunc((b - a) / fixed);
  return Math.trunc(monthsBetween(a, b) / MONTHS[unit]!);
}

const timestampdiff: FnImpl = (args, call, cx) => {
  const [u, a, b] = args;
  const wa = toWall(a!.type, cx.zone), wb = toWall(b!.type, cx.zone);
  const fixedUnit = isConst(u!) && constOf(u!) !== null ? checkUnit(constOf(u!) as string, call) : undefined;
  return perRow(args, call.type, (unit, x, y) =>
    timestampDiff(fixedUnit ?? checkUnit(unit as string, call), wa(x as number), wb(y as number)));
};

const timestampadd: FnImpl = (args, call, cx) => {
  const [u, , t] = args;
  const type = t!.type;
  const isDate = type.kind === 'DATE';
  const ltz = type.kind === 'TIMESTAMP' && type.ltz && !cx.zone.utc;
  const wall = toWall(type, cx.zone);
  const back = (w: number): number => (isDate ? Math.floor(w / MS_PER_DAY) : ltz ? instantFromWall(cx.zone, w) : w);
  const fixedUnit = isConst(u!) && constOf(u!) !== null ? checkUnit(constOf(u!) as string, call) : undefined;
  return perRow(args, call.type, (unit, n, x) => {
    const un = fixedUnit ?? checkUnit(unit as string, call);
    const k = Number(n);
    const w = wall(x as number);
    const fixed = FIXED[un];
    return back(fixed !== undefined ? w + k * fixed : addMonths(w, k * MONTHS[un]!));
  });
};

const toTimestampLtz: FnImpl = (args, call) => perRow(args, call.type, (v, p) => {
  const precision = p === undefined ? 3 : Number(p);
  if (precision !== 0 && precision !== 3) {
    throw runtimeError(`TO_TIMESTAMP_LTZ: precision must be 0 (seconds) or 3 (milliseconds), got ${precision}`, call.span);
  }
  const x = Number(v);
  return precision === 0 ? x * 1000 : Math.floor(x);
});

const currentDate: FnImpl = (_args, call, cx) => (inp: Input): Vec =>
  broadcast(call.type, daysOf(wallFromInstant(cx.zone, cx.ctx.now())), inp.length);

export const TIME_UNIT_FUNCTIONS = {
  timestampdiff,
  timestampadd,
  to_timestamp_ltz: toTimestampLtz,
  current_date: currentDate,
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
