/** SQL type names written by API users (`registerFunction(..., { returns: 'BIGINT' })`). */
import { WeirError } from '../common/errors.js';
import { T, type SqlType } from '../common/types.js';

const SIMPLE: Readonly<Record<string, SqlType>> = {
  BOOLEAN: T.BOOLEAN, TINYINT: T.TINYINT, SMALLINT: T.SMALLINT, INT: T.INT, INTEGER: T.INT, BIGINT: T.BIGINT,
  FLOAT: T.FLOAT, REAL: T.FLOAT, DOUBLE: T.DOUBLE, VARCHAR: T.VARCHAR, STRING: T.VARCHAR, DATE: T.DATE,
  TIMESTAMP: T.TIMESTAMP, 'TIMESTAMP(3)': T.TIMESTAMP, TIMESTAMP_LTZ: T.TIMESTAMP_LTZ, 'TIMESTAMP_LTZ(3)': T.TIMESTAMP_LTZ,
};

export function parseTypeName(text: string): SqlType {
  const t = text.trim().toUpperCase().replace(/\s+/g, '');
  const simple = SIMPLE[t] ?? SIMPLE[t.replace(/\(\d+\)$/, '')];
  if (simple) return simple;
  const dec = /^(?:DECIMAL|NUMERIC)(?:\((\d+)(?:,(\d+))?\))?$/.exec(t);
  if (dec) return T.decimal(Number(dec[1] ?? 10), Number(dec[2] ?? 0));
  throw new WeirError('OPTION', `unknown type '${text}': expected one of ${Object.keys(SIMPLE).join(', ')}, DECIMAL(p, s)`);
}
