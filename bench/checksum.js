/**
 * What the benchmark checks of every run: the result's row count and an order-free checksum of its
 * rows, computed the same way from Weir's sink (a changelog of Arrow batches) and from DuckDB's
 * result table, so that a run that got faster by getting wrong cannot pass.
 *
 * The checksum is the sum, modulo 2^32, of a 32-bit hash (FNV-1a) of each row's canonical text,
 * added for an insert or an update's new row and subtracted for a delete or an update's old row, so
 * a changelog sums to the checksum of the table it leaves. Canonical values do not depend on which
 * engine typed a column how:
 * - an integral value (BIGINT, an integral DECIMAL or DOUBLE) is its exact decimal digits;
 * - any other number (DOUBLE, DECIMAL with a fraction) is rounded to 9 significant digits (the two
 *   engines sum in different orders);
 * - a timestamp is its epoch milliseconds; NULL is a symbol no value has; text is itself.
 */

const NULL_TEXT = '\u2400';
const SEP = '\u001f';

/** FNV-1a over the UTF-16 code units of `s`. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function numberText(v) {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return BigInt(v).toString();
  return String(Number(v.toPrecision(9)));
}

/** Decimal text (digits, optional fraction) in canonical form. */
function decimalText(text) {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac === '') return BigInt(`${m[1]}${m[2]}`).toString();
  return numberText(Number(text));
}

/** An unscaled integer at `scale` as canonical decimal text. */
function scaledText(unscaled, scale) {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return decimalText(`${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

/** An Arrow Decimal cell (little-endian two's-complement 32-bit words) as a bigint. */
function decimalWords(words) {
  let v = 0n;
  for (let k = words.length - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[k] >>> 0);
  const bits = BigInt(words.length * 32);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

/** An accumulating checksum: `add(texts, sign)` per row. */
export class Checksum {
  rows = 0;
  sum = 0;

  addRow(texts, sign) {
    this.rows += sign;
    this.sum = (this.sum + sign * fnv1a(texts.join(SEP)) + 0x100000000) % 0x100000000;
  }

  reset() {
    this.rows = 0;
    this.sum = 0;
  }

  toJSON() {
    return { rows: this.rows, sum: this.sum };
  }
}

/** Canonical text of an Arrow cell of type `type` (apache-arrow's Vector.get value). */
function arrowCellText(v, type) {
  if (v === null || v === undefined) return NULL_TEXT;
  if (type.typeId === 7 /* Decimal */) return scaledText(decimalWords(v), type.scale);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return numberText(v); // timestamps come as epoch ms
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

const SIGN = { insert: 1, update_after: 1, update_before: -1, delete: -1 };

/** Add one foreachBatch call of Weir's sink to `sum` (complete mode: the batch is the whole result). */
export function addArrowBatch(sum, { table, kinds, mode }) {
  if (mode === 'complete') sum.reset();
  const cols = table.schema.fields.map((f, k) => ({ type: f.type, vector: table.getChildAt(k) }));
  const texts = new Array(cols.length);
  for (let i = 0; i < table.numRows; i++) {
    for (let k = 0; k < cols.length; k++) texts[k] = arrowCellText(cols[k].vector.get(i), cols[k].type);
    sum.addRow(texts, SIGN[kinds[i]] ?? 1);
  }
}

/** Canonical text of a DuckDB value (@duckdb/node-api's own value classes). */
function duckCellText(v) {
  if (v === null || v === undefined) return NULL_TEXT;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  const name = v.constructor?.name;
  if (name === 'DuckDBDecimalValue') return scaledText(v.value, v.scale);
  if (name === 'DuckDBTimestampValue') return (v.micros / 1000n).toString();
  if (name === 'DuckDBTimestampMillisecondsValue') return v.millis.toString();
  if (name === 'DuckDBHugeIntValue' || name === 'DuckDBUHugeIntValue') return v.toString();
  return String(v);
}

/** The checksum of a DuckDB table's rows (columns in the sink's order). */
export async function duckTableChecksum(con, table) {
  const sum = new Checksum();
  const reader = await con.runAndReadAll(`SELECT * FROM ${table}`);
  const rows = reader.getRows();
  const texts = [];
  for (const r of rows) {
    texts.length = r.length;
    for (let k = 0; k < r.length; k++) texts[k] = duckCellText(r[k]);
    sum.addRow(texts, 1);
  }
  return sum.toJSON();
}
