import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { decodeJsonLines, encodeJsonLines } from '../../../src/connectors/formats/json.js';

const ROW_T = T.row([{ name: 'x', type: T.INT }, { name: 'name', type: T.VARCHAR }]);
const schema: Schema = {
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 'ti', type: T.TINYINT, nullable: true },
    { name: 'si', type: T.SMALLINT, nullable: true },
    { name: 'i', type: T.INT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'f', type: T.FLOAT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 'price', type: T.decimal(10, 2), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'dt', type: T.DATE, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'iv', type: T.INTERVAL, nullable: true },
    { name: 'r', type: ROW_T, nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10, 0, 5, 123);
const DAYS = Date.UTC(2026, 10, 23) / 86_400_000;

describe('json decoding', () => {
  it('reads every type, nested rows as nested objects, missing fields as NULL', () => {
    const text = [
      JSON.stringify({ b: true, ti: -5, si: 300, i: 70000, l: 2 ** 40, f: 0.5, d: 1.25, price: 12.345, s: 'héllo',
        dt: '2026-11-23', ts: '2026-11-23T10:00:05.123Z', iv: 5000, r: { x: 7, name: 'n' } }),
      JSON.stringify({ b: 'false', i: '42', l: '-7', d: '2.5e3', price: '3.1', s: 12, ts: TS, r: { X: 1 } }),
      '{}',
    ].join('\n');
    const { batch, rejected, records } = decodeJsonLines(text, schema, 'in.json');
    expect(rejected).toEqual([]);
    expect(records).toBe(3);
    const nulls = Object.fromEntries(schema.columns.map((c) => [c.name, null]));
    expect(batchToRows(batch)).toEqual([
      { b: true, ti: -5, si: 300, i: 70000, l: 2 ** 40, f: 0.5, d: 1.25, price: 12.35, s: 'héllo', dt: DAYS, ts: TS, iv: 5000, r: { x: 7, name: 'n' } },
      { ...nulls, b: false, i: 42, l: -7, d: 2500, price: 3.1, s: '12', ts: TS, r: { x: 1, name: null } },
      nulls,
    ]);
  });

  it('reads a TIMESTAMP from ISO-8601, SQL form and epoch milliseconds', () => {
    const tsSchema: Schema = { columns: [{ name: 'ts', type: T.TIMESTAMP, nullable: true }] };
    const spellings = [
      '"2026-11-23T10:00:05.123Z"', '"2026-11-23T11:00:05.123+01:00"', '"2026-11-23T05:00:05.123-0500"',
      '"2026-11-23 10:00:05.123"', '"2026-11-23T10:00:05.123456Z"', String(TS),
    ];
    const { batch, rejected } = decodeJsonLines(spellings.map((s) => `{"ts": ${s}}`).join('\n'), tsSchema, 'f');
    expect(rejected).toEqual([]);
    expect(batchToRows(batch).map((r) => r['ts'])).toEqual(spellings.map(() => TS));
    const whole = decodeJsonLines('{"ts": "2026-11-23 10:00:05"}\n{"ts": "2026-11-23T10:00"}', tsSchema, 'f');
    expect(batchToRows(whole.batch).map((r) => r['ts'])).toEqual([TS - 123, TS - 5123]);
  });

  it('ignores a byte order mark and CRLF line ends', () => {
    const s: Schema = { columns: [{ name: 'a', type: T.INT, nullable: true }] };
    const { batch, rejected } = decodeJsonLines('\uFEFF{"a": 1}\r\n{"a": 2}\r\n', s, 'f');
    expect(rejected).toEqual([]);
    expect(batchToRows(batch)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('matches field names exactly first, then case-insensitively', () => {
    const s: Schema = { columns: [{ name: 'Price', type: T.INT, nullable: true }, { name: 'qty', type: T.INT, nullable: true }] };
    const { batch } = decodeJsonLines('{"price": 1, "Price": 2, "QTY": 3}\n{"PRICE": 4}', s, 'f');
    expect(batchToRows(batch)).toEqual([{ Price: 2, qty: 3 }, { Price: 4, qty: null }]);
  });

  it('rejects malformed lines with file:line and a reason naming column and value, keeping the rest', () => {
    const s: Schema = {
      columns: [
        { name: 'id', type: T.INT, nullable: false },
        { name: 'small', type: T.TINYINT, nullable: true },
        { name: 'dt', type: T.DATE, nullable: true },
        { name: 'r', type: ROW_T, nullable: true },
      ],
    };
    const lines = [
      '{"id": 1}',
      '{"id": "abc"}',
      '{"id": 2, ',
      '',
      '[1, 2]',
      '{"id": 1.5}',
      '{"id": 3, "small": 300}',
      '{"id": 4, "dt": "2026-02-30"}',
      '{"id": 5, "r": {"x": "zz"}}',
      '{"small": 1}',
      '{"id": 6, "dt": "2026-02-28"}',
    ];
    const { batch, rejected, records } = decodeJsonLines(lines.join('\n'), s, 'data/in.json');
    expect(batchToRows(batch).map((r) => r['id'])).toEqual([1, 6]);
    expect(records).toBe(10);
    expect(rejected.map((r) => r.origin)).toEqual([
      'data/in.json:2', 'data/in.json:3', 'data/in.json:5', 'data/in.json:6', 'data/in.json:7',
      'data/in.json:8', 'data/in.json:9', 'data/in.json:10',
    ]);
    expect(rejected[0]).toEqual({ origin: 'data/in.json:2', reason: `column 'id': cannot read "abc" as INT`, raw: '{"id": "abc"}' });
    expect(rejected[1]!.reason).toMatch(/^invalid JSON/);
    expect(rejected[2]!.reason).toBe('not a JSON object');
    expect(rejected[3]!.reason).toBe(`column 'id': cannot read 1.5 as INT (not an integer)`);
    expect(rejected[4]!.reason).toBe(`value 300 is out of range for TINYINT in column 'small'`);
    expect(rejected[5]!.reason).toContain(`column 'dt': cannot read "2026-02-30" as DATE`);
    expect(rejected[6]!.reason).toContain(`column 'r.x': cannot read "zz" as INT`);
    expect(rejected[7]!.reason).toContain(`column 'id'`);
    expect(rejected[7]!.reason).toContain('NOT NULL');
  });
});

describe('json encoding', () => {
  it('writes the contract forms: ISO-8601 UTC timestamps, YYYY-MM-DD dates, numbers, nested objects, null', () => {
    const rows = [
      { b: true, ti: 1, si: 2, i: 3, l: 2 ** 40, f: 0.1, d: 1.5, price: 2.005, s: 'a"b', dt: DAYS, ts: Date.UTC(2026, 10, 23, 10, 0, 5), iv: 60000, r: { x: 1, name: 'n' } },
      Object.fromEntries(schema.columns.map((c) => [c.name, null])),
    ];
    const text = encodeJsonLines(rowsToBatch(schema, rows), schema);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      b: true, ti: 1, si: 2, i: 3, l: 1099511627776, f: 0.1, d: 1.5, price: 2.01, s: 'a"b', dt: '2026-11-23',
      ts: '2026-11-23T10:00:05.000Z', iv: 60000, r: { x: 1, name: 'n' },
    });
    expect(lines[0]).toContain('"ts":"2026-11-23T10:00:05.000Z"');
    expect(lines[0]).toContain('"l":1099511627776');
    expect(JSON.parse(lines[1]!)).toEqual(rows[1]);
  });

  it('round-trips every type through encode and decode', () => {
    const rows = [
      { b: false, ti: -128, si: 32767, i: -1, l: -(2 ** 50), f: 3.25, d: -0.125, price: 99999999.99, s: 'line\nbreak', dt: -1, ts: -1000, iv: 1, r: { x: null, name: 'q' } },
      { b: true, ti: 0, si: 0, i: 0, l: 0, f: 0, d: 0, price: 0, s: '', dt: 0, ts: 0, iv: 0, r: null },
    ];
    const { batch, rejected } = decodeJsonLines(encodeJsonLines(rowsToBatch(schema, rows), schema), schema, 'f');
    expect(rejected).toEqual([]);
    expect(batchToRows(batch)).toEqual(rows);
  });

  it('adds the _op marker to the rows given one', () => {
    const s: Schema = { columns: [{ name: 'k', type: T.INT, nullable: true }] };
    expect(encodeJsonLines(rowsToBatch(s, [{ k: 1 }, { k: 2 }]), s, ['', 'delete'])).toBe('{"k":1}\n{"k":2,"_op":"delete"}\n');
  });
});
