/**
 * When micro-batches run. `asFastAsPossible` starts the next batch as soon as one ends and data is
 * there; `processingTime` starts them at multiples of an interval of the engine clock; `once` runs
 * one batch; `availableNow` runs until everything available at start is processed, then stops.
 */
import { Duration } from 'luxon';
import { WeirError } from '../../common/errors.js';

export type Trigger =
  | { readonly kind: 'asFastAsPossible' }
  | { readonly kind: 'processingTime'; readonly intervalMs: number }
  | { readonly kind: 'once' }
  | { readonly kind: 'availableNow' };

export const DEFAULT_TRIGGER: Trigger = { kind: 'asFastAsPossible' };

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, millisecond: 1, milliseconds: 1, msec: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** '10 seconds', '500ms', '1 min', 'PT5S' (ISO-8601) → milliseconds; undefined when unreadable. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/.exec(t);
  if (m) {
    const unit = m[2] ?? 'ms';
    const f = UNIT_MS[unit];
    return f === undefined ? undefined : Number(m[1]) * f;
  }
  if (t.startsWith('p')) {
    const d = Duration.fromISO(text.trim().toUpperCase());
    return d.isValid ? d.as('milliseconds') : undefined;
  }
  return undefined;
}

/** The CLI's and SET's trigger text: available-now | once | continuous | '<interval>'. */
export function parseTrigger(text: string): Trigger {
  const t = text.trim().toLowerCase();
  if (t === 'available-now' || t === 'availablenow' || t === 'available_now') return { kind: 'availableNow' };
  if (t === 'once') return { kind: 'once' };
  if (t === 'continuous' || t === 'default' || t === '') return { kind: 'asFastAsPossible' };
  const ms = parseDurationMs(t);
  if (ms === undefined || ms < 0) {
    throw new WeirError('OPTION', `bad trigger '${text}': expected available-now, once, continuous or an interval such as '10 seconds'`);
  }
  return ms === 0 ? { kind: 'asFastAsPossible' } : { kind: 'processingTime', intervalMs: ms };
}

export function describeTrigger(t: Trigger): string {
  switch (t.kind) {
    case 'asFastAsPossible': return 'as fast as possible';
    case 'processingTime': return `every ${t.intervalMs} ms`;
    case 'once': return 'once';
    case 'availableNow': return 'available now';
  }
}

/**
 * ISO-8601 text of an instant for progress reports (UTC, `2026-12-07T16:00:00.000Z`; `+010000-…`
 * past year 9999); null for ±infinity and past JavaScript's time range. Date's own text, which is
 * luxon's UTC text over that whole range: luxon's first DateTime sets up the Intl machinery (25 ms of
 * a quick query's first batch) to learn a locale a UTC timestamp never uses.
 */
export function isoOrNull(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
