/**
 * Java date-time patterns ('yyyy-MM-dd HH:mm:ss.SSS', as Flink's DATE_FORMAT, TO_TIMESTAMP,
 * FROM_UNIXTIME and UNIX_TIMESTAMP take them), compiled once per pattern into a list of parts and
 * applied to a wall-clock ms with integer arithmetic.
 *
 * Letters: y (year), M (month; MMM/MMMM names), d, H (0-23), h (1-12), k (1-24), K (0-11), m, s,
 * S (fraction of a second), E (day name), u (ISO day number), a (AM/PM), D (day of year), Y and w
 * (week-based year and week, Locale.US: see usWeek), Q (quarter), Z/X/x/z (the zone's offset or name). Text in '...' is literal; '' is a quote.
 */
import {
  CIV, civil, dayOfYear, daysFromCivil, daysInMonth, daysOf, isoDow,
  MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, padN,
} from './time-util.js';

export type PatternPart =
  | { readonly kind: 'lit'; readonly text: string }
  | { readonly kind: 'field'; readonly ch: string; readonly count: number };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const cache = new Map<string, readonly PatternPart[]>();

export function compilePattern(p: string): readonly PatternPart[] {
  let parts = cache.get(p);
  if (parts) return parts;
  const out: PatternPart[] = [];
  const lit = (t: string): void => {
    const last = out[out.length - 1];
    if (last?.kind === 'lit') out[out.length - 1] = { kind: 'lit', text: last.text + t };
    else out.push({ kind: 'lit', text: t });
  };
  for (let i = 0; i < p.length;) {
    const c = p[i]!;
    if (c === "'") {
      if (p[i + 1] === "'") { lit("'"); i += 2; continue; }
      const end = p.indexOf("'", i + 1);
      const stop = end < 0 ? p.length : end;
      lit(p.slice(i + 1, stop));
      i = stop + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (p[j] === c) j++;
      out.push({ kind: 'field', ch: c, count: j - i });
      i = j;
    } else {
      lit(c);
      i++;
    }
  }
  parts = out;
  if (cache.size > 1000) cache.clear();
  cache.set(p, parts);
  return parts;
}

function offsetText(offMs: number, colon: boolean, zForZero: boolean): string {
  if (offMs === 0 && zForZero) return 'Z';
  const sign = offMs < 0 ? '-' : '+';
  const a = Math.abs(offMs) / MS_PER_MINUTE;
  const h = Math.floor(a / 60), m = a % 60;
  return `${sign}${padN(h, 2)}${colon ? ':' : ''}${padN(m, 2)}`;
}

/**
 * Week-based fields as Java's DateTimeFormatter computes them for Locale.US (WeekFields: weeks start
 * on Sunday; week 1 is the week holding January 1): 'Y' is the year of the week's Saturday, 'w' the
 * week's number in that year. So Monday 2024-12-30 is in week 1 of 2025 ('YYYY-ww' → 2025-01).
 */
const sundayOnOrBefore = (days: number): number => days - (isoDow(days) % 7);

function usWeekYear(days: number): number {
  civil(sundayOnOrBefore(days) + 6);
  return CIV[0]!;
}

function usWeek(days: number): number {
  const sow = sundayOnOrBefore(days);
  const first = sundayOnOrBefore(daysFromCivil(usWeekYear(days), 1, 1));
  return (sow - first) / 7 + 1;
}

/** Format a wall-clock ms; `offMs` / `zoneName` describe the zone it was read in (for Z, X, z). */
export function formatWith(parts: readonly PatternPart[], wall: number, offMs = 0, zoneName = 'UTC'): string {
  const days = daysOf(wall);
  let r = wall - days * MS_PER_DAY;
  const hour = Math.floor(r / MS_PER_HOUR); r -= hour * MS_PER_HOUR;
  const minute = Math.floor(r / MS_PER_MINUTE); r -= minute * MS_PER_MINUTE;
  const second = Math.floor(r / 1000);
  const milli = Math.floor(r - second * 1000);
  civil(days);
  const year = CIV[0]!, month = CIV[1]!, day = CIV[2]!;
  let s = '';
  for (const p of parts) {
    if (p.kind === 'lit') { s += p.text; continue; }
    const n = p.count;
    switch (p.ch) {
      case 'Y': {
        const wy = usWeekYear(days);
        s += n === 2 ? padN(((wy % 100) + 100) % 100, 2) : padN(wy, n); break;
      }
      case 'y': case 'u':
        if (p.ch === 'u' && n === 1) { s += isoDow(days); break; }
        s += n === 2 ? padN(((year % 100) + 100) % 100, 2) : padN(year, n); break;
      case 'M': case 'L':
        s += n >= 4 ? MONTHS[month - 1] : n === 3 ? MONTHS[month - 1]!.slice(0, 3) : padN(month, n); break;
      case 'd': s += padN(day, n); break;
      case 'H': s += padN(hour, n); break;
      case 'k': s += padN(hour === 0 ? 24 : hour, n); break;
      case 'K': s += padN(hour % 12, n); break;
      case 'h': s += padN(hour % 12 === 0 ? 12 : hour % 12, n); break;
      case 'm': s += padN(minute, n); break;
      case 's': s += padN(second, n); break;
      case 'S': {
        const frac = padN(milli, 3);
        s += n <= 3 ? frac.slice(0, n) : frac + '0'.repeat(n - 3); break;
      }
      case 'E': { const name = DAYS[isoDow(days) - 1]!; s += n >= 4 ? name : name.slice(0, 3); break; }
      case 'a': s += hour < 12 ? 'AM' : 'PM'; break;
      case 'D': s += padN(dayOfYear(days), n); break;
      case 'w': s += padN(usWeek(days), n); break;
      case 'Q': case 'q': s += Math.floor((month - 1) / 3) + 1; break;
      case 'Z': s += n >= 4 ? 'GMT' + offsetText(offMs, true, false) : offsetText(offMs, false, false); break;
      case 'X': s += offsetText(offMs, n >= 3, true); break;
      case 'x': s += offsetText(offMs, n >= 3, false); break;
      case 'z': case 'V': case 'O': s += zoneName; break;
      default: s += p.ch.repeat(n);
    }
  }
  return s;
}

