/**
 * The `nats` connector: a NATS JetStream stream as a source (source.ts: offsets are stream sequence
 * numbers) and as a sink (sink.ts: JetStream publish with message ids and batch marks, so a replayed
 * batch is not written twice). options.ts checks the options; client.ts holds the connection and
 * tells an unreachable server (retried by the execution) from other failures.
 */
import type { Connector } from '../api.js';
import { NATS_OPTION_KEYS } from './options.js';
import { NatsSink } from './sink.js';
import { NatsSource } from './source.js';

export const natsConnector: Connector = {
  name: 'nats',
  options: NATS_OPTION_KEYS,
  createSource: (table) => new NatsSource(table),
  createSink: (table) => new NatsSink(table),
};
