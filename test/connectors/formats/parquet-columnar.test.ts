/**
 * The Parquet source's column-by-column read (parquet-columnar.ts) against its row-by-row read
 * (hyparquet's rows, then convertValue), on random files of three writers: Weir's own (v1 PLAIN
 * pages), hyparquet-writer's (v2 pages, dictionaries, RLE booleans, several row groups and pages)
 * and DuckDB's (v1 dictionaries and PLAIN, several row groups; v2 with DELTA encodings; Snappy,
 * none, ZSTD, GZIP, BROTLI or LZ4_RAW). A fresh seed per run, printed; WEIR_SEED replays.
 *
 * Each read must give the same rows and the same rejected records, and the columnar read must be
 * the one taken exactly when every column read holds its SQL type as is and no record is rejected.
 */
import { readFileSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T, type SqlType } from '../../../src/common/types.js';
import { matchColumns } from '../../../src/connectors/formats/binary-rows.js';
import type { DecodeResult } from '../../../src/connectors/formats/decoded.js';
import { readColumnar } from '../../../src/connectors/formats/parquet-columnar.js';
import { DECOMPRESSORS } from '../../../src/connectors/formats/parquet-codecs.js';
import { columnShapes } from '../../../src/connectors/formats/parquet-nested.js';
import { writeFlatParquet } from '../../../src/connectors/formats/parquet-file.js';
import { leafPage } from '../../../src/connectors/formats/parquet-leaf.js';
import { decodeParquetRowByRow, encodeParquet, parquetFormat } from '../../../src/connectors/formats/parquet.js';
import { parquetDuckDb } from '../../support/duckdb-parquet.js';
import { lcg, pick } from '../../support/lcg.js';
import { propertySeed } from '../../support/property.js';

const duck = parquetDuckDb('columnar');
const seed = propertySeed();

const col = (name: string, type: SqlType, nullable = true): Schema['columns'][number] => ({ name, type, nullable });

/** Whether the columnar read takes the file (it gives undefined where the row-by-row read must). */
function columnarTakes(bytes: Uint8Array, schema: Schema, readColumns?: ReadonlySet<string>): boolean {
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const shapes = columnShapes(meta.schema);
  const top = shapes.map((c) => c.name);
  const match = matchColumns(schema, top, readColumns);
  return readColumnar(bytes, meta, shapes, schema, match.map((m) => (m < 0 ? undefined : top[m])), readColumns, 0, DECOMPRESSORS) !== undefined;
}

const rowsOf = (r: DecodeResult): unknown[] => batchToRows(r.batch);

/**
 * A column's buffers as bytes: the other reads leave a NULL row's slot zero, and so must this one.
 * A ROW's are its validity, then its fields' buffers in turn.
 */
function buffersOf(r: DecodeResult): Buffer[][] {
  const bytes = (v: ArrayBufferView | undefined | null): Buffer => (v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0));
  const of = (d: Arrow.Data): Buffer[] => {
    if (d.children.length > 0) return [bytes(d.nullCount > 0 ? d.nullBitmap : undefined), ...d.children.flatMap(of)];
    const n = d.length;
    const width = d.values instanceof Uint8Array && d.valueOffsets === undefined ? (n + 7) >> 3 : n; // Bool: bits
    const values = d.values as ArrayLike<unknown> & ArrayBufferView;
    const used = d.valueOffsets ? (d.valueOffsets as Int32Array)[n]! : width;
    const per = values.byteLength / Math.max(1, values.length);
    return [bytes(d.nullCount > 0 ? d.nullBitmap : undefined), bytes(d.valueOffsets), bytes(new Uint8Array(values.buffer, values.byteOffset, used * per))];
  };
  return r.batch.data.children.map(of);
}

/**
 * Both reads of `bytes` as `schema`; they must agree. `direct` says whether every column read holds
 * its SQL type as is: then the columnar read must be taken exactly when nothing is rejected
 * (undefined: a damaged file, which either read may take).
 */
