/**
 * Relational schemas: an ordered list of named, typed columns. Names are stored as written for
 * display; lookups compare case-insensitively unless the name was quoted (the binder decides).
 */
import * as arrow from 'apache-arrow';
import './arrow-binding.js';
import { fromArrowField, toArrowField, type SqlType } from './types.js';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
}

export interface Schema {
  readonly columns: readonly Column[];
}

export const schemaOf = (columns: readonly Column[]): Schema => ({ columns });

export function toArrowSchema(s: Schema): arrow.Schema {
  return new arrow.Schema(s.columns.map((c) => toArrowField(c.name, c.type, c.nullable)));
}

export function fromArrowSchema(s: arrow.Schema): Schema {
  return { columns: s.fields.map((f) => ({ name: f.name, type: fromArrowField(f), nullable: f.nullable })) };
}
