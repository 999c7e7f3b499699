/**
 * The `redis` connector: Redis Streams as a source (entry ids as offsets) and a sink (one entry a
 * row, exactly once per batch id). See source.ts and sink.ts.
 */
import type { Connector } from '../api.js';
import { REDIS_OPTION_KEYS } from './options.js';
import { RedisSink } from './sink.js';
import { RedisSource } from './source.js';

export const redisConnector: Connector = {
  name: 'redis',
  options: REDIS_OPTION_KEYS,
  createSource: (table) => new RedisSource(table),
  createSink: (table) => new RedisSink(table),
};
