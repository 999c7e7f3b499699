/**
 * Reading a connector table's options: the error at the option's position (else the connector's),
 * a required option, a positive whole number. The connectors' own options.ts files use these so
 * their messages read alike.
 */
import { WeirError } from '../common/errors.js';
import type { ConnectorTable } from './api.js';

/** WeirError('OPTION') about `key` of `table`, at where the option (else the connector) was written. */
export function optionError(table: ConnectorTable, key: string, message: string): never {
  throw new WeirError('OPTION', `table '${table.name}': ${message}`, table.optionSpans.get(key) ?? table.optionSpans.get('connector'));
}

/** The option's value (trimmed), or an error saying that `connector` needs it and what it is. */
export function requiredOption(table: ConnectorTable, connector: string, key: string, what: string): string {
  const v = table.options.get(key)?.trim();
  if (v === undefined || v === '') optionError(table, key, `connector '${connector}' needs the option '${key}' (${what})`);
  return v;
}

/** The option as a positive whole number; undefined when it is not set. */
export function positiveIntegerOption(table: ConnectorTable, key: string): number | undefined {
  const v = table.options.get(key);
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  if (!/^\s*\d+\s*$/.test(v) || n < 1 || !Number.isSafeInteger(n)) optionError(table, key, `option '${key}' must be a positive whole number, got '${v}'`);
  return n;
}
