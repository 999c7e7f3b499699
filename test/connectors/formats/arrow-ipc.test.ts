/**
 * The arrow format (Arrow IPC files): Weir's batches round trip through the filesystem sink and
 * source with every type exact, the file is a standard IPC file other readers open, files from other
 * writers are read by column name, and a file that is not Arrow is a rejected record.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { FilesystemSink, FilesystemSource, listCommittedFiles } from '../../../src/connectors/filesystem/index.js';
import { RowKind } from '../../../src/connectors/api.js';
import { arrowFormat } from '../../../src/connectors/formats/arrow-ipc.js';
import { ctx, removeTempDirs, table, tempDir } from '../filesystem/helpers.js';

afterAll(removeTempDirs);

const schema: Schema = {
  columns: [
    { name: 'id', type: T.INT, nullable: false },
    { name: 'b', type: T.BIGINT, nullable: true },
    { name: 'd', type: T.decimal(18, 2), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'f', type: T.DOUBLE, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.BIGINT }, { name: 'm', type: T.decimal(10, 3) }]), nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10, 0, 5, 123);
const rows = [
  { id: 1, b: 2n ** 53n + 1n, d: '9999999999999999.99', s: 'naïve ☕ 𝄞', ts: TS, f: 0.1, r: { x: -(2n ** 63n), m: 1234567.891 } },
  { id: 2, b: -(2n ** 63n), d: -0.01, s: '', ts: 0, f: -Infinity, r: { x: null, m: null } },
  { id: 3, b: null, d: null, s: null, ts: null, f: null, r: null },
];

const source = (dir: string, s: Schema = schema): FilesystemSource =>
  new FilesystemSource(table(s, { connector: 'filesystem', path: dir, format: 'arrow' }), ctx('/'));

async function readAll(src: FilesystemSource): Promise<{ rows: Record<string, unknown>[]; rejected: { origin: string; reason: string }[] }> {
  const r = await src.read(undefined, (await src.latestOffset(undefined))!);
  return { rows: r.batches.flatMap((b) => batchToRows(b)), rejected: r.rejected.map(({ origin, reason }) => ({ origin, reason })) };
}

describe('arrow format', () => {
  it('round trips every value exactly through the sink and the source', async () => {
    const dir = tempDir();
    const sink = new FilesystemSink(table(schema, { connector: 'filesystem', path: dir, format: 'arrow' }), ctx('/'));
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(schema, rows)], kinds: undefined });
    expect(listCommittedFiles(dir)).toEqual(['part-00000000-0.arrow']);
    // a standard IPC file: apache-arrow opens it on its own, with Weir's DECIMAL marked in the field metadata
    const t = arrow.tableFromIPC(readFileSync(path.join(dir, 'part-00000000-0.arrow')));
    expect(t.numRows).toBe(3);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'b', 'd', 's', 'ts', 'f', 'r']);
    expect(t.schema.fields[2]!.metadata.get('weir.sql_type')).toBe('DECIMAL(18, 2)');
    expect(await readAll(source(dir))).toEqual({ rows, rejected: [] });
  });

  it('rejects the NULLs of a Weir file read into a NOT NULL column, keeping the other rows', async () => {
    const dir = tempDir();
    const s: Schema = { columns: [{ name: 'k', type: T.VARCHAR, nullable: true }] };
    writeFileSync(path.join(dir, 'f.arrow'), arrowFormat.encodeBytes(rowsToBatch(s, [{ k: 'a' }, { k: null }]), s));
    const notNull: Schema = { columns: [{ name: 'k', type: T.VARCHAR, nullable: false }] };
    expect(await readAll(source(dir, notNull))).toEqual({
      rows: [{ k: 'a' }],
      rejected: [{ origin: 'f.arrow#2', reason: "column 'k': cannot read null as VARCHAR (the column is NOT NULL)" }],
    });
  });

  it('writes the changelog marker _op in update mode', async () => {
    const dir = tempDir();
    const s: Schema = { columns: [{ name: 'k', type: T.VARCHAR, nullable: false }, { name: 'n', type: T.BIGINT, nullable: true }] };
    const sink = new FilesystemSink(table(s, { connector: 'filesystem', path: dir, format: 'arrow' }), ctx('/'));
    await sink.open({ schema: s, mode: 'update', keyColumns: [0], queryName: 'q' });
    const data = rowsToBatch(s, [{ k: 'a', n: 1 }, { k: 'b', n: 2 }]);
    await sink.write({ batchId: 0, data: [data], kinds: Uint8Array.of(RowKind.INSERT, RowKind.DELETE) });
    const t = arrow.tableFromIPC(readFileSync(path.join(dir, 'part-00000000-0.arrow')));
    expect(t.toArray().map((r) => ({ ...r.toJSON() }))).toEqual([{ k: 'a', n: 1n, _op: null }, { k: 'b', n: 2n, _op: 'delete' }]);
  });

  it('reads files of other writers by column name, converting their types', async () => {
    const dir = tempDir();
    const other = arrow.tableFromArrays({
      S: ['x', 'y'],
      id: Int32Array.of(10, 20),
      ts: [new Date(TS), null] as (Date | null)[],
    });
    writeFileSync(path.join(dir, 'other.arrow'), arrow.tableToIPC(other, 'file'));
    const s: Schema = { columns: [{ name: 'id', type: T.BIGINT, nullable: true }, { name: 's', type: T.VARCHAR, nullable: true }, { name: 'missing', type: T.INT, nullable: true }] };
    expect(await readAll(source(dir, s))).toEqual({ rows: [{ id: 10, s: 'x', missing: null }, { id: 20, s: 'y', missing: null }], rejected: [] });
  });

  it('rejects a file that is not Arrow IPC, and a record that does not fit, without failing the read', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.arrow'), 'ARROW1 but not really');
    writeFileSync(path.join(dir, 'b.arrow'), arrow.tableToIPC(arrow.tableFromArrays({ id: Float64Array.of(1, 1.5) }), 'file'));
    const s: Schema = { columns: [{ name: 'id', type: T.INT, nullable: true }] };
    const got = await readAll(source(dir, s));
    expect(got.rows).toEqual([{ id: 1 }]);
    expect(got.rejected.map((r) => r.origin)).toEqual(['a.arrow', 'b.arrow#2']);
    expect(got.rejected[0]!.reason).toMatch(/^not a readable Arrow IPC file: /);
    expect(got.rejected[1]!.reason).toMatch(/column 'id': cannot read 1.5 as INT/);
  });
});
