/**
 * What a checkpoint records of a query's state: enough that a checkpoint whose state was laid out
 * otherwise is refused before anything runs, naming the difference, rather than misread.
 */
import { describe, expect, it } from 'vitest';
import { queryFingerprint } from '../../src/engine/checkpoint-identity.js';
import { incompatibility, type QueryFingerprint } from '../../src/state/checkpoint/fingerprint.js';
import { catalogOf, streaming } from '../planner/helpers.js';

const DDL = `CREATE TABLE a (k INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE b (k INT, w INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');`;
const fingerprint = (sql: string): QueryFingerprint => queryFingerprint(streaming(sql, catalogOf(DDL)));

/** The fingerprint as a checkpoint of an earlier layout recorded it: without the layout fields. */
function older(f: QueryFingerprint, drop: string): QueryFingerprint {
  return {
    ...f,
    operators: f.operators.map((o) => {
      const { [drop]: _gone, ...rest } = o.stateSchema as Record<string, unknown>;
      return { ...o, stateSchema: rest as never };
    }),
  };
}

describe('checkpoint fingerprints', () => {
  it('name the join state layout: a checkpoint of per-row join state is refused', () => {
    const now = fingerprint('SELECT a.v, b.w FROM a JOIN b ON a.k = b.k');
    expect(now.operators[0]!.stateSchema).toMatchObject({ rows: 'arrow blocks' });
    expect(incompatibility(now, now)).toBeUndefined();
    expect(incompatibility(older(now, 'rows'), now)).toMatch(/stateful operator 1 was join/);
  });

  it('say whether an aggregation\'s input retracts (MIN/MAX and DISTINCT keep other state then)', () => {
    const appendOnly = fingerprint('SELECT k, MAX(v), COUNT(DISTINCT v) FROM a GROUP BY k');
    const retracting = fingerprint('SELECT k, MAX(n), COUNT(DISTINCT n) FROM (SELECT k, COUNT(*) AS n FROM a GROUP BY k) GROUP BY k');
    expect(appendOnly.operators[0]!.stateSchema).toMatchObject({ inputAppendOnly: true });
    expect(retracting.operators.at(-1)!.stateSchema).toMatchObject({ inputAppendOnly: false });
    expect(incompatibility(older(appendOnly, 'inputAppendOnly'), appendOnly)).toMatch(/stateful operator 1 was aggregate/);
  });
});
