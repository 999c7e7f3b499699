/**
 * `SET 'table.exec.state.ttl'` (Flink's idle-state retention): how long a key of a regular GROUP BY
 * may go unwritten (processing time) before its state is dropped. 0 or absent: kept forever (Flink's
 * default). Parsed where the SET is checked, so a bad duration is an error at the SET.
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';

export const STATE_TTL_SETTING = 'table.exec.state.ttl';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Flink's duration text ('1 h', '30 min', '10 s', '100 ms', plain milliseconds) → ms; an error when unreadable. */
export function parseStateTtl(text: string, span?: SourceSpan): number {
  const m = /^(\d+)\s*([a-z]*)$/.exec(text.trim().toLowerCase());
  const f = m ? (m[2] === '' ? 1 : UNIT_MS[m[2]!]) : undefined;
  if (!m || f === undefined) {
    throw new WeirError('OPTION', `SET '${STATE_TTL_SETTING}' = '${text}': expected a duration such as '1 h', '30 min', '10 s', '100 ms' or milliseconds ('0' keeps state forever)`, span);
  }
  return Number(m[1]) * f;
}

/** The TTL for EXPLAIN: '1 h', '90 s', '250 ms' (the largest unit that divides it). */
export function stateTtlText(ms: number): string {
  for (const [unit, n] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % n === 0) return `${ms / n} ${unit}`;
  }
  return `${ms} ms`;
}
