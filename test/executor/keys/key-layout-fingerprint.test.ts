/**
 * A checkpoint whose aggregation state was keyed by the earlier encoding (String(v) joined by an
 * unescaped \u0001) is refused, naming the operator, instead of read with keys that no row meets.
 */
import { describe, expect, it } from 'vitest';
import { queryFingerprint } from '../../../src/engine/checkpoint-identity.js';
import { KEY_LAYOUT_VERSION } from '../../../src/executor/keys/key-codec.js';
import { incompatibility, type QueryFingerprint } from '../../../src/state/checkpoint/fingerprint.js';
import { catalogOf, streaming } from '../../planner/helpers.js';

const DDL = `CREATE TABLE a (k INT, s STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');`;
const fingerprint = (sql: string): QueryFingerprint => queryFingerprint(streaming(sql, catalogOf(DDL)));

/** The fingerprint as a checkpoint written before the key codec recorded it. */
function beforeKeyCodec(f: QueryFingerprint): QueryFingerprint {
  return {
    ...f,
    operators: f.operators.map((o) => {
      const { keyLayout: _gone, ...rest } = o.stateSchema as Record<string, unknown>;
      return { ...o, stateSchema: rest as never };
    }),
  };
}

describe('the key layout in checkpoint fingerprints', () => {
  it('group aggregation: an old-layout checkpoint is refused', () => {
    const now = fingerprint('SELECT k, s, SUM(v) FROM a GROUP BY k, s');
    expect(now.operators[0]!.stateSchema).toMatchObject({ keyLayout: KEY_LAYOUT_VERSION });
    expect(incompatibility(now, now)).toBeUndefined();
    expect(incompatibility(beforeKeyCodec(now), now)).toMatch(/stateful operator 1 was aggregate/);
  });

  it('window aggregation: an old-layout checkpoint is refused', () => {
    const now = fingerprint(`SELECT window_start, k, COUNT(*) FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, k`);
    expect(now.operators[0]!.stateSchema).toMatchObject({ keyLayout: KEY_LAYOUT_VERSION });
    expect(incompatibility(beforeKeyCodec(now), now)).toMatch(/stateful operator 1 was windowAggregate/);
  });
});