/**
 * Parse text with a pattern: the wall-clock ms it names (as UTC), shifted by a parsed zone offset if
 * the pattern has one; null when the text does not match. A numeric field followed directly by
 * another numeric field takes exactly its letter count of digits, otherwise as many as are there.
 */
export function parseWith(parts: readonly PatternPart[], text: string): number | null {
  let pos = 0;
  let year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0, pm = -1, offset = 0;
  let hour12 = false;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (p.kind === 'lit') {
      if (text.startsWith(p.text, pos)) { pos += p.text.length; continue; }
      // whitespace in the pattern matches any run of whitespace
      if (/^\s+$/.test(p.text) && /\s/.test(text[pos] ?? '')) { while (/\s/.test(text[pos] ?? '')) pos++; continue; }
      return null;
    }
    const next = parts[k + 1];
    const fixed = next?.kind === 'field' && /[yMdHhkKmsSDuwY]/.test(next.ch) ? p.count : 0;
    const digits = (max: number): number | null => {
      let e = pos;
      const sign = text[e] === '-' || text[e] === '+' ? 1 : 0;
      e += sign;
      const limit = fixed > 0 ? pos + sign + fixed : pos + sign + max;
      while (e < text.length && e < limit && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++;
      if (e === pos + sign || (fixed > 0 && e - pos - sign !== fixed)) return null;
      const v = Number(text.slice(pos, e));
      pos = e;
      return v;
    };
    const word = (names: readonly string[]): number | null => {
      for (let i = 0; i < names.length; i++) {
        for (const cand of [names[i]!, names[i]!.slice(0, 3)]) {
          if (text.slice(pos, pos + cand.length).toLowerCase() === cand.toLowerCase()) { pos += cand.length; return i; }
        }
      }
      return null;
    };
    let v: number | null;
    switch (p.ch) {
      case 'y': case 'Y': case 'u':
        v = digits(p.count === 2 ? 2 : 9); if (v === null) return null;
        year = p.count === 2 && v < 100 ? 2000 + v : v; break;
      case 'M': case 'L':
        v = p.count >= 3 ? word(MONTHS) : digits(2); if (v === null) return null;
        month = p.count >= 3 ? v + 1 : v; break;
      case 'd': v = digits(2); if (v === null) return null; day = v; break;
      case 'H': case 'k': v = digits(2); if (v === null) return null; hour = v % 24; break;
      case 'h': case 'K': v = digits(2); if (v === null) return null; hour = v % 12; hour12 = true; break;
      case 'm': v = digits(2); if (v === null) return null; minute = v; break;
      case 's': v = digits(2); if (v === null) return null; second = v; break;
      case 'S': {
        const start = pos;
        v = digits(9); if (v === null) return null;
        const len = pos - start;
        milli = Math.floor(v * 10 ** (3 - len) + 1e-9); break;
      }
      case 'E': if (word(DAYS) === null) return null; break;
      case 'a': {
        const t = text.slice(pos, pos + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return null;
        pm = t === 'PM' ? 1 : 0; pos += 2; break;
      }
      case 'D': v = digits(3); if (v === null) return null; month = 1; day = v; break;
      case 'X': case 'Z': case 'x': {
        if (text[pos] === 'Z') { pos++; offset = 0; break; }
        const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(pos));
        if (!m) return null;
        offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * MS_PER_HOUR + Number(m[3] ?? 0) * MS_PER_MINUTE);
        pos += m[0].length; break;
      }
      default: return null;
    }
  }
  if (pos !== text.length && text.slice(pos).trim() !== '') return null;
  if (hour12 && pm === 1) hour += 12;
  if (month < 1 || month > 12 || minute > 59 || second > 59) return null;
  if (p2(day, year, month)) return null;
  return daysFromCivil(year, month, day) * MS_PER_DAY + hour * MS_PER_HOUR + minute * MS_PER_MINUTE + second * 1000 + milli - offset;
}

/** True when `day` is out of range (a day of year past the month is allowed when month is 1: 'D'). */
function p2(day: number, year: number, month: number): boolean {
  if (day < 1) return true;
  return month === 1 ? day > 366 : day > daysInMonth(year, month);
}
