/**
 * The redis connector's options, checked once when the table is used: `url`
 * (`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS), `stream`, an optional `format`
 * (`json`: each entry's field `value` holds the row as a JSON object; without it each column is a
 * field of the entry, by name), and the source's start (`scan.startup.mode` = `earliest` | `latest`
 * | `id` with `scan.startup.id`) and batch cap (`scan.max-rows-per-trigger`).
 */
import type { ConnectorTable } from '../api.js';
import { optionError, positiveIntegerOption, requiredOption } from '../table-options.js';
import { compareIds, isEntryId } from './entry-ids.js';

export const SOURCE_ONLY_KEYS: readonly string[] = ['scan.startup.mode', 'scan.startup.id', 'scan.max-rows-per-trigger'];
export const REDIS_OPTION_KEYS: readonly string[] = ['url', 'stream', 'format', ...SOURCE_ONLY_KEYS];

/** The field that carries a row's kind in update mode (`+I`, `-U`, `+U`, `-D`, as Flink prints them). */
export const KIND_FIELD = '_op';
/** The field that holds the row as JSON with `'format' = 'json'`. */
export const VALUE_FIELD = 'value';

export type StartupMode = 'earliest' | 'latest' | 'id';

export interface RedisCommonOptions {
  readonly url: string;
  readonly stream: string;
  readonly json: boolean;
  /** `redis[host:port/stream]`, for descriptions, rejected-record origins and errors */
  readonly target: string;
}

export interface RedisSourceOptions extends RedisCommonOptions {
  readonly startupMode: StartupMode;
  /** the first entry id read in mode 'id' (inclusive) */
  readonly startupId: string | undefined;
  readonly maxRowsPerTrigger: number;
}

/** Entries per batch when `scan.max-rows-per-trigger` is not set. */
export const DEFAULT_MAX_ROWS = 20_000;

const required = (table: ConnectorTable, key: string, what: string): string => requiredOption(table, 'redis', key, what);

function common(table: ConnectorTable): RedisCommonOptions {
  const url = required(table, 'url', "the server, e.g. 'redis://127.0.0.1:6379'");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    optionError(table, 'url', `'${url}' is not a URL: expected 'redis://host:port' (or 'rediss://' for TLS)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    optionError(table, 'url', `url '${url}' has the scheme '${parsed.protocol}//': expected 'redis://host:port' (or 'rediss://' for TLS)`);
  }
  const stream = required(table, 'stream', 'the stream key');
  const format = table.options.get('format')?.trim().toLowerCase();
  if (format !== undefined && format !== 'json') {
    optionError(table, 'format', `connector 'redis' reads an entry's fields as columns by name, or with 'format' = 'json' one field '${VALUE_FIELD}' holding a JSON object; got '${table.options.get('format')}'`);
  }
  const host = `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  return { url, stream, json: format === 'json', target: `redis[${host}/${stream}]` };
}

export function sourceOptions(table: ConnectorTable): RedisSourceOptions {
  const base = common(table);
  const modeText = (table.options.get('scan.startup.mode') ?? 'earliest').trim().toLowerCase();
  if (modeText !== 'earliest' && modeText !== 'latest' && modeText !== 'id') {
    optionError(table, 'scan.startup.mode', `option 'scan.startup.mode' must be 'earliest', 'latest' or 'id', got '${table.options.get('scan.startup.mode')}'`);
  }
  const idText = table.options.get('scan.startup.id')?.trim();
  if (modeText === 'id' && idText === undefined) {
    optionError(table, 'scan.startup.mode', "'scan.startup.mode' = 'id' needs the option 'scan.startup.id' (the first entry id to read, e.g. '1700000000000-0')");
  }
  if (idText !== undefined && modeText !== 'id') {
    optionError(table, 'scan.startup.id', "option 'scan.startup.id' applies only with 'scan.startup.mode' = 'id'");
  }
  if (idText !== undefined && !isEntryId(idText)) {
    optionError(table, 'scan.startup.id', `'${idText}' is not a stream entry id: expected '<milliseconds>-<sequence>' or '<milliseconds>'`);
  }
  const startupId = idText === undefined ? undefined : idText.includes('-') ? idText : `${idText}-0`;
  if (startupId !== undefined && compareIds(startupId, '0-1') < 0) optionError(table, 'scan.startup.id', "option 'scan.startup.id' must be at least '0-1'");
  return { ...base, startupMode: modeText, startupId, maxRowsPerTrigger: positiveIntegerOption(table, 'scan.max-rows-per-trigger') ?? DEFAULT_MAX_ROWS };
}

export function sinkOptions(table: ConnectorTable): RedisCommonOptions {
  for (const key of SOURCE_ONLY_KEYS) {
    if (table.options.has(key)) optionError(table, key, `option '${key}' applies to a redis source, but '${table.name}' is written to`);
  }
  const base = common(table);
  if (!base.json && table.schema.columns.some((c) => c.name.toLowerCase() === KIND_FIELD)) {
    optionError(table, 'connector', `a redis sink adds the field '${KIND_FIELD}' (the row kind in update mode), and '${table.name}' has a column of that name: rename it or use 'format' = 'json'`);
  }
  return base;
}
