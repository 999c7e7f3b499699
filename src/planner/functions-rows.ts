/**
 * `ROW(a, b, …)`, Flink's explicit row constructor: a ROW whose fields are the arguments, named
 * EXPR$0, EXPR$1, … as Flink names them (a CAST to a ROW type names them otherwise). The row itself
 * is never NULL; its fields may be.
 */
import type { SqlType } from '../common/types.js';
import { T } from '../common/types.js';

type Resolution = { readonly args: readonly SqlType[]; readonly returns: SqlType } | string;

const rowValue = (args: readonly SqlType[]): Resolution => {
  if (args.length === 0) return 'needs at least one field: ROW(x, …)';
  // a bare NULL field has no type of its own: a VARCHAR, as Flink types an untyped NULL
  const fields = args.map((t) => (t.kind === 'NULL' ? T.VARCHAR : t));
  return { args: fields, returns: T.row(fields.map((type, i) => ({ name: `EXPR$${i}`, type }))) };
};

export const ROW_SIGNATURES = { row_value: rowValue } as const;
