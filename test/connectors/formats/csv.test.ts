import { describe, expect, it } from 'vitest';
import { batchToRows, rowsToBatch } from '../../../src/common/columns.js';
import { WeirError } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { csvOptionsFrom, decodeCsv, DEFAULT_CSV_OPTIONS, encodeCsv, type CsvOptions } from '../../../src/connectors/formats/csv.js';

const schema: Schema = {
  columns: [
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 'i', type: T.INT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'f', type: T.FLOAT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 'price', type: T.decimal(8, 2), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'dt', type: T.DATE, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.INT }]), nullable: true },
  ],
};
const TS = Date.UTC(2026, 10, 23, 10, 0, 5, 250);
const DAYS = Date.UTC(2026, 10, 23) / 86_400_000;
const opts = (o: Partial<CsvOptions>): CsvOptions => ({ ...DEFAULT_CSV_OPTIONS, ...o });
const ints: Schema = { columns: [{ name: 'a', type: T.INT, nullable: true }, { name: 'b', type: T.VARCHAR, nullable: true }] };

describe('csv decoding', () => {
  it('reads every type, with quoted delimiters, doubled quotes and newlines inside quotes', () => {
    const text = [
      `true,1,1099511627776,0.5,2.5,12.345,"a,""b""",2026-11-23,2026-11-23 10:00:05.250,"{""x"": 3}"`,
      `FALSE,-2,-3,1e2,-1.5,7,"multi`,
      `line",2026-11-23,2026-11-23T10:00:05.250Z,`,
      `,,,,,,"",,${TS},`,
    ].join('\n');
    const { batch, rejected } = decodeCsv(text, schema, 'x.csv');
    expect(rejected).toEqual([]);
    expect(batchToRows(batch)).toEqual([
      { b: true, i: 1, l: 2 ** 40, f: 0.5, d: 2.5, price: 12.35, s: 'a,"b"', dt: DAYS, ts: TS, r: { x: 3 } },
      { b: false, i: -2, l: -3, f: 100, d: -1.5, price: 7, s: 'multi\nline', dt: DAYS, ts: TS, r: null },
      { b: null, i: null, l: null, f: null, d: null, price: null, s: '', dt: null, ts: TS, r: null },
    ]);
  });

  it('rejects lines with the wrong field count or values that do not convert, with file:line, keeping the rest', () => {
    const text = '1,a\n2\n"x\ny",b\nabc,c\n3,d,extra\n\n4,"e"\n';
    const { batch, rejected, records } = decodeCsv(text, ints, 'in.csv');
    expect(batchToRows(batch)).toEqual([{ a: 1, b: 'a' }, { a: 4, b: 'e' }]);
    expect(records).toBe(6);
    expect(rejected).toEqual([
      { origin: 'in.csv:2', reason: 'expected 2 fields, found 1', raw: '2' },
      { origin: 'in.csv:3', reason: `column 'a': cannot read "x\\ny" as INT`, raw: '"x\ny",b' },
      { origin: 'in.csv:5', reason: `column 'a': cannot read "abc" as INT`, raw: 'abc,c' },
      { origin: 'in.csv:6', reason: 'expected 2 fields, found 3', raw: '3,d,extra' },
    ]);
  });

  it('ignores a byte order mark and CRLF line ends', () => {
    const { batch, rejected } = decodeCsv('\uFEFF1,a\r\n2,"b\r\nc"\r\n', ints, 'f.csv');
    expect(rejected).toEqual([]);
    expect(batchToRows(batch)).toEqual([{ a: 1, b: 'a' }, { a: 2, b: 'b\r\nc' }]);
  });

  it('keeps the records around broken quoting', () => {
    const text = '1,a\n2,"bad"q\n3,c\n4,"unclosed\n5,e\n';
    const { batch, rejected } = decodeCsv(text, ints, 'in.csv');
    expect(batchToRows(batch)).toEqual([{ a: 1, b: 'a' }, { a: 3, b: 'c' }, { a: 5, b: 'e' }]);
    expect(rejected.map((r) => [r.origin, r.raw])).toEqual([['in.csv:2', '2,"bad"q'], ['in.csv:4', '4,"unclosed']]);
    expect(rejected[0]!.reason).toMatch(/^invalid CSV: /);
    expect(rejected[1]!.reason).toBe('invalid CSV: a quoted field is not closed');
  });

  it('matches a header by name when csv.header is set, and skips the first line with csv.ignore-first-line', () => {
    const text = 'B,extra,A\nx,9,1\ny,8,2\n';
    expect(batchToRows(decodeCsv(text, ints, 'h.csv', opts({ header: true })).batch)).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    const skipped = decodeCsv('a,b\n1,x\n', ints, 'h.csv', opts({ ignoreFirstLine: true }));
    expect(batchToRows(skipped.batch)).toEqual([{ a: 1, b: 'x' }]);
    const none = decodeCsv('a,b\n1,x\n', ints, 'h.csv');
    expect(none.rejected.map((r) => r.origin)).toEqual(['h.csv:1']);
  });

  it('honours the delimiter, quote character, null literal and comments', () => {
    const o = opts({ delimiter: ';', quote: "'", nullLiteral: 'N/A', allowComments: true });
    const text = "# a comment\n1;'x;y'\n# another \"one\n2;N/A\nN/A;z\n";
    const { batch, rejected } = decodeCsv(text, ints, 'c.csv', o);
    expect(rejected).toEqual([]);
    expect(batchToRows(batch)).toEqual([{ a: 1, b: 'x;y' }, { a: 2, b: null }, { a: null, b: 'z' }]);
    const bad = decodeCsv('# c\n# d\nq;r\n', ints, 'c.csv', o);
    expect(bad.rejected.map((r) => r.origin)).toEqual(['c.csv:3']);
  });
});

