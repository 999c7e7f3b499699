/**
 * Date and time functions. Fields of a TIMESTAMP are read as-is (its epoch ms is the wall clock in
 * UTC); a TIMESTAMP_LTZ is first moved to the session time zone (ctx.timeZone). A DATE is a day
 * number. Parsing that fails gives NULL (TO_TIMESTAMP, TO_DATE, UNIX_TIMESTAMP), as in Flink.
 * PROCTIME() and CURRENT_TIMESTAMP are the batch's processing time, ctx.now().
 */
import type { SqlType } from '../../common/types.js';
import type { ScalarFunctionName } from '../../planner/functions.js';
import type { CompileCx, FnImpl, Input, Node } from './node.js';
import { constOf, isConst, mapNum, perRow, runtimeError } from './node.js';
import type { PatternPart } from './time-format.js';
import { compilePattern, formatWith, parseWith } from './time-format.js';
import type { Zone } from './time-util.js';
import {
  addMonths, CIV, civil, dayOfYear, daysFromCivil, daysOf, instantFromWall, isoDow, isoWeek, isoWeekYear,
  MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, parseDateTime, wallFromInstant,
} from './time-util.js';
import type { Vec } from './vector.js';
import { broadcast } from './vector.js';
import type { Call } from '../../planner/expr.js';

/** The wall-clock ms of a value of type t (DATE: midnight; LTZ: in the session zone). */
function toWall(t: SqlType, zone: Zone): (x: number) => number {
  if (t.kind === 'DATE') return (d) => d * MS_PER_DAY;
  if (t.kind === 'TIMESTAMP' && t.ltz && !zone.utc) return (x) => wallFromInstant(zone, x);
  return (x) => x;
}

const modPos = (x: number, m: number): number => ((x % m) + m) % m;

/** Named fields of a wall-clock ms (what HOUR(), YEAR(), EXTRACT(unit FROM ...) return). */
const FIELDS: Readonly<Record<string, (w: number) => number>> = {
  YEAR: (w) => { civil(daysOf(w)); return CIV[0]!; },
  QUARTER: (w) => { civil(daysOf(w)); return Math.floor((CIV[1]! - 1) / 3) + 1; },
  MONTH: (w) => { civil(daysOf(w)); return CIV[1]!; },
  WEEK: (w) => isoWeek(daysOf(w)),
  DAY: (w) => { civil(daysOf(w)); return CIV[2]!; },
  DOW: (w) => (isoDow(daysOf(w)) % 7) + 1, // Sunday = 1 ... Saturday = 7
  ISODOW: (w) => isoDow(daysOf(w)),
  DOY: (w) => dayOfYear(daysOf(w)),
  ISOYEAR: (w) => isoWeekYear(daysOf(w)),
  HOUR: (w) => Math.floor(modPos(w, MS_PER_DAY) / MS_PER_HOUR),
  MINUTE: (w) => Math.floor(modPos(w, MS_PER_HOUR) / MS_PER_MINUTE),
  SECOND: (w) => Math.floor(modPos(w, MS_PER_MINUTE) / 1000),
  MILLISECOND: (w) => modPos(w, MS_PER_MINUTE),
  MICROSECOND: (w) => modPos(w, MS_PER_MINUTE) * 1000,
  EPOCH: (w) => Math.floor(w / 1000),
  DECADE: (w) => { civil(daysOf(w)); return Math.floor(CIV[0]! / 10); },
  CENTURY: (w) => { civil(daysOf(w)); return Math.ceil(CIV[0]! / 100); },
  MILLENNIUM: (w) => { civil(daysOf(w)); return Math.ceil(CIV[0]! / 1000); },
};
const ALIASES: Readonly<Record<string, string>> = { DAYOFMONTH: 'DAY', DAYOFWEEK: 'DOW', DAYOFYEAR: 'DOY' };

