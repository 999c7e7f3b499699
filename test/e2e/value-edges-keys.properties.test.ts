/**
 * Edge values through keys, joins and sinks (issue 10), each over any split into batches: BIGINT past
 * 2^53 as a join key; ROW group keys (plain and windowed); multi-column string keys with separators;
 * NaN, ±Infinity and NULL keys side by side in a memory sink; window aggregates of BIGINT past 2^53.
 * Weir got every one of these wrong before the one key codec and exact BIGINT. The properties are in
 * test/support/value-edge-properties.ts.
 */
import { describe, it } from 'vitest';
import { VALUE_EDGE_PROPERTIES } from '../support/value-edge-properties.js';

describe('edge values through keys, joins and sinks, over any split into batches', () => {
  for (const [name, property] of Object.entries(VALUE_EDGE_PROPERTIES)) it(name, property);
});
