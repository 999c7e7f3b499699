/**
 * The nexmark table's physical layout (the benchmark's `ddl_gen.sql`), and the check that a declared
 * table matches it.
 *
 * A table may declare the four columns in any order, and a ROW column may list a subset of its
 * fields in any order (the older benchmark DDL has no `channel`/`url` in `bid`): columns and fields
 * are matched by name, case-insensitively, and their types must be of the generated type's family.
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { Column, Schema } from '../../common/schema.js';
import type * as arrow from 'apache-arrow';
import '../../common/arrow-binding.js';
import { T, toArrowType, typeToString, type SqlType } from '../../common/types.js';

export type StructName = 'person' | 'auction' | 'bid';

export const PERSON_FIELDS = [
  { name: 'id', type: T.BIGINT },
  { name: 'name', type: T.VARCHAR },
  { name: 'emailAddress', type: T.VARCHAR },
  { name: 'creditCard', type: T.VARCHAR },
  { name: 'city', type: T.VARCHAR },
  { name: 'state', type: T.VARCHAR },
  { name: 'dateTime', type: T.TIMESTAMP },
  { name: 'extra', type: T.VARCHAR },
] as const;

export const AUCTION_FIELDS = [
  { name: 'id', type: T.BIGINT },
  { name: 'itemName', type: T.VARCHAR },
  { name: 'description', type: T.VARCHAR },
  { name: 'initialBid', type: T.BIGINT },
  { name: 'reserve', type: T.BIGINT },
  { name: 'dateTime', type: T.TIMESTAMP },
  { name: 'expires', type: T.TIMESTAMP },
  { name: 'seller', type: T.BIGINT },
  { name: 'category', type: T.BIGINT },
  { name: 'extra', type: T.VARCHAR },
] as const;

export const BID_FIELDS = [
  { name: 'auction', type: T.BIGINT },
  { name: 'bidder', type: T.BIGINT },
  { name: 'price', type: T.BIGINT },
  { name: 'channel', type: T.VARCHAR },
  { name: 'url', type: T.VARCHAR },
  { name: 'dateTime', type: T.TIMESTAMP },
  { name: 'extra', type: T.VARCHAR },
] as const;

export const STRUCT_FIELDS = { person: PERSON_FIELDS, auction: AUCTION_FIELDS, bid: BID_FIELDS } as const;

export const PERSON_TYPE: SqlType = T.row(PERSON_FIELDS);
export const AUCTION_TYPE: SqlType = T.row(AUCTION_FIELDS);
export const BID_TYPE: SqlType = T.row(BID_FIELDS);

export const PERSON_ARROW = toArrowType(PERSON_TYPE) as arrow.Struct;
export const AUCTION_ARROW = toArrowType(AUCTION_TYPE) as arrow.Struct;
export const BID_ARROW = toArrowType(BID_TYPE) as arrow.Struct;

/** The physical schema the generator produces: event_type, person, auction, bid. */
export function nexmarkSchema(): Schema {
  return {
    columns: [
      { name: 'event_type', type: T.INT, nullable: true },
      { name: 'person', type: PERSON_TYPE, nullable: true },
      { name: 'auction', type: AUCTION_TYPE, nullable: true },
      { name: 'bid', type: BID_TYPE, nullable: true },
    ],
  };
}

/** How one declared column is taken from the generated columns. */
export type ColumnSource =
  | { readonly kind: 'event_type' }
  | {
      readonly kind: 'struct';
      readonly struct: StructName;
      /** for each declared field, in declared order: its index among the generated fields */
      readonly fields: readonly number[];
    };

/** The type family a declared type must belong to for a generated type. */
function sameFamily(generated: SqlType, declared: SqlType): boolean {
  switch (generated.kind) {
    case 'TIMESTAMP':
      return declared.kind === 'TIMESTAMP' && !declared.ltz;
    case 'INT': case 'BIGINT': case 'VARCHAR':
      return declared.kind === generated.kind;
    default:
      return false;
  }
}

function mismatch(what: string, expected: string, got: SqlType | undefined, span: SourceSpan | undefined): WeirError {
  const found = got ? `, but it is declared as ${typeToString(got)}` : '';
  return new WeirError('TYPE', `nexmark table: ${what} must be ${expected}${found}`, span);
}

/**
 * Check a declared table against the generated layout and say, for each declared column, where its
 * data comes from. `span` (the `'connector'` option) is where a mismatch is reported.
 */
export function matchTableSchema(schema: Schema, span: SourceSpan | undefined): readonly ColumnSource[] {
  const seen = new Set<string>();
  const known = 'event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>';
  return schema.columns.map((c: Column): ColumnSource => {
    const lower = c.name.toLowerCase();
    if (seen.has(lower)) throw new WeirError('TYPE', `nexmark table: column '${c.name}' is declared twice`, span);
    seen.add(lower);
    if (lower === 'event_type') {
      if (c.type.kind !== 'INT') throw mismatch(`column '${c.name}'`, 'INT', c.type, span);
      return { kind: 'event_type' };
    }
    if (lower !== 'person' && lower !== 'auction' && lower !== 'bid') {
      throw new WeirError('TYPE', `nexmark table: unknown column '${c.name}'; the generator produces ${known}`, span);
    }
    const struct: StructName = lower;
    const generated = STRUCT_FIELDS[struct];
    const expected = typeToString(T.row(generated));
    if (c.type.kind !== 'ROW') throw mismatch(`column '${c.name}'`, expected, c.type, span);
    const fieldSeen = new Set<number>();
    const fields = c.type.fields.map((f) => {
      const k = generated.findIndex((g) => g.name.toLowerCase() === f.name.toLowerCase());
      if (k < 0 || fieldSeen.has(k)) {
        const list = generated.map((g) => g.name).join(', ');
        throw new WeirError('TYPE', `nexmark table: field '${c.name}.${f.name}' is not one of ${list} (or is repeated)`, span);
      }
      fieldSeen.add(k);
      const g = generated[k]!;
      if (!sameFamily(g.type, f.type)) throw mismatch(`field '${c.name}.${f.name}'`, typeToString(g.type), f.type, span);
      return k;
    });
    return { kind: 'struct', struct, fields };
  });
}
