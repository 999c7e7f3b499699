/**
 * The nats connector's options, checked once when the table is used: `servers` (one or a comma list
 * of `nats://host:port`), `stream`, `subject`, `format` (`json` by default, `csv`, `raw`) and the
 * source's start position (`scan.startup.mode` = `earliest` | `latest` | `sequence` with
 * `scan.startup.sequence`) and batch cap (`scan.max-rows-per-trigger`), named as Flink's Kafka
 * connector names its own.
 */
import type { ConnectorTable } from '../api.js';
import { optionError, positiveIntegerOption, requiredOption } from '../table-options.js';
import type { TextFormat } from '../formats/decoded.js';
import { formatFromOptions } from '../formats/format.js';

export const SOURCE_ONLY_KEYS: readonly string[] = ['scan.startup.mode', 'scan.startup.sequence', 'scan.max-rows-per-trigger'];
export const NATS_OPTION_KEYS: readonly string[] = ['servers', 'stream', 'subject', 'format', ...SOURCE_ONLY_KEYS];

export type StartupMode = 'earliest' | 'latest' | 'sequence';

/** How a message's payload becomes a row and a row a payload. */
export type PayloadFormat =
  | { readonly kind: 'json'; readonly failOnParseError: boolean }
  | { readonly kind: 'csv'; readonly text: TextFormat; readonly failOnParseError: boolean }
  /** the payload as text in the table's one VARCHAR column */
  | { readonly kind: 'raw' };

export interface NatsCommonOptions {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly subject: string | undefined;
  readonly format: PayloadFormat;
  /** `nats[stream]`, for descriptions, rejected-record origins and errors */
  readonly target: string;
}

export interface NatsSourceOptions extends NatsCommonOptions {
  readonly startupMode: StartupMode;
  /** the first sequence read in mode 'sequence' */
  readonly startupSequence: number | undefined;
  readonly maxRowsPerTrigger: number;
}

const required = (table: ConnectorTable, key: string, what: string): string => requiredOption(table, 'nats', key, what);

/** `servers` as the client takes them: each `nats://host:port` (or `host:port`, as nats.js accepts). */
function parseServers(table: ConnectorTable): string[] {
  const text = required(table, 'servers', "the NATS servers, e.g. 'nats://127.0.0.1:4222'");
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of list) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(s)?.[1]?.toLowerCase();
    if (scheme !== undefined && !['nats', 'tls', 'ws', 'wss'].includes(scheme)) {
      optionError(table, 'servers', `server '${s}' has the scheme '${scheme}://': expected 'nats://host:port' (or a comma-separated list of them)`);
    }
    const rest = scheme === undefined ? s : s.slice(scheme.length + 3);
    if (!/^[^\s/?#]+(:\d+)?\/?$/.test(rest)) {
      optionError(table, 'servers', `server '${s}' is not a server address: expected 'nats://host:port' (or a comma-separated list of them)`);
    }
  }
  if (list.length === 0) optionError(table, 'servers', "option 'servers' names no server: expected 'nats://host:port'");
  return list;
}

function parseFormat(table: ConnectorTable): PayloadFormat {
  const name = (table.options.get('format') ?? 'json').trim().toLowerCase();
  if (name === 'raw') {
    const cols = table.schema.columns;
    if (cols.length !== 1 || cols[0]!.type.kind !== 'VARCHAR') {
      optionError(table, 'format', `format 'raw' needs a table of one STRING column (the message payload as text), but '${table.name}' has ${cols.length === 1 ? `a ${cols[0]!.type.kind} column` : `${cols.length} columns`}`);
    }
    return { kind: 'raw' };
  }
  if (name !== 'json' && name !== 'csv') {
    optionError(table, 'format', `connector 'nats' reads and writes the formats 'json', 'csv' and 'raw', got '${table.options.get('format')}'`);
  }
  const options = new Map(table.options);
  options.set('format', name);
  const choice = formatFromOptions(options, table.optionSpans, 'nats', table.optionSpans.get('connector'), table.schema.columns);
  if (choice.format.binary) throw new Error('unreachable: json and csv are text formats');
  return name === 'json'
    ? { kind: 'json', failOnParseError: choice.failOnParseError }
    : { kind: 'csv', text: choice.format, failOnParseError: choice.failOnParseError };
}

/** A NATS subject: tokens split by '.', no blanks; `*` and `>` (last) as wildcards when `wildcards`. */
function checkSubject(table: ConnectorTable, subject: string, wildcards: boolean): void {
  const tokens = subject.split('.');
  const bad = tokens.some((t, i) => t === '' || /\s/.test(t) || (t.includes('*') && t !== '*') || (t.includes('>') && (t !== '>' || i !== tokens.length - 1)));
  if (bad) optionError(table, 'subject', `subject '${subject}' is not a NATS subject: expected tokens separated by '.', such as 'orders.created' or 'orders.>'`);
  if (!wildcards && tokens.some((t) => t === '*' || t === '>')) {
    optionError(table, 'subject', `a nats sink publishes to one subject: '${subject}' has a wildcard ('*' or '>')`);
  }
}

function common(table: ConnectorTable, subjectRequired: boolean): NatsCommonOptions {
  const servers = parseServers(table);
  const stream = required(table, 'stream', 'the JetStream stream');
  if (/[\s.*>/\\]/.test(stream)) optionError(table, 'stream', `stream name '${stream}' may not hold spaces, '.', '*', '>', '/' or '\\'`);
  const subject = subjectRequired ? required(table, 'subject', 'the subject to publish to') : table.options.get('subject')?.trim();
  if (subject !== undefined) checkSubject(table, subject, !subjectRequired);
  return { servers, stream, subject: subject === '' ? undefined : subject, format: parseFormat(table), target: `nats[${stream}]` };
}

export function sourceOptions(table: ConnectorTable): NatsSourceOptions {
  const base = common(table, false);
  const modeText = (table.options.get('scan.startup.mode') ?? 'earliest').trim().toLowerCase();
  if (modeText !== 'earliest' && modeText !== 'latest' && modeText !== 'sequence') {
    optionError(table, 'scan.startup.mode', `option 'scan.startup.mode' must be 'earliest', 'latest' or 'sequence', got '${table.options.get('scan.startup.mode')}'`);
  }
  const startupSequence = positiveIntegerOption(table, 'scan.startup.sequence');
  if (modeText === 'sequence' && startupSequence === undefined) {
    optionError(table, 'scan.startup.mode', "'scan.startup.mode' = 'sequence' needs the option 'scan.startup.sequence' (the first stream sequence to read)");
  }
  if (modeText !== 'sequence' && startupSequence !== undefined) {
    optionError(table, 'scan.startup.sequence', `option 'scan.startup.sequence' applies only with 'scan.startup.mode' = 'sequence' (the mode is '${modeText}')`);
  }
  return { ...base, startupMode: modeText, startupSequence, maxRowsPerTrigger: positiveIntegerOption(table, 'scan.max-rows-per-trigger') ?? Infinity };
}

export function sinkOptions(table: ConnectorTable): NatsCommonOptions {
  for (const key of SOURCE_ONLY_KEYS) {
    if (table.options.has(key)) optionError(table, key, `option '${key}' applies to a nats source only; '${table.name}' is written to`);
  }
  return common(table, true);
}
