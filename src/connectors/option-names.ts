/**
 * Flink's legacy option style (the `connector.type` descriptor properties of Flink ≤ 1.10, which the
 * Nexmark benchmark's q13 still writes) read as today's names:
 *
 * | written                          | read as                     |
 * | -------------------------------- | --------------------------- |
 * | `connector.type`                 | `connector`                 |
 * | `connector.<key>` (`connector.path`) | `<key>` (`path`)        |
 * | `format.type`                    | `format`                    |
 * | `format.<key>` (`format.field-delimiter`) | `<format>.<key>` (`csv.field-delimiter`) |
 *
 * `connector.property-version` and `format.property-version` (version markers of the old descriptor
 * format) carry no meaning here and are dropped; so is `format.derive-schema` = 'true' (the schema
 * always comes from the table). A table that gives one option in both styles is refused. Without
 * `connector.type` (or `format.type`) nothing is renamed, so a stray `connector.path` stays an
 * unknown option. Each mapped option keeps the span it was written at, so an error about it points
 * at the text the user wrote; `writtenAs` gives the written key for messages.
 */
import { WeirError, type SourceSpan } from '../common/errors.js';
import type { ConnectorTable } from './api.js';

export interface NamedTable {
  readonly table: ConnectorTable;
  /** current key → the legacy key it was written as (only for keys that were mapped) */
  readonly writtenAs: ReadonlyMap<string, string>;
}

const DROPPED = new Set(['connector.property-version', 'format.property-version']);

/** `table` with its legacy option keys renamed to today's; a table without them is returned as it is. */
export function withCurrentOptionNames(table: ConnectorTable): NamedTable {
  const legacyConnector = table.options.has('connector.type');
  const legacyFormat = table.options.has('format.type');
  if (!legacyConnector && !legacyFormat) return { table, writtenAs: new Map() };
  const format = table.options.get('format.type')?.trim().toLowerCase() ?? table.options.get('format')?.trim().toLowerCase();
  const options = new Map<string, string>();
  const spans = new Map<string, SourceSpan>();
  const writtenAs = new Map<string, string>();
  const put = (key: string, written: string, value: string): void => {
    if (options.has(key)) {
      const other = writtenAs.get(key) ?? key;
      throw new WeirError('OPTION', `table '${table.name}': options '${other}' and '${written}' both set '${key}': keep one`, table.optionSpans.get(written));
    }
    options.set(key, value);
    const span = table.optionSpans.get(written);
    if (span) spans.set(key, span);
    if (key !== written) writtenAs.set(key, written);
  };
  for (const [key, value] of table.options) {
    if (DROPPED.has(key)) continue;
    if (key === 'format.derive-schema' && value.trim().toLowerCase() === 'true') continue;
    if (legacyConnector && key === 'connector.type') put('connector', key, value);
    else if (legacyConnector && key.startsWith('connector.')) put(key.slice('connector.'.length), key, value);
    else if (legacyFormat && key === 'format.type') put('format', key, value);
    else if (legacyFormat && key.startsWith('format.')) put(`${format}.${key.slice('format.'.length)}`, key, value);
    else put(key, key, value);
  }
  return { table: { ...table, options, optionSpans: spans }, writtenAs };
}