async function bothReads(bytes: Uint8Array, schema: Schema, direct: boolean | undefined, readColumns?: ReadonlySet<string>, why = ''): Promise<DecodeResult> {
  const fast = await parquetFormat.decodeBytes(bytes, schema, 'f.parquet', readColumns);
  const slow = await decodeParquetRowByRow(bytes, schema, 'f.parquet', readColumns);
  expect(rowsOf(fast), why).toEqual(rowsOf(slow));
  const [a, b] = [buffersOf(fast), buffersOf(slow)];
  const differing = a.flatMap((bufs, i) => bufs.flatMap((x, k) => (x.equals(b[i]![k]!) ? [] : [`${schema.columns[i]!.name}[${k}]`])));
  expect(differing, `${why}: buffers (validity, offsets, values) that differ`).toEqual([]);
  expect(fast.rejected, why).toEqual(slow.rejected);
  expect(fast.records, why).toBe(slow.records);
  if (direct !== undefined) expect(columnarTakes(bytes, schema, readColumns), why).toBe(direct && slow.rejected.length === 0);
  return fast;
}

/** The table Weir writes, every type the columnar read takes, and a DECIMAL it leaves to the rows. */
const written: Schema = {
  columns: [
    col('b', T.BOOLEAN), col('ti', T.TINYINT), col('si', T.SMALLINT), col('i', T.INT), col('l', T.BIGINT),
    col('f', T.FLOAT), col('d', T.DOUBLE), col('s', T.VARCHAR), col('day', T.DATE), col('ts', T.TIMESTAMP),
    col('dec', T.decimal(12, 3)),
  ],
};

function randomRows(r: () => number, n: number, nullRate: number): Record<string, unknown>[] {
  const v = <V,>(xs: readonly V[]): V | null => (r() < nullRate ? null : pick(r, xs));
  const long = 'ü'.repeat(r() * 30);
  return Array.from({ length: n }, (_, k) => ({
    b: v([true, false]),
    ti: v([0, -128, 127, 5]),
    si: v([0, -32768, 32767, -300]),
    i: v([0, -1, 2147483647, -2147483648, 42, k]),
    l: v([0, -5, 2 ** 53 - 1, 9007199254740993n, -9223372036854775808n, 9223372036854775807n, k]),
    f: v([0.1, -0, 1.5, Infinity, NaN, 3.4e38, -1e-40]),
    d: v([0.1, -0, 1e21, -Infinity, NaN, 5e-324, k / 7]),
    s: v(['', 'plain', 'a,b\n"c"', 'é日本😀', 'x'.repeat(40), long, `k${k % 9}`, '\u0000']),
    day: v([0, -1, 20_000, 99_999_999, -719_162]),
    ts: v([0, -1, Date.UTC(2026, 10, 23, 10, 0, 5, 123), 253402300799999, -8.64e15]),
    dec: v(['1.500', '-0.001', '0']),
  }));
}

/** Tables to read a file of `written` as: the same, wider, narrower, fewer, other cases, NOT NULL. */
const readAs: { name: string; schema: Schema; direct: boolean; read?: string[] }[] = [
  { name: 'the same columns but DECIMAL', schema: { columns: written.columns.filter((c) => c.name !== 'dec') }, direct: true },
  { name: 'every column', schema: written, direct: true },
  { name: 'every column, DECIMAL unread', schema: written, direct: true, read: written.columns.filter((c) => c.name !== 'dec').map((c) => c.name) },
  { name: 'wider', schema: { columns: [col('i', T.BIGINT), col('f', T.DOUBLE), col('ti', T.BIGINT), col('si', T.INT)] }, direct: true },
  { name: 'narrower', schema: { columns: [col('si', T.TINYINT), col('i', T.SMALLINT)] }, direct: true },
  { name: 'other cases, a column the file lacks', schema: { columns: [col('L', T.BIGINT), col('S', T.VARCHAR), col('nowhere', T.INT)] }, direct: true },
  { name: 'NOT NULL', schema: { columns: [col('l', T.BIGINT, false), col('s', T.VARCHAR, false), col('ts', T.TIMESTAMP, false)] }, direct: true },
  { name: 'a NOT NULL column the file lacks', schema: { columns: [col('l', T.BIGINT), col('nowhere', T.INT, false)] }, direct: true },
  { name: 'converted: numbers as text', schema: { columns: [col('l', T.VARCHAR), col('d', T.VARCHAR)] }, direct: false },
  { name: 'converted: timestamps as BIGINT', schema: { columns: [col('ts', T.BIGINT), col('day', T.INT)] }, direct: false },
  // a DECIMAL of the file's scale and at least its precision is its unscaled integer as it is
  { name: 'a wider DECIMAL', schema: { columns: [col('dec', T.decimal(18, 3)), col('i', T.INT)] }, direct: true },
  { name: 'a narrower DECIMAL', schema: { columns: [col('dec', T.decimal(4, 3))] }, direct: false },
  { name: 'a DECIMAL of another scale', schema: { columns: [col('dec', T.decimal(12, 2))] }, direct: false },
  { name: 'a 128-bit DECIMAL', schema: { columns: [col('dec', T.decimal(20, 3))] }, direct: true },
  { name: 'a DECIMAL as DOUBLE', schema: { columns: [col('dec', T.DOUBLE)] }, direct: false },
];

