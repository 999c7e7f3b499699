/**
 * The `nexmark` connector: the Nexmark benchmark's event generator as a source (no sink).
 *
 *   CREATE TABLE datagen (event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>, ...)
 *   WITH ('connector' = 'nexmark', 'first-event.rate' = '1000', 'events.num' = '100000');
 *
 * Options: see options.ts; the table must declare (a subset of) the generator's columns: schema.ts.
 */
import type { Connector, ConnectorContext, ConnectorTable, Source } from '../api.js';
import { parseNexmarkOptions, NEXMARK_OPTIONS } from './options.js';
import { matchTableSchema } from './schema.js';
import { NexmarkSource } from './source.js';

export const nexmarkConnector: Connector = {
  name: 'nexmark',
  options: NEXMARK_OPTIONS,
  createSource(table: ConnectorTable, ctx: ConnectorContext): Source {
    const options = parseNexmarkOptions(table.options, table.optionSpans, ctx.tasks);
    const columns = matchTableSchema(table.schema, table.optionSpans.get('connector'));
    return new NexmarkSource(table.schema, columns, options, ctx);
  },
};

export {
  ALL_COLUMNS, DEFAULT_BASE_TIME, DEFAULT_NEXMARK_CONFIG, eventTimeOf, eventTypeOf, generateEvents, generateRows,
  nexmarkConfig,
} from './generator.js';
export type { ColumnSelection, GeneratedColumns, NexmarkConfig, NexmarkRow } from './generator.js';
export type { FieldMask } from './model.js';
export { DEFAULT_MAX_EVENTS_PER_BATCH, NEXMARK_OPTIONS, parseNexmarkOptions } from './options.js';
export type { NexmarkSourceOptions } from './options.js';
export { nexmarkSchema } from './schema.js';
export { NexmarkSource } from './source.js';
