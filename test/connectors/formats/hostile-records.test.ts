/**
 * No record stops a query: every value a format cannot convert is a rejected record with a reason
 * that names the column and says what is wrong, and the other records of the file are kept. Each
 * case here once failed a query, wrapped or rounded a value, or gave a misleading reason.
 */
import { describe, expect, it } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { csvFormat } from '../../../src/connectors/formats/csv.js';
import { decodeUtf8 } from '../../../src/connectors/formats/decoded.js';
import { decodeJsonLines } from '../../../src/connectors/formats/json.js';

const schema: Schema = {
  columns: [
    { name: 'id', type: T.INT, nullable: false },
    { name: 'b', type: T.BOOLEAN, nullable: true },
    { name: 'ti', type: T.TINYINT, nullable: true },
    { name: 'si', type: T.SMALLINT, nullable: true },
    { name: 'l', type: T.BIGINT, nullable: true },
    { name: 'f', type: T.FLOAT, nullable: true },
    { name: 'd', type: T.DOUBLE, nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
    { name: 'dt', type: T.DATE, nullable: true },
    { name: 'ts', type: T.TIMESTAMP, nullable: true },
    { name: 'r', type: T.row([{ name: 'x', type: T.BIGINT }, { name: 'y', type: T.VARCHAR }]), nullable: true },
  ],
};

const deepArray = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const BIG_STRING = 'x'.repeat(1_000_000);

/** [JSON line, reason of its rejection] — reasons exactly as a user reads them */
const BAD_JSON: readonly (readonly [string, string | RegExp])[] = [
  [`{"id": 2, "s": ${deepArray(6000)}}`, /^column 's': cannot read \[\[\[.*\.\.\. as VARCHAR \(nested deeper than 1000 levels\)$/],
  ['{"id": 3, "d": 1e400}', `value 1e400 is out of range for DOUBLE in column 'd'`],
  ['{"id": 4, "d": -1.5E+309}', `value -1.5E+309 is out of range for DOUBLE in column 'd'`],
  ['{"id": 5, "l": 1e400}', `value 1e400 is out of range for BIGINT in column 'l'`],
  ['{"id": 6, "l": 9223372036854775808}', `value 9223372036854775808 is out of range for BIGINT in column 'l'`],
  ['{"id": 7, "l": -9223372036854775809}', `value -9223372036854775809 is out of range for BIGINT in column 'l'`],
  ['{"id": 8, "l": "99999999999999999999999"}', `value 99999999999999999999999 is out of range for BIGINT in column 'l'`],
  ['{"id": 9, "f": 1e39}', `value 1e39 is out of range for FLOAT in column 'f'`],
  ['{"id": 10, "ti": 128}', `value 128 is out of range for TINYINT in column 'ti'`],
  ['{"id": 11, "si": -32769}', `value -32769 is out of range for SMALLINT in column 'si'`],
  ['{"id": 2147483648}', `value 2147483648 is out of range for INT in column 'id'`],
  ['{"id": 12, "l": 1.5}', `column 'l': cannot read 1.5 as BIGINT (not an integer)`],
  ['{"id": 13, "l": 9007199254740993.5}', `column 'l': cannot read 9007199254740993.5 as BIGINT (not an integer)`],
  ['{"id": 14, "l": 90071992547409931e-1}', `column 'l': cannot read 90071992547409931e-1 as BIGINT (not an integer)`],
  ['{"id": 15, "l": "12.5"}', `column 'l': cannot read "12.5" as BIGINT`],
  ['{"id": 16, "ti": "NaN"}', `column 'ti': cannot read "NaN" as TINYINT`],
  ['{"id": 17, "b": 1}', `column 'b': cannot read 1 as BOOLEAN`],
  ['{"id": 18, "ts": 1e17}', `value 1e17 is out of range for TIMESTAMP(3) in column 'ts'`],
  ['{"id": 19, "ts": -8640000000000001}', `value -8640000000000001 is out of range for TIMESTAMP(3) in column 'ts'`],
  ['{"id": 20, "ts": "+275761-01-01T00:00:00Z"}', /^column 'ts': cannot read "\+275761-01-01T00:00:00Z" as TIMESTAMP\(3\) \(expected ISO-8601/],
  ['{"id": 21, "dt": 100000001}', `value 100000001 is out of range for DATE in column 'dt'`],
  ['{"id": 28, "dt": 1e400}', `value 1e400 is out of range for DATE in column 'dt'`],
  ['{"id": 22, "r": [1, 2]}', /^column 'r': cannot read \[1,2\] as ROW<.*> \(expected an object\)$/],
  ['{"id": 23, "r": "not a row"}', /^column 'r': cannot read "not a row" as ROW<.*> \(expected an object\)$/],
  ['{"id": 24, "r": {"x": 9223372036854775808}}', `value 9223372036854775808 is out of range for BIGINT in column 'r.x'`],
  ['{"id": 25, "r": {"x": 1, "y": {"z": true}}, "s": "\\ud800"}', `column 's': cannot read "\\ud800" as VARCHAR (not valid Unicode: a lone surrogate)`],
  ['{"id": null}', `column 'id': cannot read null as INT (the column is NOT NULL)`],
  [deepArray(1_000_000), 'not a JSON object'],
  [`{"id": 26, "l": 1234567890123456, "x": ${'['.repeat(200_000)}`, /^invalid JSON: /],
  ['{"id": 27, "l": 9007199254740993', /^invalid JSON: /],
];

/** [JSON line, the row it gives] */
const GOOD_JSON: readonly (readonly [string, Record<string, unknown>])[] = [
  ['{"id": 1, "l": 9007199254740993, "s": "ok"}', { id: 1, l: 9007199254740993n, s: 'ok' }],
  ['{"id": 101, "l": -9223372036854775808, "d": 1e308}', { id: 101, l: -9223372036854775808n, d: 1e308 }],
  ['{"id": 102, "l": 9223372036854775807, "r": {"x": 9007199254740995, "y": "z"}}', { id: 102, l: 9223372036854775807n, r: { x: 9007199254740995n, y: 'z' } }],
  ['{"id": 103, "l": 1.5e3, "d": 1e-400, "f": "Infinity"}', { id: 103, l: 1500, d: 0, f: Infinity }],
  ['{"id": 104, "l": 9007199254740993.0, "s": 12345678901234567890}', { id: 104, l: 9007199254740993n, s: '12345678901234567890' }],
  ['{"id": 105, "d": "NaN", "ts": 8640000000000000, "dt": 2e4}', { id: 105, d: NaN, ts: 8.64e15, dt: 20000 }],
  [`{"id": 106, "s": "${BIG_STRING}"}`, { id: 106, s: BIG_STRING }],
  [`{"id": 107, "ignored": ${deepArray(6000)}}`, { id: 107 }],
  [`{"id": 108, "s": {"a": [1, 9007199254740993, 1e400, "\\u00e9"]}}`, { id: 108, s: '{"a":[1,9007199254740993,1e400,"é"]}' }],
  ['{"id": 109, "l": 7, "l": 9007199254740993}', { id: 109, l: 9007199254740993n }],
  // a fraction finer than a double holds reads as that double (as JSON.parse, and as DuckDB rounds it)
  ['{"id": 110, "l": 1.00000000000000001}', { id: 110, l: 1 }],
];

const nulls = Object.fromEntries(schema.columns.map((c) => [c.name, null]));

describe('hostile JSON records', () => {
  it('each bad one is a rejected record with its reason; the good ones come through exactly', () => {
    const lines: string[] = [];
    const expectedBad: { origin: string; reason: string | RegExp }[] = [];
    const expectedGood: Record<string, unknown>[] = [];
    // good and bad interleaved, so a bad record cannot take its neighbours with it
    for (let i = 0; i < Math.max(BAD_JSON.length, GOOD_JSON.length); i++) {
      const bad = BAD_JSON[i];
      if (bad) { lines.push(bad[0]); expectedBad.push({ origin: `in.json:${lines.length}`, reason: bad[1] }); }
      const good = GOOD_JSON[i];
      if (good) { lines.push(good[0]); expectedGood.push({ ...nulls, ...good[1] }); }
    }
    const { batch, rejected, records } = decodeJsonLines(lines.join('\n'), schema, 'in.json');
    expect(records).toBe(lines.length);
    expect(batchToRows(batch).map((r) => r.id)).toEqual(expectedGood.map((r) => r.id));
    expect(batchToRows(batch)).toEqual(expectedGood);
    expect(rejected.map((r) => r.origin)).toEqual(expectedBad.map((b) => b.origin));
    rejected.forEach((r, i) => {
      const want = expectedBad[i]!.reason;
      if (typeof want === 'string') expect(r.reason, r.origin).toBe(want);
      else expect(r.reason, r.origin).toMatch(want);
      expect(r.raw.length).toBeLessThanOrEqual(4097);
    });
  });

  it('rejects the lines that are not UTF-8, keeping the others', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id": 1, "s": "caf\u00e9"}\n{"id": 2, "s": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n'),
      Buffer.from('{"id": 3, "s": "'), Buffer.from([0xff]), Buffer.from('"}\n{"id": 4}\n'),
    ]);
    const { text, invalidLines } = decodeUtf8(bytes);
    expect([...invalidLines]).toEqual([2, 3]);
    const { batch, rejected } = decodeJsonLines(text, schema, 'in.json', invalidLines);
    expect(batchToRows(batch).map((r) => [r.id, r.s])).toEqual([[1, 'café'], [4, null]]);
    expect(rejected.map((r) => [r.origin, r.reason])).toEqual([
      ['in.json:2', 'invalid UTF-8: the record holds bytes that are not UTF-8'],
      ['in.json:3', 'invalid UTF-8: the record holds bytes that are not UTF-8'],
    ]);
  });
});

describe('hostile CSV records', () => {
  const csv = csvFormat();
  const row = (over: Record<string, string>): string =>
    schema.columns.map((c) => over[c.name] ?? '').join(',');

  it('each bad one is a rejected record with its reason; the good ones come through exactly', () => {
    const bad: readonly (readonly [string, string | RegExp])[] = [
      ['1,2', 'expected 11 fields, found 2'],
      [`${row({ id: '2' })},extra`, 'expected 11 fields, found 12'],
      [row({ id: '3', d: '1e400' }), `value 1e400 is out of range for DOUBLE in column 'd'`],
      [row({ id: '4', l: '9223372036854775808' }), `value 9223372036854775808 is out of range for BIGINT in column 'l'`],
      [row({ id: '5', l: '1.5' }), `column 'l': cannot read "1.5" as BIGINT`],
      [row({ id: '6', ti: '-129' }), `value -129 is out of range for TINYINT in column 'ti'`],
      [row({ id: '7', f: '-3.5e38' }), `value -3.5e38 is out of range for FLOAT in column 'f'`],
      [row({ id: '8', ts: '99999999999999999' }), `value 99999999999999999 is out of range for TIMESTAMP(3) in column 'ts'`],
      [row({ id: '9', r: '"{""x"": 1e400}"' }), `value 1e400 is out of range for BIGINT in column 'r.x'`],
      [row({ id: '10', r: '"[1]"' }), /^column 'r': cannot read "\[1\]" as ROW<.*> \(expected an object\)$/],
      [row({ id: '11', d: 'NaNx' }), `column 'd': cannot read "NaNx" as DOUBLE`],
      [`12,"unclosed`, 'invalid CSV: a quoted field is not closed'],
    ];
    const good: readonly (readonly [string, Record<string, unknown>])[] = [
      [row({ id: '100', l: '9007199254740993', d: 'NaN' }), { id: 100, l: 9007199254740993n, d: NaN }],
      [row({ id: '101', l: '-9223372036854775808', s: '"a,""b"""' }), { id: 101, l: -9223372036854775808n, s: 'a,"b"' }],
      [row({ id: '102', r: '"{""x"": 9223372036854775807, ""y"": ""q""}"' }), { id: 102, r: { x: 9223372036854775807n, y: 'q' } }],
    ];
    const lines: string[] = [];
    const wantBad: { origin: string; reason: string | RegExp }[] = [];
    for (let i = 0; i < bad.length; i++) {
      lines.push(bad[i]![0]);
      wantBad.push({ origin: `in.csv:${lines.length}`, reason: bad[i]![1] });
      if (good[i]) lines.push(good[i]![0]);
    }
    const { batch, rejected } = csv.decode(lines.join('\n') + '\n', schema, 'in.csv');
    expect(batchToRows(batch)).toEqual(good.map(([, r]) => ({ ...nulls, ...r })));
    expect(rejected.map((r) => r.origin)).toEqual(wantBad.map((b) => b.origin));
    rejected.forEach((r, i) => {
      const want = wantBad[i]!.reason;
      if (typeof want === 'string') expect(r.reason, r.origin).toBe(want);
      else expect(r.reason, r.origin).toMatch(want);
    });
  });

  it('rejects the records on lines that are not UTF-8, a quoted field over lines included', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${row({ id: '1', s: 'ok' })}\n${row({ id: '2', s: '"two\nlines ' })}`), Buffer.from([0xe2, 0x82]),
      Buffer.from(`"`), Buffer.from(`\n${row({ id: '3' })}\n`),
    ]);
    const { text, invalidLines } = decodeUtf8(bytes);
    const { batch, rejected } = csv.decode(text, schema, 'in.csv', invalidLines);
    expect(batchToRows(batch).map((r) => r.id)).toEqual([1, 3]);
    expect(rejected.map((r) => [r.origin, r.reason])).toEqual([['in.csv:2', 'invalid UTF-8: the record holds bytes that are not UTF-8']]);
  });
});