describe('the Parquet source read column by column', () => {
  it('gives the row-by-row read of files Weir and hyparquet-writer write (seeded)', async () => {
    await parquetFormat.load!();
    for (let run = 0; run < 16; run++) {
      const r = lcg(seed + run);
      const n = 1 + Math.floor(r() * 300);
      const nullRate = pick(r, [0, 0, 0.2, 0.9]);
      // without NULLs, every other run writes REQUIRED columns (no definition levels)
      const shape = nullRate === 0 && run % 2 === 0 ? { columns: written.columns.map((c) => ({ ...c, nullable: false })) } : written;
      const batch = rowsToBatch(shape, randomRows(r, n, nullRate));
      const files = [
        ['weir', encodeParquet(batch, shape)],
        ['hyparquet-writer', encodeParquet(batch, shape, undefined, undefined, false)],
      ] as const;
      for (const [writer, bytes] of files) {
        for (const t of readAs) {
          await bothReads(bytes, t.schema, t.direct, t.read && new Set(t.read), `seed ${seed + run}, ${writer}, ${t.name}`);
        }
      }
    }
  });

  it('reads several row groups and pages, dictionaries and RLE booleans (hyparquet-writer)', async () => {
    await parquetFormat.load!();
    const r = lcg(seed);
    const n = 5000;
    const s = (k: number): string => pick(r, ['a', 'bb', 'é日本', 'x'.repeat(20)]) + (k % 50);
    const data = {
      k: Array.from({ length: n }, (_, k) => (k % 11 === 0 ? null : BigInt(k % 40))),
      s: Array.from({ length: n }, (_, k) => (k % 13 === 0 ? null : s(k))),
      b: Array.from({ length: n }, (_, k) => (k % 17 === 0 ? null : r() < 0.5)),
      d: Array.from({ length: n }, (_, k) => (k % 5 === 0 ? null : Math.floor(r() * 8) / 4)),
      // NULLs only in the last pages: the earlier pages' rows must stay valid
      late: Array.from({ length: n }, (_, k) => (k > 4500 && k % 3 === 0 ? null : (k * 1000003) % 2147483647 - 1073741823)),
    };
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'k', data: data.k }, { name: 's', data: data.s }, { name: 'b', data: data.b }, { name: 'd', data: data.d }, { name: 'late', data: data.late }],
      schema: [
        { name: 'root', num_children: 5 },
        { name: 'k', type: 'INT64', repetition_type: 'OPTIONAL' },
        { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'b', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
        { name: 'd', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'late', type: 'INT32', repetition_type: 'OPTIONAL' },
      ],
      rowGroupSize: [700, 1900],
      pageSize: 512,
    }));
    const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(meta.row_groups.length).toBeGreaterThan(2);
    expect(meta.row_groups[0]!.columns[1]!.meta_data!.encodings).toContain('RLE_DICTIONARY');
    const schema: Schema = { columns: [col('k', T.BIGINT), col('s', T.VARCHAR), col('b', T.BOOLEAN), col('d', T.DOUBLE), col('late', T.INT)] };
    const got = await bothReads(bytes, schema, true);
    // and the values are the ones written, not only the ones the other read gives
    expect(rowsOf(got)).toEqual(Array.from({ length: n }, (_, k) => ({
      k: data.k[k] === null ? null : Number(data.k[k]), s: data.s[k], b: data.b[k], d: data.d[k], late: data.late[k],
    })));
  });

  it('reads every value encoding hyparquet-writer writes, over several pages with NULLs (seeded)', async () => {
    await parquetFormat.load!();
    const encodings = {
      s: ['PLAIN', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY', 'RLE_DICTIONARY'],
      l: ['PLAIN', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT', 'RLE_DICTIONARY'],
      i: ['PLAIN', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT', 'RLE_DICTIONARY'],
      d: ['PLAIN', 'BYTE_STREAM_SPLIT', 'RLE_DICTIONARY'],
    } as const;
    for (let run = 0; run < 12; run++) {
      const r = lcg(seed + 100 + run);
      const n = 1 + Math.floor(r() * 3000);
      const nulls = pick(r, [0, 0.1, 0.7]);
      const v = <V,>(make: (k: number) => V) => Array.from({ length: n }, (_, k) => (r() < nulls ? null : make(k)));
      // strings sharing prefixes (DELTA_BYTE_ARRAY's point), of any length, some not ASCII
      const data = {
        s: v((k) => pick(r, ['https://www.nexmark.com/', 'https://www.nexmark.com/item', 'é日本', '', 'x'.repeat(30)]) + (r() < 0.5 ? String(k % 97) : '')),
        l: v(() => pick(r, [0n, -1n, 9223372036854775807n, -9223372036854775808n, BigInt(Math.floor(r() * 2 ** 52) - 2 ** 51)])),
        i: v(() => pick(r, [0, -1, 2147483647, -2147483648, Math.floor(r() * 2000) - 1000])),
        d: v(() => pick(r, [0.5, -0, NaN, Infinity, r() * 1e6])),
      };
      // every encoding of every column within the twelve runs
      const chosen = {
        s: encodings.s[run % 4]!, l: encodings.l[(run + 1) % 4]!, i: encodings.i[(run + 2) % 4]!, d: encodings.d[run % 3]!,
      };
      const bytes = new Uint8Array(parquetWriteBuffer({
        columnData: (['s', 'l', 'i', 'd'] as const).map((name) => ({ name, data: data[name], encoding: chosen[name] })),
        schema: [
          { name: 'root', num_children: 4 },
          { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'l', type: 'INT64', repetition_type: 'OPTIONAL' },
          { name: 'i', type: 'INT32', repetition_type: 'OPTIONAL' },
          { name: 'd', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        ],
        pageSize: pick(r, [256, 4096, 1 << 20]),
        rowGroupSize: pick(r, [500, 100_000]),
      } as never));
      const schema: Schema = { columns: [col('s', T.VARCHAR), col('l', T.BIGINT), col('i', T.INT), col('d', T.DOUBLE)] };
      const why = `seed ${seed + 100 + run}, ${JSON.stringify(chosen)}`;
      // the encodings written are the ones asked for (a dictionary only where it was asked)
      const written = parquetMetadata(bytes.buffer as ArrayBuffer).row_groups[0]!.columns.map((c) => c.meta_data!.encodings);
      (['s', 'l', 'i', 'd'] as const).forEach((name, k) => expect(written[k], `${why}: ${name}`).toContain(chosen[name]));
      const got = await bothReads(bytes, schema, true, undefined, why);
      expect(rowsOf(got).map((row) => (row as { s: unknown }).s), why).toEqual(data.s);
    }
  });

  it('reads DECIMALs in fixed-length bytes (as pyarrow writes them), plain and dictionary, against the row-by-row read (seeded)', async () => {
    await parquetFormat.load!();
    // (precision, scale, bytes): the fewest bytes for the precision, and 16 for a small one (some writers always use 16)
    const shapes = [[10, 2, 5], [18, 4, 8], [38, 10, 16], [9, 3, 16], [25, 0, 11]] as const;
    for (let run = 0; run < 10; run++) {
      const r = lcg(seed + 200 + run);
      const [precision, scale, length] = shapes[run % shapes.length]!;
      const top = 10n ** BigInt(precision) - 1n;
      const n = 1 + Math.floor(r() * 2000);
      const nulls = pick(r, [0, 0.1, 0.6]);
      const unscaled = (): bigint => pick(r, [0n, 1n, -1n, top, -top, (BigInt(Math.floor(r() * 2 ** 40)) - 2n ** 39n) % top,
        (top * BigInt(Math.floor(r() * 1000))) / 1000n, -(top * BigInt(Math.floor(r() * 1000))) / 1000n]);
      const data = Array.from({ length: n }, () => (r() < nulls ? null : unscaled()));
      const encoding = run % 2 === 0 ? 'PLAIN' : 'RLE_DICTIONARY';
      const bytes = new Uint8Array(parquetWriteBuffer({
        columnData: [{ name: 'x', data, encoding }],
        schema: [
          { name: 'root', num_children: 1 },
          { name: 'x', type: 'FIXED_LEN_BYTE_ARRAY', type_length: length, converted_type: 'DECIMAL', precision, scale, repetition_type: 'OPTIONAL' },
        ],
        pageSize: pick(r, [256, 1 << 20]),
      } as never));
      const why = `seed ${seed + 200 + run}, DECIMAL(${precision}, ${scale}) in ${length} bytes, ${encoding}`;
      const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
      expect(meta.schema[1]!.type, why).toBe('FIXED_LEN_BYTE_ARRAY');
      expect(meta.row_groups[0]!.columns[0]!.meta_data!.encodings, why).toContain(encoding);
      // its own type, a wider one (Int64 or Decimal128 either side of 18 digits), and ones read row by row
      const got = await bothReads(bytes, { columns: [col('x', T.decimal(precision, scale))] }, true, undefined, why);
      expect(rowsOf(got).map((row) => (row as { x: unknown }).x === null), why).toEqual(data.map((v) => v === null));
      await bothReads(bytes, { columns: [col('x', T.decimal(Math.min(38, precision + 12), scale))] }, true, undefined, `${why}, wider`);
      await bothReads(bytes, { columns: [col('x', T.decimal(Math.min(38, precision + 1), scale + 1))] }, false, undefined, `${why}, rescaled`);
    }
    // files whose values do not fit the precision they name (within 2^53, beyond it, beyond 64 bits):
    // the row-by-row read rejects them
    // (and 17 bytes whose first is the sign's but whose 16 last do not fit 128 bits: 2^128 - 1, -2^128)
    const lies = [[3, 5, 123456n], [16, 8, 10n ** 17n], [20, 16, 10n ** 20n], [20, 16, -(10n ** 20n)], [38, 17, 2n ** 128n - 1n], [38, 17, -(2n ** 128n)]] as const;
    for (const [precision, length, big] of lies) {
      const lying = new Uint8Array(parquetWriteBuffer({
        columnData: [{ name: 'x', data: [5n, big, null] }],
        schema: [{ name: 'root', num_children: 1 }, { name: 'x', type: 'FIXED_LEN_BYTE_ARRAY', type_length: length, converted_type: 'DECIMAL', precision, scale: 1, repetition_type: 'OPTIONAL' }],
      } as never));
      const why = `${big} in a DECIMAL(${precision}, 1) of ${length} bytes`;
      const read = await bothReads(lying, { columns: [col('x', T.decimal(precision, 1))] }, true, undefined, why);
      expect(read.rejected, why).toHaveLength(1);
      expect(columnarTakes(lying, { columns: [col('x', T.decimal(precision, 1))] }), why).toBe(false);
    }
  });

  it('reads ROW columns of scalars column by column, as the row-by-row read does (seeded)', async () => {
    await parquetFormat.load!();
    const rowType = T.row([{ name: 'a', type: T.BIGINT }, { name: 's', type: T.VARCHAR }, { name: 'd', type: T.DOUBLE }]);
    for (let run = 0; run < 12; run++) {
      const r = lcg(seed + 300 + run);
      const n = 1 + Math.floor(r() * 400);
      const nullRows = pick(r, [0, 0.2]);
      const nullFields = pick(r, [0, 0.3]);
      const notNull = nullRows === 0 && run % 3 === 0;
      const shape: Schema = { columns: [col('id', T.INT), { name: 'r', type: rowType, nullable: !notNull }] };
      const rows = Array.from({ length: n }, (_, k) => ({
        id: k,
        r: r() < nullRows ? null : {
          a: r() < nullFields ? null : pick(r, [0, -1, 2 ** 53 - 1, -9223372036854775808n, k]),
          s: r() < nullFields ? null : pick(r, ['', 'é日本', 'x'.repeat(30), `v${k}`]),
          d: r() < nullFields ? null : pick(r, [0.5, -0, Infinity, r() * 1e6]),
        },
      }));
      // a ROW goes through hyparquet-writer (a group of OPTIONAL leaves; the group REQUIRED when the column is NOT NULL)
      const bytes = encodeParquet(rowsToBatch(shape, rows), shape);
      const why = `seed ${seed + 300 + run}, ${n} rows${notNull ? ', NOT NULL' : ''}`;
      await bothReads(bytes, shape, true, undefined, why);
      // its fields in another order and case, one the file lacks; a NOT NULL ROW; a field converted; another ROW's fields
      const reordered = T.row([{ name: 'D', type: T.DOUBLE }, { name: 'missing', type: T.INT }, { name: 'S', type: T.VARCHAR }, { name: 'a', type: T.BIGINT }]);
      await bothReads(bytes, { columns: [{ name: 'r', type: reordered, nullable: true }] }, true, undefined, `${why}, reordered`);
      // (a leaf of the group the ROW leaves out is still read by the row-by-row read, which may reject a record for it)
      const fewer = T.row([{ name: 'a', type: T.BIGINT }, { name: 'd', type: T.DOUBLE }]);
      await bothReads(bytes, { columns: [{ name: 'r', type: fewer, nullable: true }] }, false, undefined, `${why}, a field left out`);
      await bothReads(bytes, { columns: [{ name: 'r', type: rowType, nullable: false }] }, true, undefined, `${why}, read as NOT NULL`);
      await bothReads(bytes, { columns: [{ name: 'r', type: T.row([{ name: 'a', type: T.VARCHAR }]), nullable: true }] }, false, undefined, `${why}, a field converted`);
      await bothReads(bytes, { columns: [{ name: 'r', type: T.row([{ name: 'nowhere', type: T.INT }]), nullable: true }] }, false, undefined, `${why}, no field held`);
    }
  });

  it('leaves a group with a leaf named __proto__ to the row-by-row read', async () => {
    await parquetFormat.load!();
    // (an own key __proto__ on writing; hyparquet's reading sets it as the prototype instead)
    const own = (a: bigint | null, p: bigint): object => Object.defineProperty({ a }, '__proto__', { value: p, enumerable: true });
    const data = [own(10n, 30n), null, own(null, 31n)];
    const bytes = new Uint8Array(parquetWriteBuffer({
      columnData: [{ name: 'g', data }],
      schema: [
        { name: 'root', num_children: 1 },
        { name: 'g', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'a', type: 'INT64', repetition_type: 'OPTIONAL' },
        { name: '__proto__', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
    } as never));
    const rowType = T.row([{ name: 'a', type: T.BIGINT }, { name: '__proto__', type: T.BIGINT }]);
    await bothReads(bytes, { columns: [{ name: 'g', type: rowType, nullable: true }] }, false, undefined, '__proto__');
  });

  it('reads DuckDB\'s STRUCT columns column by column, nested ones row by row', async () => {
    const con = duck.con();
    const file = duck.tmp('structs');
    await con.run('SET threads = 1');
    await con.run(`COPY (SELECT i AS id,
        CASE WHEN i % 7 = 0 THEN NULL ELSE {'a': CASE WHEN i % 5 = 0 THEN NULL ELSE i * 3 END, 's': 'v' || i, 'day': DATE '2020-01-01' + i::INT} END AS r,
        {'inner': {'x': i}} AS deep
      FROM range(3000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const bytes = new Uint8Array(readFileSync(file));
    const r = T.row([{ name: 'a', type: T.BIGINT }, { name: 's', type: T.VARCHAR }, { name: 'day', type: T.DATE }]);
    const got = await bothReads(bytes, { columns: [col('id', T.BIGINT), { name: 'r', type: r, nullable: true }] }, true, undefined, 'DuckDB STRUCT');
    expect(rowsOf(got).filter((row) => (row as { r: unknown }).r === null)).toHaveLength(Math.ceil(3000 / 7));
    const deep = T.row([{ name: 'inner', type: T.row([{ name: 'x', type: T.BIGINT }]) }]);
    await bothReads(bytes, { columns: [{ name: 'deep', type: deep, nullable: true }] }, false, undefined, 'a ROW in a ROW');
  });

  it('leaves a DECIMAL whose logical and converted types disagree to the row-by-row read', async () => {
    await parquetFormat.load!();
    for (const type of ['INT32', 'INT64'] as const) {
      const bytes = new Uint8Array(parquetWriteBuffer({
        columnData: [{ name: 'x', data: type === 'INT32' ? [1234, -5, null] : [1234n, -5n, null] }],
        schema: [{ name: 'root', num_children: 1 }, {
          name: 'x', type, converted_type: 'DECIMAL', precision: 9, scale: 2,
          logical_type: { type: 'DECIMAL', precision: 9, scale: 3 }, repetition_type: 'OPTIONAL',
        }],
      } as never));
      for (const scale of [2, 3]) {
        const schema: Schema = { columns: [col('x', T.decimal(10, scale))] };
        await bothReads(bytes, schema, false, undefined, `${type}, read as DECIMAL(10, ${scale})`);
      }
    }
  });

  it('gives the row-by-row read of files DuckDB writes (seeded)', async () => {
    const con = duck.con();
    const options = [
      'PARQUET_VERSION V1, COMPRESSION snappy', 'PARQUET_VERSION V1, COMPRESSION uncompressed',
      'PARQUET_VERSION V2, COMPRESSION snappy', 'PARQUET_VERSION V1, COMPRESSION zstd',
      'PARQUET_VERSION V2, COMPRESSION gzip', 'PARQUET_VERSION V1, COMPRESSION brotli', 'PARQUET_VERSION V2, COMPRESSION lz4',
    ];
    const dictionaryOnly: Schema = { columns: [col('a', T.INT), col('s', T.VARCHAR), col('ti', T.TINYINT)] };
    const everything: Schema = {
      columns: [
        col('a', T.INT), col('b', T.BIGINT), col('s', T.VARCHAR), col('h', T.VARCHAR), col('d', T.DOUBLE), col('f', T.FLOAT),
        col('t', T.BOOLEAN), col('ts', T.TIMESTAMP), col('tn', T.TIMESTAMP), col('tm', T.TIMESTAMP), col('day', T.DATE),
        col('ti', T.TINYINT), col('si', T.SMALLINT),
      ],
    };
    for (let run = 0; run < options.length; run++) {
      const r = lcg(seed + run);
      const file = duck.tmp(`duck-${run}`);
      const n = 3000 + Math.floor(r() * 3000);
      await con.run('SET threads = 1');
      await con.run(`SELECT setseed(${r().toFixed(6)})`);
      // NULLs, integers at their bounds, NaN/±inf/-0, timestamps before 1970 with sub-millisecond parts
      await con.run(`COPY (SELECT
          CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 9)::INT END AS a,
          CASE WHEN random() < 0.05 THEN 9223372036854775807 WHEN random() < 0.05 THEN -9223372036854775808 ELSE (random() * 1e15)::BIGINT - 5e14::BIGINT END AS b,
          CASE WHEN random() < 0.1 THEN NULL ELSE ['k', 'é日本', '😀', ''][1 + floor(random() * 4)::INT] || (random() * 20)::INT END AS s,
          CASE WHEN random() < 0.2 THEN NULL ELSE repeat(md5(random()::VARCHAR), 1 + (random() * 3)::INT) END AS h,
          CASE WHEN random() < 0.05 THEN 'nan'::DOUBLE WHEN random() < 0.05 THEN '-inf'::DOUBLE WHEN random() < 0.05 THEN -0.0 ELSE random() * 1e6 - 5e5 END AS d,
          (random() * 100)::FLOAT AS f,
          CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.5 END AS t,
          TIMESTAMP '1969-12-31 23:59:58' + to_microseconds((random() * 5e6)::BIGINT) AS ts,
          make_timestamp_ns((random() * 4e9)::BIGINT - 2000000000) AS tn,
          (TIMESTAMP '2026-01-01' + to_milliseconds((random() * 1e9)::BIGINT))::TIMESTAMP_MS AS tm,
          CASE WHEN random() < 0.1 THEN NULL ELSE DATE '1960-01-01' + (random() * 40000)::INT END AS day,
          (random() * 200 - 100)::TINYINT AS ti,
          (random() * 60000 - 30000)::SMALLINT AS si,
          (random() * 1000)::DECIMAL(10, 2) AS dec,
          CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 1998 - 999)::DECIMAL(4, 1) END AS d32,
          (random() * 1e20)::DECIMAL(30, 5) AS wide
        FROM range(${n})) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE ${pick(r, [2048, 4096, 100000])}, ${options[run]})`);
      const bytes = new Uint8Array(readFileSync(file));
      const why = `seed ${seed + run}, DuckDB ${options[run]}`;
      // every codec DuckDB writes is read, column by column too
      const all = await bothReads(bytes, everything, true, undefined, why);
      await bothReads(bytes, dictionaryOnly, true, undefined, `${why}, dictionary columns`);
      // DECIMALs in INT64 and INT32 of their own scale (wide enough: column by column), the others row by row
      await bothReads(bytes, { columns: [...everything.columns, col('dec', T.decimal(10, 2)), col('d32', T.decimal(5, 1))] }, true, undefined, `${why}, with DECIMALs`);
      await bothReads(bytes, { columns: [col('d32', T.decimal(3, 1))] }, false, undefined, `${why}, a narrower DECIMAL`);
      await bothReads(bytes, { columns: [col('dec', T.decimal(10, 2)), col('wide', T.decimal(30, 5)), col('d32', T.decimal(20, 1))] }, true, undefined, `${why}, 128-bit DECIMALs`);
      expect(all.batch.numRows, why).toBe(n);
    }
  });

  it('reads a damaged file as the row-by-row read does, or leaves it to that read', async () => {
    await parquetFormat.load!();
    const x: Schema = { columns: [col('x', T.INT)] };
    // one uncompressed page: PAR1, the page header (its sizes at bytes 7 and 9), the levels, the values
    const file = (rows: (number | null)[], optional = true): Uint8Array =>
      writeFlatParquet([{ name: 'x', type: 'INT32', optional }], [leafPage(T.INT, rowsToBatch(x, rows.map((v) => ({ x: v }))).data.children[0]!, rows.length)], rows.length, 'UNCOMPRESSED');
    const at = (b: Uint8Array, bytes: number[]): number => Buffer.from(b).indexOf(Buffer.from(bytes));
    const patched = (b: Uint8Array, i: number, v: number): Uint8Array => { const c = b.slice(); c[i] = v; return c; };
    // each with whether the columnar read takes it (it reads levels for any repetition but REQUIRED, as hyparquet does)
    const cases: [string, Uint8Array, boolean][] = [];
    // the levels of 7, 8, 9 are one run of ones ([length 2][run of 3][1]): a run of 2s is no level of this column
    const full = file([7, 8, 9]);
    cases.push(['a definition level above the column\'s', patched(full, at(full, [2, 0, 0, 0, 6, 1]) + 5, 2), false]);
    // the levels of three NULLs are one bit-packed group ([length 2][1 group][0]): keep its header, cut its byte
    const empty = file([null, null, null]);
    const lv = at(empty, [2, 0, 0, 0, 3, 0]);
    const cut = new Uint8Array(empty.length - 1);
    cut.set(empty.subarray(0, lv + 5));
    cut.set(empty.subarray(lv + 6), lv + 5);
    cut[lv] = 1;
    cut[7] -= 2; cut[9] -= 2; // the page is a byte shorter (zigzag sizes)
    cases.push(['a bit-packed run cut short', cut, false]);
    // the footer's repetition_type of x (field 3, i32 OPTIONAL = 1, zigzag 2) made 3, which is none
    const holes = file([5, null, 6]);
    cases.push(['a repetition type that is none', patched(holes, at(holes, [0x25, 0x02, 0x18, 1, 0x78]) + 1, 0x06), true]);
    // a REQUIRED column's page, its uncompressed size one more than its bytes
    const req = file([5, 7, 6], false);
    cases.push(['an uncompressed page of another size than its header', patched(req, 7, req[7]! + 2), false]);
    cases.push(['an index page', patched(req, 5, 2), false]); // the page type, zigzag 1
    for (const [why, bytes, takes] of cases) {
      const got = await bothReads(bytes, x, undefined, undefined, why);
      expect(columnarTakes(bytes, x), why).toBe(takes);
      if (takes) expect(rowsOf(got), why).toEqual([{ x: 5 }, { x: null }, { x: 6 }]);
    }
  });

  it('gives a signalling NaN the bits the row-by-row read gives it (its quiet bit set)', async () => {
    await parquetFormat.load!();
    for (const [t, bits] of [[T.FLOAT, [0x7f800001, 0xffc00000, 0x3f800000]], [T.DOUBLE, [1, 0x7ff00000, 0, 0xfff80000, 0, 0x3ff00000]]] as const) {
      const s: Schema = { columns: [col('x', t, false)] };
      const page = leafPage(t, rowsToBatch(s, [{ x: 1 }, { x: 2 }, { x: 3 }]).data.children[0]!, 3);
      const dv = new DataView(page.values.buffer, page.values.byteOffset, page.values.byteLength);
      bits.forEach((w, i) => dv.setUint32(4 * i, w, true));
      const bytes = writeFlatParquet([{ name: 'x', type: t.kind as 'FLOAT' | 'DOUBLE', optional: false }], [page], 3, 'UNCOMPRESSED');
      await bothReads(bytes, s, true, undefined, t.kind);
    }
  });

  it('leaves a string that is not UTF-8 to the row-by-row read, which rejects its record', async () => {
    await parquetFormat.load!();
    const bytes = new Uint8Array(parquetWriteBuffer({
      // the two halves of "é" in two values: each alone is not UTF-8, together they would be
      columnData: [{ name: 's', data: [new TextEncoder().encode('fine'), Uint8Array.of(0xc3), Uint8Array.of(0xa9)] }],
      schema: [{ name: 'root', num_children: 1 }, { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }],
    }));
    const got = await bothReads(bytes, { columns: [col('s', T.VARCHAR)] }, true);
    expect(rowsOf(got)).toEqual([{ s: 'fine' }]);
    expect(got.rejected.map((x) => x.origin)).toEqual(['f.parquet#2', 'f.parquet#3']);
  });
});
