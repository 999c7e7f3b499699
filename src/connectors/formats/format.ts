/**
 * Choosing a format by a table's `'format'` option, and the `'<format>.*'` option keys each format
 * knows (the registry checks a table's options against these).
 */
import { WeirError, type SourceSpan } from '../../common/errors.js';
import type { Schema } from '../../common/schema.js';
import { isCollection, typeToString } from '../../common/types.js';
import { booleanOption, CSV_OPTION_KEYS, csvFormat, csvOptionsFrom } from './csv.js';
import { arrowFormat } from './arrow-ipc.js';
import type { Format } from './decoded.js';
import { JSON_OPTION_KEYS, jsonFormat } from './json.js';
import { parquetFormat } from './parquet.js';

export const FORMAT_NAMES: readonly string[] = ['json', 'csv', 'parquet', 'arrow'];

/** The option keys of format `name` (all start with `name.`); undefined for an unknown format. */
export function formatOptionKeys(name: string): readonly string[] | undefined {
  switch (name) {
    case 'json': return JSON_OPTION_KEYS;
    case 'csv': return CSV_OPTION_KEYS;
    // self-describing binary files: nothing to configure (bad files are still counted and kept aside)
    case 'parquet': case 'arrow': return [`${name}.ignore-parse-errors`];
    default: return undefined;
  }
}

export interface FormatChoice {
  readonly format: Format;
  /**
   * `'<format>.ignore-parse-errors' = 'false'` written explicitly: the user asked for a bad record to
   * fail the query (Flink's behaviour for that setting). Unset or 'true', bad records are counted and
   * kept aside, as the contract says.
   */
  readonly failOnParseError: boolean;
}

/**
 * The format a table's options name. Missing or unknown `'format'` is WeirError('OPTION') listing the
 * formats, at the option's span (or `fallbackSpan`, the connector option, when it is missing).
 */
export function formatFromOptions(
  options: ReadonlyMap<string, string>,
  spans: ReadonlyMap<string, SourceSpan>,
  connectorName: string,
  fallbackSpan?: SourceSpan,
  columns?: Schema['columns'],
): FormatChoice {
  const name = options.get('format');
  const allowed = FORMAT_NAMES.map((f) => `'${f}'`).join(', ');
  if (name === undefined) {
    throw new WeirError('OPTION', `connector '${connectorName}' needs the option 'format': one of ${allowed}`, fallbackSpan);
  }
  const key = name.trim().toLowerCase();
  const ignoreKey = `${key}.ignore-parse-errors`;
  const failOnParseError = options.has(ignoreKey) && !booleanOption(options, spans, ignoreKey);
  switch (key) {
    case 'json':
      return { format: jsonFormat, failOnParseError };
    case 'csv': {
      // a CSV cell holds one scalar in Weir: no text form for an ARRAY, MAP or MULTISET (Flink's
      // 'csv.array-element-delimiter' is not supported yet), so such a table is refused when opened
      const bad = columns?.find((c) => isCollection(c.type));
      if (bad) {
        throw new WeirError('UNSUPPORTED', `format 'csv' cannot hold column '${bad.name}' of type ${typeToString(bad.type)}: `
          + `ARRAY, MAP and MULTISET columns need format 'json'`, spans.get('format'));
      }
      return { format: csvFormat(csvOptionsFrom(options, spans)), failOnParseError };
    }
    case 'parquet':
      return { format: parquetFormat, failOnParseError };
    case 'arrow':
      return { format: arrowFormat, failOnParseError };
    default:
      throw new WeirError('OPTION', `unknown format '${name}': expected one of ${allowed}`, spans.get('format'));
  }
}
