/**
 * BIGINT through the formats, exactly: values beyond 2^53 (up to ±2^63) are read from JSON and CSV
 * with every digit, held canonically (a number when safe, a bigint beyond), and written back by the
 * sinks as plain digits: no "n" suffix, no rounding, no error from JSON.stringify.
 */
import { describe, expect, it } from 'vitest';
import { batchToRows, columnFromValues, rowsToBatch, valueAt } from '../../../src/common/columns.js';
import type { Schema } from '../../../src/common/schema.js';
import { T } from '../../../src/common/types.js';
import { csvFormat } from '../../../src/connectors/formats/csv.js';
import { decodeJsonLines, encodeJsonLines } from '../../../src/connectors/formats/json.js';

const schema: Schema = {
  columns: [
    { name: 'k', type: T.BIGINT, nullable: true },
    { name: 'r', type: T.row([{ name: 'v', type: T.BIGINT }]), nullable: true },
    { name: 's', type: T.VARCHAR, nullable: true },
  ],
};

const VALUES: readonly (number | bigint)[] = [
  0, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 9007199254740992n, 9007199254740993n, -9007199254740993n,
  9223372036854775807n, -9223372036854775808n, 1234567890123456789n,
];

describe('BIGINT exactly through the formats', () => {
  it('columnFromValues writes canonical values into an Int64 column exactly', () => {
    const d = columnFromValues(T.BIGINT, [...VALUES, null]);
    expect(Array.from({ length: VALUES.length + 1 }, (_, i) => valueAt(d, i))).toEqual([...VALUES, null]);
  });

  it('JSON: reads every digit, writes plain digits, and reads its own output back', () => {
    const text = VALUES.map((v, i) => `{"k": ${v}, "r": {"v": ${v}}, "s": "${i}"}`).join('\n');
    const { batch, rejected } = decodeJsonLines(text, schema, 'in.json');
    expect(rejected).toEqual([]);
    const rows = VALUES.map((v, i) => ({ k: v, r: { v }, s: String(i) }));
    expect(batchToRows(batch)).toEqual(rows);
    const out = encodeJsonLines(batch, schema);
    expect(out).toBe(VALUES.map((v, i) => `{"k":${v},"r":{"v":${v}},"s":"${i}"}\n`).join(''));
    expect(batchToRows(decodeJsonLines(out, schema, 'out.json').batch)).toEqual(rows);
  });

  it('JSON: a row without big values keeps the native writer (same text), a changelog marker too', () => {
    const batch = rowsToBatch(schema, [{ k: 5, r: null, s: 'a' }, { k: 9007199254740993n, r: { v: 1 }, s: 'b' }]);
    expect(encodeJsonLines(batch, schema, ['', 'delete'])).toBe(
      '{"k":5,"r":null,"s":"a"}\n{"k":9007199254740993,"r":{"v":1},"s":"b","_op":"delete"}\n',
    );
  });

  it('CSV: reads every digit, writes plain digits, and reads its own output back', () => {
    const csv = csvFormat();
    const text = VALUES.map((v, i) => `${v},"{""v"": ${v}}",${i}`).join('\n') + '\n';
    const { batch, rejected } = csv.decode(text, schema, 'in.csv');
    expect(rejected).toEqual([]);
    const rows = VALUES.map((v, i) => ({ k: v, r: { v }, s: String(i) }));
    expect(batchToRows(batch)).toEqual(rows);
    const out = csv.encode(batch, schema);
    expect(out.split('\n')[5]).toBe('9007199254740993,"{""v"":9007199254740993}",5');
    expect(batchToRows(csv.decode(out, schema, 'out.csv').batch)).toEqual(rows);
  });
});
