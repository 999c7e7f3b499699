import { describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import { WeirError, type SourceSpan } from '../../../src/common/errors.js';
import type { Column, Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import type { ConnectorContext, ConnectorTable, Json, Source } from '../../../src/connectors/api.js';
import {
  DEFAULT_MAX_EVENTS_PER_BATCH, generateRows, nexmarkConfig, nexmarkConnector, nexmarkSchema, parseNexmarkOptions,
} from '../../../src/connectors/nexmark/index.js';
import { weirErrorOf as thrown } from '../../support/weir-error.js';

const span = (line: number): SourceSpan => ({ line, column: 5, offset: line * 40 });

function table(options: Record<string, string>, schema: Schema = nexmarkSchema()): ConnectorTable {
  const entries = Object.entries({ connector: 'nexmark', ...options });
  return {
    name: 'datagen',
    schema,
    options: new Map(entries),
    optionSpans: new Map(entries.map(([k], i) => [k, span(10 + i)])),
    partitionedBy: [],
    primaryKey: [],
  };
}

class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

function source(options: Record<string, string>, ctx: Partial<ConnectorContext> = {}, schema?: Schema): Source {
  return nexmarkConnector.createSource!(table(options, schema), { clock: new FakeClock(0), baseDir: '.', ...ctx });
}

async function readAll(s: Source): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let offset: Json | undefined;
  for (;;) {
    const next = await s.latestOffset(offset);
    if (next === offset) break;
    const r = await s.read(offset, next!);
    for (const b of r.batches) rows.push(...batchToRows(b));
    offset = next;
  }
  expect(s.isExhausted(offset)).toBe(s.bounded);
  return rows;
}

describe('nexmark source: offsets and reading', () => {
  it('is bounded by events.num and reads every event once, in batches of at most max-events-per-batch', async () => {
    const s = source({ 'events.num': '2500', 'first-event.rate': '1000', 'source.max-events-per-batch': '1000' });
    expect(s.bounded).toBe(true);
    expect(await s.latestOffset(undefined)).toBe(1000);
    expect(await s.latestOffset(2000)).toBe(2500);
    expect(await s.latestOffset(2500)).toBe(2500);
    expect(s.isExhausted(2499)).toBe(false);
    const rows = await readAll(s);
    expect(rows).toEqual(generateRows(nexmarkConfig({ firstEventRate: 1000 }), 0, 2500));
  });

  it('splits one large read into batches of max-events-per-batch', async () => {
    const s = source({ 'source.max-events-per-batch': '300' });
    const r = await s.read(100, 1000);
    expect(r.batches.map((b) => b.numRows)).toEqual([300, 300, 300]);
    expect(r.rejected).toEqual([]);
    expect(r.batches[0]!.schema.fields.map((f) => f.name)).toEqual(['event_type', 'person', 'auction', 'bid']);
  });

  it('is unbounded without events.num (or with events.num = 0) and never exhausted', async () => {
    for (const opts of [{}, { 'events.num': '0' }] as Record<string, string>[]) {
      const s = source(opts);
      expect(s.bounded).toBe(false);
      expect(s.isExhausted(10 ** 9)).toBe(false);
      expect(await s.latestOffset(undefined)).toBe(DEFAULT_MAX_EVENTS_PER_BATCH);
      expect(await s.latestOffset(DEFAULT_MAX_EVENTS_PER_BATCH)).toBe(2 * DEFAULT_MAX_EVENTS_PER_BATCH);
    }
  });

  it('paces events by the engine clock at first-event.rate when source.pace is true', async () => {
    const clock = new FakeClock(5_000);
    const s = source({ 'source.pace': 'true', 'first-event.rate': '200', 'source.max-events-per-batch': '150' }, { clock });
    expect(s.pollIntervalMs).toBeGreaterThan(0);
    expect(await s.latestOffset(undefined)).toBeUndefined();
    clock.t += 250;
    expect(await s.latestOffset(undefined)).toBe(50);
    expect(await s.latestOffset(50)).toBe(50);
    clock.t += 2_000; // 450 events due by now, capped at 150 a batch
    expect(await s.latestOffset(50)).toBe(200);
    expect(await s.latestOffset(400)).toBe(450);
    const limited = source({ 'rate-limit': 'true', 'first-event.rate': '10', 'events.num': '15' }, { clock });
    expect(await limited.latestOffset(undefined)).toBeUndefined();
    clock.t += 10_000;
    expect(await limited.latestOffset(undefined)).toBe(15);
  });

  it('lets a paced batch hold one second of events by default when that is more than the default cap', async () => {
    const rate = 4 * DEFAULT_MAX_EVENTS_PER_BATCH;
    const clock = new FakeClock(0);
    const s = source({ 'source.pace': 'true', 'first-event.rate': String(rate) }, { clock });
    expect(await s.latestOffset(undefined)).toBeUndefined();
    clock.t += 1_000; // a 1-second trigger: the second's events in one batch, not capped behind the pace
    expect(await s.latestOffset(undefined)).toBe(rate);
    clock.t += 3_000; // behind by three seconds: one second a batch
    expect(await s.latestOffset(rate)).toBe(2 * rate);
    // a slow pace, or no pace: the default cap
    expect(parseNexmarkOptions(new Map([['source.pace', 'true'], ['first-event.rate', '100']]), new Map()).maxEventsPerBatch).toBe(DEFAULT_MAX_EVENTS_PER_BATCH);
    expect(parseNexmarkOptions(new Map([['first-event.rate', String(rate)]]), new Map()).maxEventsPerBatch).toBe(DEFAULT_MAX_EVENTS_PER_BATCH);
    // an explicit cap wins
    expect(parseNexmarkOptions(new Map([['source.pace', 'true'], ['first-event.rate', String(rate)], ['source.max-events-per-batch', '7']]), new Map()).maxEventsPerBatch).toBe(7);
  });

  it('reads the default batch once per task of a parallel query; an explicit cap is the whole batch', () => {
    const cap = (o: Record<string, string>, tasks?: number) => parseNexmarkOptions(new Map(Object.entries(o)), new Map(), tasks).maxEventsPerBatch;
    expect(cap({}, 1)).toBe(DEFAULT_MAX_EVENTS_PER_BATCH);
    expect(cap({}, 2)).toBe(2 * DEFAULT_MAX_EVENTS_PER_BATCH);
    expect(cap({}, 3)).toBe(3 * DEFAULT_MAX_EVENTS_PER_BATCH);
    expect(cap({ 'source.max-events-per-batch': '700' }, 3)).toBe(700);
    // paced: a second of events, or the tasks' default, whichever is more
    expect(cap({ 'source.pace': 'true', 'first-event.rate': '100' }, 2)).toBe(2 * DEFAULT_MAX_EVENTS_PER_BATCH);
    expect(cap({ 'source.pace': 'true', 'first-event.rate': String(5 * DEFAULT_MAX_EVENTS_PER_BATCH) }, 2)).toBe(5 * DEFAULT_MAX_EVENTS_PER_BATCH);
  });

  it('paces from the offset it resumes at', async () => {
    const clock = new FakeClock(0);
    const s = source({ 'source.pace': 'true', 'first-event.rate': '100' }, { clock });
    expect(await s.latestOffset(7_000)).toBe(7_000);
    clock.t = 1_000;
    expect(await s.latestOffset(7_000)).toBe(7_100);
  });

  it('refuses offsets that are not event counts', async () => {
    const s = source({});
    await expect(s.read('x', 10)).rejects.toThrow(WeirError);
    await expect(s.latestOffset(-1)).rejects.toThrow(/number of events/);
  });

  it('leaves ROW columns the query does not read all-null', async () => {
    const full = source({});
    const pruned = source({}, { requiredColumns: [0, 3] });
    const a = batchToRows((await full.read(0, 500)).batches[0]!);
    const b = batchToRows((await pruned.read(0, 500)).batches[0]!);
    expect(b.every((r) => r.person === null && r.auction === null)).toBe(true);
    expect(b.map((r) => [r.event_type, r.bid])).toEqual(a.map((r) => [r.event_type, r.bid]));
  });

  it('fills every column and field in the full-field mode, whatever the query reads', async () => {
    const all = batchToRows((await source({}).read(0, 500)).batches[0]!);
    const full = source({ 'generator.mode': 'full' }, { requiredColumns: [0, 3], requiredFields: new Map([[3, ['price']]]) });
    expect(full.description).toMatch(/, full\]$/);
    expect(batchToRows((await full.read(0, 500)).batches[0]!)).toEqual(all);
  });
});