describe('csv encoding', () => {
  it('writes SQL timestamps, quotes what needs quoting, and tells NULL from the empty string', () => {
    const rows = [
      { b: true, i: 1, l: 2 ** 40, f: 0.1, d: 2.5, price: 3.1, s: 'a,"b"', dt: DAYS, ts: TS, r: { x: 3 } },
      { b: null, i: null, l: null, f: null, d: null, price: null, s: '', dt: null, ts: null, r: null },
    ];
    const text = encodeCsv(rowsToBatch(schema, rows), schema);
    expect(text).toBe(
      'true,1,1099511627776,0.1,2.5,3.10,"a,""b""",2026-11-23,2026-11-23 10:00:05.250,"{""x"":3}"\n'
      + ',,,,,,"",,,\n',
    );
    const back = decodeCsv(text, schema, 'r.csv');
    expect(back.rejected).toEqual([]);
    expect(batchToRows(back.batch)).toEqual([{ ...rows[0], f: Math.fround(0.1) }, rows[1]]);
  });

  it('round-trips awkward strings, a header, a delimiter and a null literal', () => {
    const o = opts({ delimiter: '\t', header: true, nullLiteral: '\\N' });
    const rows = [{ a: 1, b: 'tab\there' }, { a: null, b: 'line\r\nbreak' }, { a: 3, b: '' }, { a: 4, b: null }];
    const text = encodeCsv(rowsToBatch(ints, rows), ints, o);
    expect(text.split('\n')[0]).toBe('a\tb');
    expect(text).toContain('\\N');
    const back = decodeCsv(text, ints, 'r.csv', o);
    expect(back.rejected).toEqual([]);
    expect(batchToRows(back.batch)).toEqual(rows);
  });

  it('writes a deleted row with one extra trailing field', () => {
    expect(encodeCsv(rowsToBatch(ints, [{ a: 1, b: 'x' }, { a: 2, b: 'y' }]), ints, DEFAULT_CSV_OPTIONS, ['', 'delete'])).toBe('1,x\n2,y,delete\n');
  });
});

describe('csv options', () => {
  const spans = new Map([['csv.field-delimiter', { line: 3, column: 5, offset: 40 }], ['csv.header', { line: 4, column: 5, offset: 60 }]]);
  it('reads the Flink option names', () => {
    const o = csvOptionsFrom(new Map([['csv.field-delimiter', '|'], ['csv.header', 'TRUE'], ['csv.null-literal', 'null']]), spans);
    expect(o).toEqual({ ...DEFAULT_CSV_OPTIONS, delimiter: '|', header: true, nullLiteral: 'null' });
    expect(csvOptionsFrom(new Map([['csv.field-delimiter', '\\t']]), spans).delimiter).toBe('\t');
  });
  it('refuses bad values at their span', () => {
    const bad = (): unknown => csvOptionsFrom(new Map([['csv.field-delimiter', ';;']]), spans);
    expect(bad).toThrow(WeirError);
    expect(bad).toThrow(/'csv.field-delimiter' must be a single character/);
    try {
      csvOptionsFrom(new Map([['csv.header', 'yes']]), spans);
      expect.unreachable();
    } catch (e) {
      expect((e as WeirError).code).toBe('OPTION');
      expect((e as WeirError).span).toEqual(spans.get('csv.header'));
    }
  });
});