/** Fields of an INTERVAL (ms): EXTRACT(HOUR FROM INTERVAL '1 2:03' DAY TO MINUTE) = 2. */
const INTERVAL_FIELDS: Readonly<Record<string, (ms: number) => number>> = {
  DAY: (x) => Math.trunc(x / MS_PER_DAY),
  HOUR: (x) => Math.trunc(x / MS_PER_HOUR) % 24,
  MINUTE: (x) => Math.trunc(x / MS_PER_MINUTE) % 60,
  SECOND: (x) => Math.trunc(x / 1000) % 60,
  MILLISECOND: (x) => Math.trunc(x) % MS_PER_MINUTE,
  EPOCH: (x) => Math.trunc(x / 1000),
};

function fieldFn(unit: string, t: SqlType, call: Call): (x: number) => number {
  const u = unit.trim().toUpperCase();
  const name = ALIASES[u] ?? u;
  if (t.kind === 'INTERVAL') {
    const f = INTERVAL_FIELDS[name];
    if (!f) throw runtimeError(`cannot extract ${u} from an INTERVAL`, call.span);
    return f;
  }
  const f = FIELDS[name];
  if (!f) throw runtimeError(`unknown time unit ${u}`, call.span);
  return f;
}

const part = (unit: string): FnImpl => (args, call, cx) => {
  const a = args[0]!;
  const wall = toWall(a.type, cx.zone);
  const f = fieldFn(unit, a.type, call);
  return mapNum(a, (x) => f(wall(x)));
};

const extract: FnImpl = (args, call, cx) => {
  const [u, a] = args as [Node, Node];
  const wall = a.type.kind === 'INTERVAL' ? (x: number) => x : toWall(a.type, cx.zone);
  if (isConst(u)) {
    const unit = constOf(u);
    if (unit === null) return perRow(args, call.type, () => null, true);
    const f = fieldFn(unit as string, a.type, call);
    return mapNum(a, (x) => f(wall(x)));
  }
  return perRow(args, call.type, (unit, x) => fieldFn(unit as string, a.type, call)(wall(x as number)));
};

/** Zone letters in a pattern need the offset of the session zone at the time shown. */
function formatter(cx: CompileCx): (wall: number, pattern: string) => string {
  let last: string | null = null;
  let parts: readonly PatternPart[] = [];
  let zoned = false;
  return (wall, pattern) => {
    if (pattern !== last) {
      last = pattern;
      parts = compilePattern(pattern);
      zoned = parts.some((p) => p.kind === 'field' && 'ZXxzVO'.includes(p.ch));
    }
    const off = zoned && !cx.zone.utc ? cx.zone.offsetMs(instantFromWall(cx.zone, wall)) : 0;
    return formatWith(parts, wall, off, cx.zone.name);
  };
}

const dateFormat: FnImpl = (args, call, cx) => {
  const a = args[0]!;
  const wall = toWall(a.type, cx.zone);
  const fmt = formatter(cx);
  return perRow(args, call.type, (x, p) => fmt(wall(x as number), p as string));
};

/** Text to a wall-clock ms: the lenient ISO/SQL form without a pattern, else the pattern. */
function parser(): (s: string, pattern: string | undefined) => number | null {
  let last: string | null = null;
  let parts: readonly PatternPart[] = [];
  return (s, pattern) => {
    if (pattern === undefined) {
      const p = parseDateTime(s);
      return p === null ? null : p.offset === null ? p.wall : p.wall - p.offset;
    }
    if (pattern !== last) { last = pattern; parts = compilePattern(pattern); }
    return parseWith(parts, s);
  };
}

const toTimestamp: FnImpl = (args, call) => {
  const parse = parser();
  return perRow(args, call.type, (s, p) => parse(s as string, p as string | undefined));
};

const toDate: FnImpl = (args, call) => {
  const parse = parser();
  return perRow(args, call.type, (s, p) => {
    const w = parse(s as string, p as string | undefined);
    return w === null ? null : daysOf(w);
  });
};

