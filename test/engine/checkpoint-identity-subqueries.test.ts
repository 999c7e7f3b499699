/**
 * Checkpoint identity of the stateful nodes subqueries plan: a semi join's checkpoint is not read
 * as an anti join's (nor a regular one's as a window one's), and a changed filter around the join
 * keeps its uid; the scalar subquery's single-row check has an identity of its own.
 */
import { describe, expect, it } from 'vitest';
import { queryFingerprint } from '../../src/engine/checkpoint-identity.js';
import { STATE_VERSIONS } from '../../src/executor/operators/state-versions.js';
import { incompatibility, type QueryFingerprint } from '../../src/state/checkpoint/fingerprint.js';
import { catalogOf, streaming } from '../planner/helpers.js';

const DDL = `CREATE TABLE a (k INT, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
CREATE TABLE b (k INT, w INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');`;
const fingerprint = (sql: string): QueryFingerprint => queryFingerprint(streaming(sql, catalogOf(DDL)));
const op = (sql: string, kind: string) => fingerprint(sql).operators.find((o) => o.kind === kind)!;

describe('checkpoint fingerprints of semi / anti joins and scalar subqueries', () => {
  const SEMI = 'SELECT k, v FROM a WHERE EXISTS (SELECT * FROM b WHERE b.k = a.k)';
  const ANTI = 'SELECT k, v FROM a WHERE NOT EXISTS (SELECT * FROM b WHERE b.k = a.k)';

  it('versions the semi join state and tells semi from anti', () => {
    const semi = fingerprint(SEMI);
    expect(semi.operators[0]!.stateVersion).toBe(STATE_VERSIONS.semiJoin);
    expect(semi.operators[0]!.stateSchema).toMatchObject({ anti: false, strategy: 'regular', leftKeys: expect.any(Array) });
    expect(incompatibility(semi, semi)).toBeUndefined();
    expect(incompatibility(semi, fingerprint(ANTI))).toMatch(/stateful operator 1 was SemiJoin\(semi/);
  });

  it('keeps the uid when a filter of the outer query changes, not when the correlation does', () => {
    const uid = op(SEMI, 'semiJoin').uid;
    expect(op('SELECT k, v FROM a WHERE v > 3 AND EXISTS (SELECT * FROM b WHERE b.k = a.k)', 'semiJoin').uid).toBe(uid);
    expect(op('SELECT k, v FROM a WHERE EXISTS (SELECT * FROM b WHERE b.w = a.v)', 'semiJoin').uid).not.toBe(uid);
  });

  it('gives the scalar subquery\'s single-row check a state identity', () => {
    const f = fingerprint('SELECT k, v FROM a WHERE v > (SELECT MAX(w) FROM b)');
    expect(f.operators.map((o) => o.kind)).toEqual(['aggregate', 'singleRow', 'join']);
    expect(f.operators[1]!.stateVersion).toBe(STATE_VERSIONS.singleRow);
  });
});
