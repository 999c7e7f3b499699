/**
 * The print sink on a terminal: a table under the column names, redrawn in place after each batch,
 * the changed rows marked; a row updated or taken out by the changelog changes in place.
 */
import { describe, expect, it } from 'vitest';
import { rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { RowKind, type ConnectorTable } from '../../../src/connectors/api.js';
import { createPrintConnector } from '../../../src/connectors/print/index.js';

const schema: Schema = { columns: [{ name: 'category', type: T.BIGINT, nullable: true }, { name: 'auctions', type: T.BIGINT, nullable: true }] };
const table: ConnectorTable = {
  name: 'p', schema, options: new Map([['connector', 'print']]), optionSpans: new Map(), partitionedBy: [], primaryKey: [],
};

/** A fake terminal: what each write drew, and the screen that results (cursor-up and clear honoured). */
function terminal() {
  const writes: string[] = [];
  let screen: string[] = [];
  const out = {
    isTTY: true, rows: 30, columns: 80,
    write(s: string) {
      writes.push(s);
      const m = /^\r\x1b\[(\d+)A\x1b\[J/.exec(s);
      if (m) screen = screen.slice(0, screen.length - Number(m[1]));
      screen.push(...s.replace(/^\r\x1b\[\d+A\x1b\[J|^\r\x1b\[K/, '').split('\n').slice(0, -1));
      return true;
    },
  };
  return { out, writes, screen: () => screen };
}

describe('print sink on a terminal', () => {
  it('draws a table with column names and redraws it in place, marking the changes', async () => {
    const t = terminal();
    const sink = createPrintConnector(t.out).createSink!(table, { clock: { now: () => 0 }, baseDir: '/' });
    await sink.open({ schema, mode: 'update', keyColumns: [0], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(schema, [{ category: 10, auctions: 1 }, { category: 11, auctions: 1 }])],
      kinds: new Uint8Array([RowKind.INSERT, RowKind.INSERT]) });
    expect(t.screen()).toEqual([
      '   category │ auctions',
      '   ──────── │ ────────',
      '+I 10       │ 1',
      '+I 11       │ 1',
    ]);
    await new Promise((r) => setTimeout(r, 110)); // redraws are at most every 100 ms
    await sink.write({ batchId: 1, data: [rowsToBatch(schema, [{ category: 10, auctions: 1 }, { category: 10, auctions: 2 }, { category: 12, auctions: 5 }])],
      kinds: new Uint8Array([RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.INSERT]) });
    expect(t.writes[1]!.startsWith('\r\x1b[4A\x1b[J')).toBe(true); // up over the 4 lines drawn, clear
    expect(t.screen()).toEqual([
      '   category │ auctions',
      '   ──────── │ ────────',
      '+U 10       │ 2',
      '   11       │ 1',
      '+I 12       │ 5',
    ]);
    await sink.write({ batchId: 2, data: [rowsToBatch(schema, [{ category: 11, auctions: 1 }])], kinds: new Uint8Array([RowKind.DELETE]) });
    await sink.close(); // the batch that came within 100 ms is drawn at the end
    expect(t.screen()).toEqual([
      '   category │ auctions',
      '   ──────── │ ────────',
      '   10       │ 2',
      '-D 11       │ 1',
      '   12       │ 5',
    ]);
  });

  it('keeps the newest rows of an append-only result that does not fit', async () => {
    const t = terminal();
    t.out.rows = 9; // 5 rows fit
    const sink = createPrintConnector(t.out).createSink!(table, { clock: { now: () => 0 }, baseDir: '/' });
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(schema, Array.from({ length: 8 }, (_, i) => ({ category: i, auctions: i })))], kinds: undefined });
    await sink.close();
    expect(t.screen()[2]).toBe('+I 3        │ 3');
    expect(t.screen().at(-2)).toBe('+I 7        │ 7');
    expect(t.screen().at(-1)).toBe('… 3 more rows above');
  });
});
