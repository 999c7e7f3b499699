import { describe, expect, it } from 'vitest';
import * as arrow from 'apache-arrow';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind, type ConnectorTable, type OutputMode, type Sink, type Source } from '../../../src/connectors/api.js';
import { createMemoryConnector, type MemoryTables } from '../../../src/connectors/memory/index.js';

const schema: Schema = {
  columns: [
    { name: 'k', type: T.VARCHAR, nullable: true },
    { name: 'n', type: T.BIGINT, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10);
const tableOf = (name: string): ConnectorTable => ({
  name, schema, options: new Map([['connector', 'memory']]), optionSpans: new Map(), partitionedBy: [], primaryKey: [],
});
const ctx = { clock: { now: () => 0 }, baseDir: '/' };

function setup(): { tables: MemoryTables; source: Source; sink: (mode: OutputMode, keys?: number[], query?: string) => Promise<Sink> } {
  const { connector, tables } = createMemoryConnector({ changelog: 'all' }); // these tests read the whole changelog
  tables.register('In', schema);
  tables.register('out', schema);
  return {
    tables,
    source: connector.createSource!(tableOf('in'), ctx),
    sink: async (mode, keys = [], query = 'q') => {
      const s = connector.createSink!(tableOf('OUT'), ctx);
      await s.open({ schema, mode, keyColumns: keys, queryName: query });
      return s;
    },
  };
}

const rows = (...ks: [string, number][]): Record<string, unknown>[] => ks.map(([k, n]) => ({ k, n, ts: null }));
const b = (...ks: [string, number][]): arrow.RecordBatch => rowsToBatch(schema, rows(...ks));

describe('memory source', () => {
  it('counts pushed batches as offsets and reads the pushes between two offsets', async () => {
    const { tables, source } = setup();
    expect(source.bounded).toBe(false);
    expect(await source.latestOffset(undefined)).toBeUndefined();
    tables.input('IN').push([{ k: 'a', n: 1, ts: new Date(TS) }, { K: 'b', N: '2' }]);
    tables.input('in').push([{ k: 'c', n: 3n, ts: '2026-11-23T10:00:00Z' }]);
    const o1 = await source.latestOffset(undefined);
    expect(o1).toBe(2);
    const r1 = await source.read(undefined, o1!);
    expect(r1.batches.flatMap((x) => batchToRows(x))).toEqual([
      { k: 'a', n: 1, ts: TS }, { k: 'b', n: 2, ts: null }, { k: 'c', n: 3, ts: TS },
    ]);
    expect(await source.latestOffset(o1)).toBe(o1);
    tables.input('in').push(new arrow.Table([b(['d', 4])]));
    const o2 = await source.latestOffset(o1);
    expect(o2).toBe(3);
    expect((await source.read(o1, o2!)).batches.flatMap((x) => batchToRows(x))).toEqual(rows(['d', 4]));
    // deterministic re-read
    expect((await source.read(undefined, o1!)).batches.flatMap((x) => batchToRows(x))).toEqual(r1.batches.flatMap((x) => batchToRows(x)));
    expect(source.isExhausted(o2)).toBe(false);
  });

  it('refuses values that do not convert, naming the row, column and value', () => {
    const { tables } = setup();
    const push = (): void => tables.input('in').push([{ k: 'a', n: 1 }, { k: 'b', n: 'abc' }]);
    expect(push).toThrow(WeirError);
    expect(push).toThrow(`memory table 'in', row 1: column 'n': cannot read "abc" as BIGINT`);
    expect(tables.pushed('in')).toHaveLength(0);
    expect(() => tables.input('nope')).toThrow(/no memory table 'nope'; memory tables: 'In', 'out'/);
  });
});

describe('memory sink', () => {
  it('append mode keeps every row written', async () => {
    const { tables, sink } = setup();
    const s = await sink('append');
    await s.write({ batchId: 0, data: [b(['a', 1])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['b', 2]), b(['c', 3])], kinds: undefined });
    expect(tables.output('out').rows()).toEqual(rows(['a', 1], ['b', 2], ['c', 3]));
    expect(tables.output('out').batches()).toBe(2);
  });

  it('complete mode keeps the last batch', async () => {
    const { tables, sink } = setup();
    const s = await sink('complete');
    await s.write({ batchId: 0, data: [b(['a', 1])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['a', 2], ['b', 1])], kinds: undefined });
    expect(tables.output('out').rows()).toEqual(rows(['a', 2], ['b', 1]));
  });

  it('update mode upserts by key and removes on UPDATE_BEFORE and DELETE', async () => {
    const { tables, sink } = setup();
    const s = await sink('update', [0]);
    await s.write({ batchId: 0, data: [b(['a', 1], ['b', 1])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['a', 1], ['a', 2], ['b', 1], ['c', 7])], kinds: new Uint8Array([RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT]) });
    await s.write({ batchId: 2, data: [b(['c', 8])], kinds: undefined });
    const out = tables.output('out');
    expect(out.rows().sort((x, y) => String(x['k']).localeCompare(String(y['k'])))).toEqual(rows(['a', 2], ['c', 8]));
    expect(out.changes().map((c) => [c.kind, c.row['k'], c.batchId])).toEqual([
      ['insert', 'a', 0], ['insert', 'b', 0], ['update_before', 'a', 1], ['update_after', 'a', 1], ['delete', 'b', 1], ['insert', 'c', 1], ['insert', 'c', 2],
    ]);
  });

  it('update mode keeps keys apart that a joined text would confuse: composite keys, NULL and the text null, -0 and 0, NaN', async () => {
    const { connector, tables } = createMemoryConnector({ changelog: 'all' });
    const two: Schema = { columns: [
      { name: 'a', type: T.VARCHAR, nullable: true }, { name: 'b', type: T.VARCHAR, nullable: true },
      { name: 'd', type: T.DOUBLE, nullable: true }, { name: 'v', type: T.BIGINT, nullable: true },
    ] };
    tables.register('pairs', two);
    const s = connector.createSink!({ ...tableOf('pairs'), schema: two }, ctx);
    await s.open({ schema: two, mode: 'update', keyColumns: [0, 1, 2], queryName: 'q' });
    const keys: [string | null, string | null, number | null][] = [
      ['a,b', 'c', 1], ['a', 'b,c', 1], ['a;', 'n1;', 1], ['a', ';n1;', 1], [null, 'x', 1], ['null', 'x', 1], ['s1:x', null, 1],
      ['x', 's1:', null], ['k', 'k', 0], ['k', 'k', -0], ['k', 'k', NaN], ['k', 'k', Infinity], ['1', '', 2], ['', '1', 2], ['日本', '😀', 3],
    ];
    const batch = (v: number): arrow.RecordBatch => rowsToBatch(two, keys.map(([a, b, d]) => ({ a, b, d, v })));
    await s.write({ batchId: 0, data: [batch(1)], kinds: undefined });
    await s.write({ batchId: 1, data: [batch(2)], kinds: undefined });
    const got = tables.output('pairs').rows();
    expect(got).toHaveLength(keys.length);
    expect(got.every((r) => r['v'] === 2)).toBe(true);
    expect(new Set(got.map((r) => JSON.stringify([r['a'], r['b'], Object.is(r['d'], -0) ? '-0' : String(r['d'])]))).size).toBe(keys.length);
  });

  it('update mode without keys retracts one equal row', async () => {
    const { tables, sink } = setup();
    const s = await sink('update');
    await s.write({ batchId: 0, data: [b(['a', 1], ['a', 1], ['b', 2])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['a', 1])], kinds: new Uint8Array([RowKind.DELETE]) });
    expect(tables.output('out').rows()).toEqual(rows(['a', 1], ['b', 2]));
  });

  it.each(['append', 'complete', 'update'] as const)('re-delivery of a batch id replaces its effect (%s)', async (mode) => {
    const { tables, sink } = setup();
    const s = await sink(mode, [0]);
    await s.write({ batchId: 0, data: [b(['a', 1])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['b', 1])], kinds: undefined });
    // a restart re-runs batch 1 (its rows may be the same; different ones show which delivery counts)
    const again = await sink(mode, [0]);
    await again.write({ batchId: 1, data: [b(['b', 2])], kinds: undefined });
    const expected = mode === 'complete' ? rows(['b', 2]) : rows(['a', 1], ['b', 2]);
    expect(tables.output('out').rows()).toEqual(expected);
    expect(tables.output('out').batches()).toBe(2);
    expect(tables.output('out').changes().map((c) => c.batchId)).toEqual([0, 1]);
  });

  it('update-mode re-delivery restores the keys the first delivery changed', async () => {
    const { tables, sink } = setup();
    const s = await sink('update', [0]);
    await s.write({ batchId: 0, data: [b(['a', 1], ['b', 1])], kinds: undefined });
    await s.write({ batchId: 1, data: [b(['a', 5], ['b', 1])], kinds: new Uint8Array([RowKind.UPDATE_AFTER, RowKind.DELETE]) });
    await s.write({ batchId: 1, data: [b(['a', 6])], kinds: undefined });
    expect(tables.output('out').rows()).toEqual(rows(['a', 6], ['b', 1]));
  });

  it.each([{ keys: [0] }, { keys: [] as number[] }])('update-mode re-delivery gives a key written several times in the batch its first old rows back (key columns $keys)', async ({ keys }) => {
    const { tables, sink } = setup();
    const s = await sink('update', keys);
    await s.write({ batchId: 0, data: [b(['a', 1], ['b', 1], ['b', 2])], kinds: undefined });
    const before = tables.output('out').rows().map((r) => ({ ...r }));
    const K = RowKind;
    await s.write({ batchId: 1, data: [b(['a', 1], ['a', 2], ['a', 2], ['a', 3], ['b', 1], ['c', 1], ['c', 1])],
      kinds: new Uint8Array([K.UPDATE_BEFORE, K.UPDATE_AFTER, K.UPDATE_BEFORE, K.UPDATE_AFTER, K.DELETE, K.INSERT, K.DELETE]) });
    expect(tables.output('out').rows()).not.toEqual(before);
    // the re-run of batch 1 writes nothing: the table is as batch 0 left it
    await s.write({ batchId: 1, data: [], kinds: undefined });
    const sorted = (xs: Record<string, unknown>[]) => [...xs].sort((x, y) => `${x['k']}${x['n']}`.localeCompare(`${y['k']}${y['n']}`));
    expect(sorted(tables.output('out').rows())).toEqual(sorted(before));
  });
});
