import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind, type ConnectorTable, type Sink } from '../../../src/connectors/api.js';
import { blackholeConnector, BlackholeSink } from '../../../src/connectors/blackhole/index.js';
import { createPrintConnector } from '../../../src/connectors/print/index.js';

const schema: Schema = {
  columns: [
    { name: 'id', type: T.BIGINT, nullable: true },
    { name: 'name', type: T.VARCHAR, nullable: true },
    { name: 'price', type: T.decimal(10, 2), nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'day', type: T.DATE, nullable: true },
    { name: 'r', type: T.row([{ name: 'a', type: T.INT }, { name: 'b', type: T.BOOLEAN }]), nullable: true },
  ],
};
const tableWith = (options: Record<string, string>): ConnectorTable => ({
  name: 'p', schema, options: new Map(Object.entries({ connector: 'print', ...options })), optionSpans: new Map(), partitionedBy: [], primaryKey: [],
});

async function printed(options: Record<string, string>, write: (s: Sink) => Promise<void>): Promise<string> {
  let out = '';
  const sink = createPrintConnector({ write: (s: string) => (out += s) }).createSink!(tableWith(options), { clock: { now: () => 0 }, baseDir: '/' });
  await sink.open({ schema, mode: 'update', keyColumns: [], queryName: 'q' });
  await write(sink);
  return out;
}

describe('print sink', () => {
  it('prints one line a row as Flink does, with the row kind and the column names', async () => {
    const data = rowsToBatch(schema, [
      { id: 1, name: 'abc', price: 2.5, ts: Date.UTC(2026, 10, 23, 10, 0, 5), day: 0, r: { a: 1, b: true } },
      { id: 2, name: null, price: null, ts: null, day: null, r: null },
      { id: 3, name: 'x, y', price: 10, ts: 0, day: 1, r: { a: null, b: false } },
    ]);
    const out = await printed({}, (s) => s.write({ batchId: 0, data: [data], kinds: new Uint8Array([RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.DELETE]) }));
    expect(out).toBe(
      '+I[id=1, name=abc, price=2.50, ts=2026-11-23 10:00:05.000, day=1970-01-01, r=(1, true)]\n'
      + '-U[id=2, name=null, price=null, ts=null, day=null, r=null]\n'
      + '-D[id=3, name=x, y, price=10.00, ts=1970-01-01 00:00:00.000, day=1970-01-02, r=(null, false)]\n',
    );
  });

  it('prefixes lines with print-identifier and treats missing kinds as inserts', async () => {
    const data = rowsToBatch(schema, [{ id: 7 }]);
    const out = await printed({ 'print-identifier': 'sink1' }, async (s) => {
      await s.write({ batchId: 0, data: [data], kinds: undefined });
      await s.write({ batchId: 1, data: [data], kinds: new Uint8Array([RowKind.UPDATE_AFTER]) });
    });
    const line = '[id=7, name=null, price=null, ts=null, day=null, r=null]';
    expect(out).toBe(`sink1> +I${line}\nsink1> +U${line}\n`);
  });
});

describe('blackhole sink', () => {
  it('discards rows and counts them', async () => {
    const sink = blackholeConnector.createSink!(tableWith({ connector: 'blackhole' }), { clock: { now: () => 0 }, baseDir: '/' });
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(schema, [{ id: 1 }, { id: 2 }])], kinds: undefined });
    await sink.write({ batchId: 1, data: [rowsToBatch(schema, [{ id: 3 }])], kinds: undefined });
    expect(sink).toBeInstanceOf(BlackholeSink);
    expect([(sink as BlackholeSink).rowCount, (sink as BlackholeSink).batchCount]).toEqual([3, 2]);
    expect(blackholeConnector.createSource).toBeUndefined();
  });
});