describe('nexmark source: declared tables', () => {
  it('accepts the columns in another order and a ROW with a subset of its fields', async () => {
    const bid = T.row([
      { name: 'dateTime', type: T.TIMESTAMP },
      { name: 'AUCTION', type: T.BIGINT },
      { name: 'price', type: T.BIGINT },
    ]);
    const schema: Schema = {
      columns: [
        { name: 'bid', type: bid, nullable: true },
        { name: 'EVENT_TYPE', type: T.INT, nullable: true },
      ],
    };
    const s = source({ 'first-event.rate': '1000' }, {}, schema);
    const batch = (await s.read(0, 100)).batches[0]!;
    expect(batch.schema.fields.map((f) => f.name)).toEqual(['bid', 'EVENT_TYPE']);
    const rows = batchToRows(batch);
    const expected = generateRows(nexmarkConfig({ firstEventRate: 1000 }), 0, 100);
    expect(rows).toEqual(expected.map((r) => ({
      bid: r.bid && { dateTime: r.bid.dateTime, AUCTION: r.bid.auction, price: r.bid.price },
      EVENT_TYPE: r.event_type,
    })));
  });

  it('refuses a table whose columns do not match the generator', () => {
    const cols = nexmarkSchema().columns;
    const withColumn = (c: Column): Schema => ({ columns: [...cols.slice(1), c] });
    const cases: [Schema, RegExp][] = [
      [withColumn({ name: 'event_type', type: T.BIGINT, nullable: true }), /'event_type' must be INT, but it is declared as BIGINT/],
      [{ columns: [...cols, { name: 'other', type: T.INT, nullable: true }] }, /unknown column 'other'/],
      [{ columns: [cols[0]!, { name: 'bid', type: T.row([{ name: 'cost', type: T.BIGINT }]), nullable: true }] }, /field 'bid.cost' is not one of/],
      [{ columns: [cols[0]!, { name: 'bid', type: T.row([{ name: 'price', type: T.VARCHAR }]), nullable: true }] }, /'bid.price' must be BIGINT/],
      [{ columns: [cols[0]!, { name: 'person', type: T.VARCHAR, nullable: true }] }, /'person' must be ROW</],
      [{ columns: [cols[0]!, cols[0]!] }, /declared twice/],
    ];
    const reordered = withColumn({ name: 'event_type', type: T.INT, nullable: true });
    expect(source({}, {}, reordered).schema).toBe(reordered);
    for (const [schema, message] of cases) {
      const e = thrown(() => source({}, {}, schema));
      expect(e.code).toBe('TYPE');
      expect(e.message).toMatch(message);
      expect(e.span).toEqual(span(10)); // the 'connector' option
    }
  });
});

