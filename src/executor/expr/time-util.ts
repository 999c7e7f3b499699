/**
 * Calendar arithmetic on epoch milliseconds, time zones, and the text forms of dates and times.
 *
 * A TIMESTAMP has no zone: its epoch-ms value *is* the wall clock read as UTC, so every field is
 * plain integer arithmetic (civil-from-days, no Date objects). A TIMESTAMP_LTZ is an instant: it is
 * first moved to the session zone's wall clock with `wallFromInstant`. Zone offsets come from luxon
 * and are cached per hour (a zone changes its offset at most once in any hour), so a batch costs one
 * Intl look-up per distinct hour, not one per row.
 */
import { Info } from 'luxon';
import { WeirError } from '../../common/errors.js';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

// ─── zones ─────────────────────────────────────────────────────────────────────────────────────

export interface Zone {
  readonly name: string;
  /** True when the offset is always 0: the fast path. */
  readonly utc: boolean;
  /** The zone's offset from UTC at `instant`, in ms. */
  offsetMs(instant: number): number;
}

const FIXED = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

export function makeZone(name: string): Zone {
  const trimmed = name.trim();
  if (/^(UTC|GMT|Z|Etc\/UTC|Etc\/GMT|UCT)$/i.test(trimmed) || trimmed === '') {
    return { name: trimmed || 'UTC', utc: true, offsetMs: () => 0 };
  }
  const m = FIXED.exec(trimmed);
  if (m) {
    const off = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * MS_PER_HOUR + Number(m[3] ?? 0) * MS_PER_MINUTE);
    return { name: trimmed, utc: off === 0, offsetMs: () => off };
  }
  const z = Info.normalizeZone(trimmed);
  if (!z.isValid) throw new WeirError('OPTION', `unknown time zone '${name}' (table.local-time-zone)`);
  const cache = new Map<number, number>();
  const exact = (t: number): number => z.offset(t) * MS_PER_MINUTE;
  return {
    name: trimmed,
    utc: false,
    offsetMs(t: number): number {
      const h = Math.floor(t / MS_PER_HOUR);
      let o = cache.get(h);
      if (o === undefined) {
        const a = exact(h * MS_PER_HOUR), b = exact(h * MS_PER_HOUR + MS_PER_HOUR - 1);
        o = a === b ? a : NaN; // NaN: a transition inside this hour, look each instant up
        if (cache.size > 100_000) cache.clear();
        cache.set(h, o);
      }
      return o === o ? o : exact(t);
    },
  };
}

export const wallFromInstant = (z: Zone, t: number): number => (z.utc ? t : t + z.offsetMs(t));

/** The instant a wall-clock time names in zone z (the earlier one in an overlap, shifted in a gap). */
export function instantFromWall(z: Zone, wall: number): number {
  if (z.utc) return wall;
  const o1 = z.offsetMs(wall);
  const t = wall - o1;
  const o2 = z.offsetMs(t);
  return o1 === o2 ? t : wall - o2;
}

// ─── civil calendar ────────────────────────────────────────────────────────────────────────────

/** Scratch output of `civil`: [year, month 1-12, day 1-31]. Kernels read it right after the call. */
export const CIV = new Int32Array(3);

/** Year, month and day of a day number (days since 1970-01-01), into CIV. */
export function civil(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  CIV[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  CIV[1] = m;
  CIV[2] = doy - Math.floor((153 * mp + 2) / 5) + 1;
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

export const daysOf = (ms: number): number => Math.floor(ms / MS_PER_DAY);
/** ISO day of week: Monday = 1 ... Sunday = 7. */
export const isoDow = (days: number): number => ((((days + 3) % 7) + 7) % 7) + 1;

export function dayOfYear(days: number): number {
  civil(days);
  return days - daysFromCivil(CIV[0]!, 1, 1) + 1;
}

/** ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): number {
  const thursday = days - isoDow(days) + 4;
  civil(thursday);
  const jan1 = daysFromCivil(CIV[0]!, 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}

export function isoWeekYear(days: number): number {
  civil(days - isoDow(days) + 4);
  return CIV[0]!;
}

/** Add months to a wall-clock ms, clamping the day to the target month's length (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const days = daysOf(ms);
  const tod = ms - days * MS_PER_DAY;
  civil(days);
  const total = CIV[0]! * 12 + (CIV[1]! - 1) + months;
  const y = Math.floor(total / 12), m = total - y * 12 + 1;
  const d = Math.min(CIV[2]!, daysInMonth(y, m));
  return daysFromCivil(y, m, d) * MS_PER_DAY + tod;
}

// ─── text forms ────────────────────────────────────────────────────────────────────────────────

const pad2 = (x: number): string => (x < 10 ? '0' : '') + x;
const pad3 = (x: number): string => (x < 10 ? '00' : x < 100 ? '0' : '') + x;
export function padN(x: number, width: number): string {
  const neg = x < 0;
  let s = String(Math.abs(x));
  while (s.length < width) s = '0' + s;
  return neg ? '-' + s : s;
}

export function formatDate(days: number): string {
  civil(days);
  return `${padN(CIV[0]!, 4)}-${pad2(CIV[1]!)}-${pad2(CIV[2]!)}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.fff]': Flink's text form of a TIMESTAMP(p) (fraction digits = min(p, 3)). */
export function formatTimestamp(wall: number, precision = 3): string {
  const days = daysOf(wall);
  let r = wall - days * MS_PER_DAY;
  const h = Math.floor(r / MS_PER_HOUR); r -= h * MS_PER_HOUR;
  const mi = Math.floor(r / MS_PER_MINUTE); r -= mi * MS_PER_MINUTE;
  const s = Math.floor(r / 1000); const ms = Math.floor(r - s * 1000);
  const base = `${formatDate(days)} ${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  if (precision <= 0) return base;
  const frac = pad3(ms);
  return `${base}.${precision >= 3 ? frac + '0'.repeat(precision - 3) : frac.slice(0, precision)}`;
}

const LENIENT = /^\s*([+-]?\d{1,6})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*$/;

/**
 * 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.fff]]' or ISO-8601 with 'T' and an optional 'Z'/offset.
 * Returns the wall-clock ms (as UTC) and the offset in ms if one was written, or null when the text
 * is not a valid date-time.
 */
export function parseDateTime(text: string): { wall: number; offset: number | null; hasTime: boolean } | null {
  const m = LENIENT.exec(text);
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  const h = Number(m[4] ?? 0), mi = Number(m[5] ?? 0), s = Number(m[6] ?? 0);
  if (h > 23 || mi > 59 || s > 59) return null;
  const ms = m[7] ? Math.floor(Number('0.' + m[7]) * 1000 + 1e-6) : 0;
  const wall = daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * 1000 + ms;
  let offset: number | null = null;
  if (m[8]) {
    if (m[8] === 'Z' || m[8] === 'z') offset = 0;
    else {
      const sign = m[8][0] === '-' ? -1 : 1;
      const digits = m[8].slice(1).replace(':', '');
      offset = sign * (Number(digits.slice(0, 2)) * MS_PER_HOUR + Number(digits.slice(2, 4) || 0) * MS_PER_MINUTE);
    }
  }
  return { wall, offset, hasTime: m[4] !== undefined };
}
