/**
 * The built-in connectors, and the one place a table's `'connector'` option becomes a Source or a
 * Sink. Before a connector sees a table, its options are checked: every key must be `connector`, one
 * of the connector's own options, or (for connectors with a `format`) one of that format's
 * `'<format>.*'` options. A misspelt key is an error naming the close match, as Flink refuses
 * unsupported options rather than ignoring them. Flink's legacy option names (`connector.type`,
 * `connector.path`, `format.type`) are read as today's first (option-names.ts).
 */
import { WeirError, type SourceSpan } from '../common/errors.js';
import type { Connector, ConnectorContext, ConnectorTable, Sink, Source } from './api.js';
import { blackholeConnector } from './blackhole/index.js';
import { filesystemConnector } from './filesystem/index.js';
import { jdbcConnector } from './jdbc/index.js';
import { FORMAT_NAMES, formatOptionKeys } from './formats/format.js';
import { memoryConnector, type MemoryTables } from './memory/index.js';
import { natsConnector } from './nats/index.js';
import { nexmarkConnector } from './nexmark/index.js';
import { printConnector, type TerminalConnector, type TextOutput } from './print/index.js';
import { redisConnector } from './redis/index.js';
import { withCurrentOptionNames } from './option-names.js';

/** Every built-in connector by name; `memory` serves the engine's own memory tables. */
/** The table option (any source connector) that `SET 'table.exec.source.idle-timeout'` defaults. */
export const SOURCE_IDLE_TIMEOUT = 'source.idle-timeout';

export function builtinConnectors(memory: MemoryTables): ReadonlyMap<string, Connector> {
  const list: Connector[] = [
    nexmarkConnector, filesystemConnector, memoryConnector(memory), printConnector, blackholeConnector, redisConnector, natsConnector, jdbcConnector,
  ];
  return new Map(list.map((c) => [c.name, c]));
}

export function createSource(written: ConnectorTable, ctx: ConnectorContext, connectors: ReadonlyMap<string, Connector>): Source {
  const { table, writtenAs } = withCurrentOptionNames(written);
  const connector = connectorOf(table, connectors);
  if (!connector.createSource) {
    throw new WeirError('OPTION', `table '${table.name}': connector '${connector.name}' cannot be used as a source`, connectorSpan(table));
  }
  checkOptions(table, connector, writtenAs);
  return connector.createSource(table, ctx);
}

/**
 * A sink for `table`. `stdout`, when given, is where terminal sinks (print) write: the engine's
 * configured output rather than the process's.
 */
export function createSink(
  written: ConnectorTable,
  ctx: ConnectorContext,
  connectors: ReadonlyMap<string, Connector>,
  stdout?: TextOutput,
): Sink {
  const { table, writtenAs } = withCurrentOptionNames(written);
  const connector = connectorOf(table, connectors);
  if (!connector.createSink) {
    throw new WeirError('OPTION', `table '${table.name}': connector '${connector.name}' cannot be used as a sink`, connectorSpan(table));
  }
  checkOptions(table, connector, writtenAs);
  if (stdout && isTerminal(connector)) return connector.createSinkTo(table, ctx, stdout);
  return connector.createSink(table, ctx);
}

function isTerminal(c: Connector): c is TerminalConnector {
  return typeof (c as Partial<TerminalConnector>).createSinkTo === 'function';
}

const connectorSpan = (table: ConnectorTable): SourceSpan | undefined => table.optionSpans.get('connector');

function connectorOf(table: ConnectorTable, connectors: ReadonlyMap<string, Connector>): Connector {
  const names = [...connectors.keys()].sort();
  const expected = names.map((n) => `'${n}'`).join(', ');
  const name = table.options.get('connector');
  if (name === undefined) {
    throw new WeirError('OPTION', `table '${table.name}' has no 'connector' option: expected one of ${expected}`);
  }
  const key = name.trim().toLowerCase();
  const c = connectors.get(key);
  if (c) return c;
  throw new WeirError('OPTION', `unknown connector '${name}': expected one of ${expected}${didYouMean(key, names)}`, connectorSpan(table));
}

/**
 * Refuse any option the connector (and its format) does not know, at the option's span. `writtenAs`
 * names legacy keys as the user wrote them (option-names.ts).
 */
export function checkOptions(table: ConnectorTable, connector: Connector, writtenAs: ReadonlyMap<string, string> = new Map()): void {
  const usesFormat = connector.options.includes('format');
  const format = table.options.get('format')?.trim().toLowerCase();
  const formatKeys = usesFormat && format !== undefined ? formatOptionKeys(format) ?? [] : [];
  // Flink's generic scan option: how long an input may stay quiet before it stops holding the watermark back
  const generic = connector.createSource ? [SOURCE_IDLE_TIMEOUT] : [];
  // (a connector may list 'connector' among its own options: named once)
  const known = [...new Set(['connector', ...connector.options, ...generic, ...formatKeys])];
  for (const key of table.options.keys()) {
    if (known.includes(key)) continue;
    const span = table.optionSpans.get(key);
    const written = writtenAs.has(key) ? `'${writtenAs.get(key)}' (read as '${key}')` : `'${key}'`;
    const prefix = key.includes('.') ? key.slice(0, key.indexOf('.')) : undefined;
    if (usesFormat && prefix !== undefined && FORMAT_NAMES.includes(prefix) && prefix !== format) {
      throw new WeirError('OPTION', `option ${written} applies to format '${prefix}', but table '${table.name}' has format '${format ?? '(none)'}'`, span);
    }
    const list = known.map((k) => `'${k}'`).join(', ');
    throw new WeirError('OPTION', `unknown option ${written} for connector '${connector.name}'${didYouMean(key, known)}; expected one of ${list}`, span);
  }
}

/** `: did you mean 'x'?` for the closest candidate within a few edits, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