describe('nexmark source: options', () => {
  const error = (options: Record<string, string>): WeirError => thrown(() => source(options));

  it('knows the benchmark DDL options and its own', () => {
    for (const k of ['connector', 'first-event.rate', 'next-event.rate', 'events.num', 'person.proportion',
      'auction.proportion', 'bid.proportion', 'seed', 'base-time', 'generators', 'source.max-events-per-batch', 'source.pace']) {
      expect(nexmarkConnector.options).toContain(k);
    }
    expect(nexmarkConnector.name).toBe('nexmark');
  });

  it('refuses an unknown option, naming it and the known ones, at its span', () => {
    const e = error({ 'events.num': '10', 'event.num': '10' });
    expect(e.code).toBe('OPTION');
    expect(e.message).toMatch(/unknown option 'event.num'.*events\.num/);
    expect(e.span).toEqual(span(12));
  });

  it('refuses values of the wrong kind, saying what was expected', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'first-event.rate': 'fast' }, /'first-event.rate' .* must be a positive number of events per second, got 'fast'/],
      [{ 'next-event.rate': '0' }, /'next-event.rate' .* positive number/],
      [{ 'events.num': '-5' }, /'events.num' .* non-negative integer/],
      [{ 'events.num': '1.5' }, /'events.num'/],
      [{ 'person.proportion': 'one' }, /'person.proportion' .* non-negative integer/],
      [{ 'person.proportion': '0', 'auction.proportion': '0', 'bid.proportion': '0' }, /not all 0/],
      [{ seed: '' }, /'seed' .* an integer/],
      [{ generators: '0' }, /'generators' .* from 1 to 1024/],
      [{ 'base-time': 'yesterday' }, /'base-time' .* ISO-8601/],
      [{ 'source.pace': 'yes' }, /'source.pace' .* 'true' or 'false'/],
      [{ 'source.max-events-per-batch': '0' }, /'source.max-events-per-batch' .* positive integer/],
    ];
    for (const [options, message] of cases) {
      const e = error(options);
      expect(e.code).toBe('OPTION');
      expect(e.message).toMatch(message);
      expect(e.span).toEqual(span(10 + Object.keys(options).length));
    }
  });

  it('reads rates, proportions, seed, base time and generators into the generator config', () => {
    const parse = (o: Record<string, string>) => parseNexmarkOptions(new Map(Object.entries(o)), new Map());
    const o = parse({
      'first-event.rate': '2500', 'next-event.rate': '2500', 'events.num': '1000', 'person.proportion': '2',
      'auction.proportion': '4', 'bid.proportion': '44', seed: '-7', 'base-time': '2025-06-01T12:00:00Z', generators: '3',
    });
    expect(o.config).toEqual({
      seed: -7, baseTime: Date.UTC(2025, 5, 1, 12), firstEventRate: 2500, nextEventRate: 2500, personProportion: 2,
      auctionProportion: 4, bidProportion: 44, generators: 3, mode: 'pruned',
    });
    expect(o.eventsNum).toBe(1000);
    expect(o.pace).toBe(false);
    expect(parse({ 'base-time': '1700000000000' }).config.baseTime).toBe(1_700_000_000_000);
    expect(parse({ 'base-time': '2025-06-01 12:00:00.250' }).config.baseTime).toBe(Date.UTC(2025, 5, 1, 12, 0, 0, 250));
    expect(parse({ 'next-event.rate': '50' }).config.firstEventRate).toBe(50);
    expect(parse({}).config.firstEventRate).toBe(10_000);
  });

  it('generates the configured data', async () => {
    const s = source({ 'first-event.rate': '100', 'base-time': '2025-01-01T00:00:00Z', seed: '42' });
    const rows = batchToRows((await s.read(0, 60)).batches[0]!);
    expect(rows).toEqual(generateRows(nexmarkConfig({ firstEventRate: 100, baseTime: Date.UTC(2025, 0, 1), seed: 42 }), 0, 60));
    expect((rows[3]!.bid as { dateTime: number }).dateTime).toBe(Date.UTC(2025, 0, 1) + 30);
  });
});
