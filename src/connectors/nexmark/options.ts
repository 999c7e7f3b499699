/**
 * The nexmark connector's `WITH (...)` options: parsed, checked, and turned into a generator config
 * plus the source's own settings. A bad option is a WeirError('OPTION') at the option's span,
 * naming the option and what was expected.
 */
import { DateTime } from 'luxon';
import { WeirError, type SourceSpan } from '../../common/errors.js';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig } from './generator.js';

export const NEXMARK_OPTIONS: readonly string[] = [
  'connector',
  'events.num',
  'first-event.rate',
  'next-event.rate',
  'person.proportion',
  'auction.proportion',
  'bid.proportion',
  'seed',
  'base-time',
  'generators',
  'source.max-events-per-batch',
  'source.pace',
  'rate-limit',
  'generator.mode',
];

/**
 * Events per micro-batch by default. 10 000 rather than the former 100 000, measured at 2 M events,
 * full-field, alternated runs (bench/README.md): peak RSS lower on every Nexmark query (q0 245 → 181
 * MB, q7 500 → 383, q4 489 → 389, q9 769 → 653), as a batch's rows and what the operators make of them
 * are held at once, and more events per CPU-second (q9 and q18 about 1.5x, q4 1.2x, q5 0.95x): fewer
 * of a batch's objects live long enough to be promoted by the garbage collector. Results are the same.
 * A paced source (source.pace) allows at least one second of its events per batch, so that a trigger
 * of a second keeps up with the pace it asked for. A query at parallelism N reads N times this by
 * default, as each of its tasks generates its own share (on worker threads; inline tasks share the
 * query's thread): 10 000 events a task. Measured at 2 M events, parallelism 2, alternated, three
 * passes (bench/README.md): 20 000 events a batch against 10 000 took q5 5.00 s against 5.36, q7 4.59
 * against 5.18, q9 7.22 against 7.72, q18 6.21 against 6.29 (medians): half the batches, so half the
 * times the tasks wait for each other and the query's thread. Batch boundaries decide which rows
 * arrive late (behind the watermark of an earlier batch), so with out-of-order events those can
 * differ between parallelisms; an explicit cap keeps the batches the same at any parallelism.
 */
export const DEFAULT_MAX_EVENTS_PER_BATCH = 10_000;
/** Parallel generators beyond this are refused: the interleaving gains nothing from more. */
const MAX_GENERATORS = 1024;

export interface NexmarkSourceOptions {
  readonly config: NexmarkConfig;
  /** the number of events of a bounded source; undefined when unbounded (unset or 0) */
  readonly eventsNum: number | undefined;
  readonly maxEventsPerBatch: number;
  /** release events at `firstEventRate` per second of the engine clock */
  readonly pace: boolean;
}

class OptionReader {
  constructor(
    private readonly options: ReadonlyMap<string, string>,
    private readonly spans: ReadonlyMap<string, SourceSpan>,
  ) {}

  fail(key: string, expected: string): never {
    const value = this.options.get(key);
    throw new WeirError('OPTION', `option '${key}' of connector 'nexmark' must be ${expected}, got '${value ?? ''}'`,
      this.spans.get(key) ?? this.spans.get('connector'));
  }

  number(key: string, fallback: number, expected: string, ok: (x: number) => boolean): number {
    const raw = this.options.get(key);
    if (raw === undefined) return fallback;
    const text = raw.trim();
    const x = text === '' ? NaN : Number(text);
    if (!Number.isFinite(x) || !ok(x)) this.fail(key, expected);
    return x;
  }

  integer(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const what = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    const expected = max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : what;
    return this.number(key, fallback, expected, (x) => Number.isSafeInteger(x) && x >= min && x <= max);
  }

  boolean(key: string): boolean | undefined {
    const raw = this.options.get(key);
    if (raw === undefined) return undefined;
    const v = raw.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return this.fail(key, "'true' or 'false'");
  }

