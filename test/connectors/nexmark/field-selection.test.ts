import { describe, expect, it } from 'vitest';
import { valueAt } from '../../../src/common/columns.js';
import { batchToRows } from '../../../src/common/columns.js';
import { generateEvents, generateRows, nexmarkConfig, nexmarkConnector, nexmarkSchema } from '../../../src/connectors/nexmark/index.js';
import type { ColumnSelection } from '../../../src/connectors/nexmark/index.js';
import { selection } from '../../../src/connectors/nexmark/source.js';
import { matchTableSchema, PERSON_FIELDS, BID_FIELDS, AUCTION_FIELDS } from '../../../src/connectors/nexmark/schema.js';

const config = nexmarkConfig({ firstEventRate: 10_000_000 });
const mask = (n: number, on: readonly number[]): boolean[] => Array.from({ length: n }, (_, k) => on.includes(k));

describe('nexmark generator: per-field selection', () => {
  const from = 7_777, to = 12_345;
  const full = generateEvents(config, from, to);
  const select: ColumnSelection = {
    person: true, auction: true, bid: true,
    fields: { person: mask(8, [6]), auction: mask(10, [5, 9]), bid: mask(7, [0, 2, 6]) },
  };
  const part = generateEvents(config, from, to, select);

  it('fills the selected fields exactly as a full generation does', () => {
    for (const [struct, on] of [['person', [6]], ['auction', [5, 9]], ['bid', [0, 2, 6]]] as const) {
      for (const k of on) {
        const a = full[struct].children[k]!, b = part[struct].children[k]!;
        for (let i = 0; i < full.length; i++) expect(valueAt(b, i)).toEqual(valueAt(a, i));
      }
    }
  });

  it('leaves the other fields null while the struct itself stays valid on its rows', () => {
    const kinds = { person: PERSON_FIELDS.length, auction: AUCTION_FIELDS.length, bid: BID_FIELDS.length } as const;
    const on = { person: [6], auction: [5, 9], bid: [0, 2, 6] } as Record<string, number[]>;
    for (const struct of ['person', 'auction', 'bid'] as const) {
      expect(part[struct].nullCount).toBe(full[struct].nullCount);
      for (let k = 0; k < kinds[struct]; k++) {
        if (on[struct]!.includes(k)) continue;
        expect(part[struct].children[k]!.nullCount).toBe(part.length);
      }
    }
  });
});

describe('nexmark generator: bid extra', () => {
  it('is the same for any batch split, across the letter ring wrapping (~15 000 bids)', () => {
    const from = 3 * 2 ** 32 - 1000;
    const n = 40_000;
    const whole = generateRows(config, from, from + n).map((r) => r.bid?.extra ?? null);
    const cuts = [from, from + 1, from + 9_999, from + 16_001, from + 16_002, from + 33_333, from + n];
    const parts: unknown[] = [];
    for (let k = 0; k + 1 < cuts.length; k++) parts.push(...generateRows(config, cuts[k]!, cuts[k + 1]!).map((r) => r.bid?.extra ?? null));
    expect(parts).toEqual(whole);
    const distinct = new Set(whole.filter((x) => x !== null));
    expect(distinct.size).toBeGreaterThan(0.99 * whole.filter((x) => x !== null).length);
  });
});

describe('nexmark source: requiredFields', () => {
  const schema = nexmarkSchema();
  const columns = matchTableSchema(schema, undefined);

  it('maps field names to generated fields, case-insensitively', () => {
    const s = selection(schema, columns, [0, 1, 3], new Map([[1, ['DATETIME']], [3, ['price', 'extra']]]));
    expect(s.person).toBe(true);
    expect(s.auction).toBe(false);
    expect(s.fields?.person).toEqual(mask(8, [6]));
    expect(s.fields?.bid).toEqual(mask(7, [2, 6]));
  });

  it('generates a struct whole when a name is unknown, or when no fields are given', () => {
    const s = selection(schema, columns, undefined, new Map([[3, ['nope']]]));
    expect([s.person, s.auction, s.bid]).toEqual([true, true, true]);
    expect(s.fields?.bid).toBeUndefined();
  });

  it('emits rows whose read fields equal the unpruned source', async () => {
    const table = {
      name: 'datagen', schema, options: new Map([['connector', 'nexmark'], ['events.num', '500']]),
      optionSpans: new Map(), partitionedBy: [], primaryKey: [],
    };
    const ctx = { clock: { now: () => 0 }, baseDir: '.' };
    const pruned = nexmarkConnector.createSource!(table, { ...ctx, requiredColumns: [0, 3], requiredFields: new Map([[3, ['auction', 'price']]]) });
    const whole = nexmarkConnector.createSource!(table, ctx);
    const a = (await pruned.read(null, 500)).batches.flatMap(batchToRows);
    const b = (await whole.read(null, 500)).batches.flatMap(batchToRows);
    expect(a.map((r) => [r.event_type, (r.bid as Record<string, unknown> | null)?.price ?? null, (r.bid as Record<string, unknown> | null)?.auction ?? null]))
      .toEqual(b.map((r) => [r.event_type, (r.bid as Record<string, unknown> | null)?.price ?? null, (r.bid as Record<string, unknown> | null)?.auction ?? null]));
    expect(a.every((r) => r.person === null && (r.bid === null || (r.bid as Record<string, unknown>).extra === null))).toBe(true);
  });
});