const unixTimestamp: FnImpl = (args, call, cx) => {
  if (args.length === 0) return (inp: Input): Vec => broadcast(call.type, Math.floor(cx.ctx.now() / 1000), inp.length);
  const parse = parser();
  return perRow(args, call.type, (s, p) => {
    const w = parse(s as string, (p as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss');
    return w === null ? null : Math.floor(instantFromWall(cx.zone, w) / 1000);
  });
};

const fromUnixtime: FnImpl = (args, call, cx) => {
  const fmt = formatter(cx);
  return perRow(args, call.type, (sec, p) =>
    fmt(wallFromInstant(cx.zone, Math.floor((sec as number) * 1000)), (p as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss'));
};

const now: FnImpl = (_args, call, cx) => (inp: Input): Vec => broadcast(call.type, cx.ctx.now(), inp.length);

/** The start of the unit holding wall-clock ms w. */
function floorUnit(unit: string, call: Call): (w: number) => number {
  const step = (ms: number) => (w: number) => Math.floor(w / ms) * ms;
  switch (unit.trim().toUpperCase()) {
    case 'MILLISECOND': return (w) => Math.floor(w);
    case 'SECOND': return step(1000);
    case 'MINUTE': return step(MS_PER_MINUTE);
    case 'HOUR': return step(MS_PER_HOUR);
    case 'DAY': return step(MS_PER_DAY);
    case 'WEEK': return (w) => { const d = daysOf(w); return (d - isoDow(d) + 1) * MS_PER_DAY; }; // Monday
    case 'MONTH': return (w) => { civil(daysOf(w)); return daysFromCivil(CIV[0]!, CIV[1]!, 1) * MS_PER_DAY; };
    case 'QUARTER': return (w) => { civil(daysOf(w)); return daysFromCivil(CIV[0]!, CIV[1]! - ((CIV[1]! - 1) % 3), 1) * MS_PER_DAY; };
    case 'YEAR': return (w) => { civil(daysOf(w)); return daysFromCivil(CIV[0]!, 1, 1) * MS_PER_DAY; };
    default: throw runtimeError(`cannot round a time to ${unit}`, call.span);
  }
}

function nextUnit(unit: string): (w: number) => number {
  switch (unit.trim().toUpperCase()) {
    case 'MILLISECOND': return (w) => w + 1;
    case 'SECOND': return (w) => w + 1000;
    case 'MINUTE': return (w) => w + MS_PER_MINUTE;
    case 'HOUR': return (w) => w + MS_PER_HOUR;
    case 'DAY': return (w) => w + MS_PER_DAY;
    case 'WEEK': return (w) => w + 7 * MS_PER_DAY;
    case 'MONTH': return (w) => addMonths(w, 1);
    case 'QUARTER': return (w) => addMonths(w, 3);
    default: return (w) => addMonths(w, 12);
  }
}

const roundTime = (up: boolean): FnImpl => (args, call, cx) => {
  const [a, u] = args as [Node, Node];
  const isDate = a.type.kind === 'DATE';
  const ltz = a.type.kind === 'TIMESTAMP' && a.type.ltz && !cx.zone.utc;
  const back = (w: number): number => (isDate ? w / MS_PER_DAY : ltz ? instantFromWall(cx.zone, w) : w);
  const wall = toWall(a.type, cx.zone);
  const make = (unit: string): ((x: number) => number) => {
    const fl = floorUnit(unit, call), nx = nextUnit(unit);
    return (x) => {
      const w = wall(x), f = fl(w);
      return back(up && f !== w ? nx(f) : f);
    };
  };
  if (isConst(u)) {
    const unit = constOf(u);
    if (unit === null) return perRow(args, call.type, () => null, true);
    return mapNum(a, make(unit as string));
  }
  return perRow(args, call.type, (x, unit) => make(unit as string)(x as number));
};

export const TIME_FUNCTIONS = {
  date_format: dateFormat,
  year: part('YEAR'), quarter: part('QUARTER'), month: part('MONTH'), week: part('WEEK'),
  dayofmonth: part('DAY'), dayofweek: part('DOW'), dayofyear: part('DOY'),
  hour: part('HOUR'), minute: part('MINUTE'), second: part('SECOND'),
  extract,
  to_timestamp: toTimestamp,
  to_date: toDate,
  unix_timestamp: unixTimestamp,
  from_unixtime: fromUnixtime,
  proctime: now,
  current_timestamp: now,
  floor_time: roundTime(false),
  ceil_time: roundTime(true),
} satisfies Partial<Record<ScalarFunctionName, FnImpl>>;