  /** epoch milliseconds, or an ISO-8601 / `YYYY-MM-DD HH:MM:SS[.fff]` timestamp (UTC unless it says) */
  time(key: string, fallback: number): number {
    const raw = this.options.get(key);
    if (raw === undefined) return fallback;
    const text = raw.trim();
    if (/^-?\d+$/.test(text)) {
      const x = Number(text);
      if (Number.isSafeInteger(x)) return x;
    }
    for (const parse of [DateTime.fromISO, DateTime.fromSQL]) {
      const t = parse(text, { zone: 'utc' });
      if (t.isValid) return t.toMillis();
    }
    return this.fail(key, "epoch milliseconds or an ISO-8601 timestamp such as '2026-01-01T00:00:00Z'");
  }
}

/** Check every option of a nexmark table and derive the source settings. */
export function parseNexmarkOptions(
  options: ReadonlyMap<string, string>,
  spans: ReadonlyMap<string, SourceSpan>,
  tasks = 1,
): NexmarkSourceOptions {
  for (const key of options.keys()) {
    if (!NEXMARK_OPTIONS.includes(key)) {
      throw new WeirError('OPTION', `unknown option '${key}' for connector 'nexmark'; expected one of: ${NEXMARK_OPTIONS.join(', ')}`,
        spans.get(key));
    }
  }
  const r = new OptionReader(options, spans);
  const d = DEFAULT_NEXMARK_CONFIG;
  const rate = 'a positive number of events per second';
  const firstSet = options.has('first-event.rate');
  const nextEventRate = r.number('next-event.rate', d.nextEventRate, rate, (x) => x > 0);
  // Only next-event.rate given: it is the one rate there is.
  const firstEventRate = r.number('first-event.rate', firstSet || !options.has('next-event.rate') ? d.firstEventRate : nextEventRate,
    rate, (x) => x > 0);
  const personProportion = r.integer('person.proportion', d.personProportion, 0);
  const auctionProportion = r.integer('auction.proportion', d.auctionProportion, 0);
  const bidProportion = r.integer('bid.proportion', d.bidProportion, 0);
  if (personProportion + auctionProportion + bidProportion === 0) {
    const key = ['bid.proportion', 'auction.proportion', 'person.proportion'].find((k) => options.has(k))!;
    r.fail(key, 'such that person, auction and bid proportions are not all 0');
  }
  const config: NexmarkConfig = {
    seed: r.number('seed', d.seed, 'an integer', Number.isSafeInteger),
    baseTime: r.time('base-time', d.baseTime),
    firstEventRate,
    nextEventRate,
    personProportion,
    auctionProportion,
    bidProportion,
    generators: r.integer('generators', d.generators, 1, MAX_GENERATORS),
    mode: generatorMode(r, options.get('generator.mode')),
  };
  const eventsNum = r.integer('events.num', 0, 0);
  const paceOption = r.boolean('source.pace');
  const rateLimit = r.boolean('rate-limit');
  const pace = paceOption === true || rateLimit === true;
  return {
    config,
    eventsNum: eventsNum === 0 ? undefined : eventsNum,
    maxEventsPerBatch: r.integer('source.max-events-per-batch', pace
      ? Math.max(DEFAULT_MAX_EVENTS_PER_BATCH * tasks, Math.ceil(Math.max(firstEventRate, nextEventRate)))
      : DEFAULT_MAX_EVENTS_PER_BATCH * tasks, 1),
    pace,
  };
}

function generatorMode(r: OptionReader, raw: string | undefined): NexmarkConfig['mode'] {
  if (raw === undefined) return DEFAULT_NEXMARK_CONFIG.mode;
  const v = raw.trim().toLowerCase();
  if (v === 'pruned' || v === 'full') return v;
  return r.fail('generator.mode', "'pruned' (the fields the query reads) or 'full' (every field, strings drawn as the reference generator draws them)");
}
