/**
 * What a checkpoint records of a query's state: enough that a checkpoint whose state was laid out
 * otherwise is refused before anything runs, naming the difference, rather than misread; and an
 * operator found by its uid, not its place, so that changes around it keep its state where it is.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryFingerprint } from '../../src/engine/checkpoint-identity.js';
import { Engine } from '../../src/engine/engine.js';
import { STATE_VERSIONS } from '../../src/executor/operators/state-versions.js';
import { incompatibility, matchState, type QueryFingerprint } from '../../src/state/checkpoint/fingerprint.js';
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

/** The fingerprint as a checkpoint written before uids recorded it. */
function beforeUids(f: QueryFingerprint): QueryFingerprint {
  return { ...f, operators: f.operators.map(({ uid: _u, stateVersion: _v, legacyStateSchema, ...o }) => ({ ...o, stateSchema: legacyStateSchema! })) };
}

describe('checkpoint fingerprints', () => {
  it('version the join state: a checkpoint of the per-row layout (version 1) is refused', () => {
    const now = fingerprint('SELECT a.v, b.w FROM a JOIN b ON a.k = b.k');
    expect(now.operators[0]!.stateVersion).toBe(STATE_VERSIONS.join);
    expect(incompatibility(now, now)).toBeUndefined();
    const v1 = { ...now, operators: now.operators.map((o) => ({ ...o, stateVersion: 1 })) };
    expect(incompatibility(v1, now)).toMatch(/stateful operator 1 was join/);
  });

  it('say whether an aggregation\'s input retracts (MIN/MAX and DISTINCT keep other state then)', () => {
    const appendOnly = fingerprint('SELECT k, MAX(v), COUNT(DISTINCT v) FROM a GROUP BY k');
    const retracting = fingerprint('SELECT k, MAX(n), COUNT(DISTINCT n) FROM (SELECT k, COUNT(*) AS n FROM a GROUP BY k) GROUP BY k');
    expect(appendOnly.operators[0]!.stateSchema).toMatchObject({ inputAppendOnly: true });
    expect(retracting.operators.at(-1)!.stateSchema).toMatchObject({ inputAppendOnly: false });
    expect(incompatibility(older(appendOnly, 'inputAppendOnly'), appendOnly)).toMatch(/stateful operator 1 was aggregate/);
  });

  it('record a group key that is not deterministic as written, though the plan computes it once below', () => {
    // plan-streaming.ts keysComputedOnce: the aggregation groups by a column a projection adds, and a
    // checkpoint written when it grouped by the expression itself must still belong
    for (const sql of [
      'SELECT CAST(FLOOR(RAND() * 4) AS INT), COUNT(*) FROM a GROUP BY CAST(FLOOR(RAND() * 4) AS INT)',
      "SELECT b, COUNT(*) FROM (SELECT *, CAST(FLOOR(RAND() * 4) AS INT) AS b FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' SECOND))) GROUP BY window_start, window_end, b",
    ]) {
      const keys = (fingerprint(sql).operators[0]!.stateSchema as { keys: string[] }).keys;
      expect(keys, sql).toEqual(['CAST(floor(multiply(rand(), 4)) AS INT) INT']);
    }
    // a RAND() column the query projects itself is a column to the aggregation, as before
    const projected = fingerprint('SELECT b, COUNT(*) FROM (SELECT CAST(FLOOR(RAND() * 4) AS INT) AS b FROM a) GROUP BY b');
    expect((projected.operators[0]!.stateSchema as { keys: string[] }).keys).toEqual(['b INT']);
  });

  it('keep an operator\'s uid when the query changes around it, and not when its state changes', () => {
    const uid = (sql: string): string => fingerprint(sql).operators[0]!.uid!;
    const base = uid('SELECT k, SUM(v) FROM a GROUP BY k');
    expect(uid('SELECT k, SUM(v) AS total FROM a WHERE v > 3 GROUP BY k')).toBe(base);
    expect(uid('SELECT k, SUM(v) FROM (SELECT k, v, ts FROM a) GROUP BY k')).toBe(base);
    expect(uid('SELECT k, SUM(w) FROM b GROUP BY k')).not.toBe(base); // same shape over another table
    expect(uid('SELECT k, MAX(v) FROM a GROUP BY k')).not.toBe(base);
    expect(uid('SELECT v, SUM(v) FROM a GROUP BY v')).not.toBe(base);
    // a join's rows are kept whole: a column more on a side is another state
    const join = uid('SELECT a.v, b.w FROM a JOIN b ON a.k = b.k');
    expect(uid('SELECT b.w, a.v AS value FROM a JOIN b ON a.k = b.k')).toBe(join);
    expect(uid('SELECT a.v, b.w FROM (SELECT k, v, v + 1 AS x, ts FROM a) a JOIN b ON a.k = b.k')).not.toBe(join);
  });

  it('match operators by uid when they change places, and say which state is new or gone', () => {
    // (sources keep their places: the offsets log holds them by position)
    const one = fingerprint('SELECT k, SUM(v) AS s FROM a GROUP BY k UNION ALL SELECT k, MAX(v) AS s FROM a GROUP BY k');
    const swapped = fingerprint('SELECT k, MAX(v) AS s FROM a GROUP BY k UNION ALL SELECT k, SUM(v) AS s FROM a GROUP BY k');
    const m = matchState(one, swapped);
    expect('why' in m).toBe(false);
    if ('stateIds' in m) expect([...m.stateIds].sort()).toEqual([[0, 1], [1, 0]]);
    const fewer = fingerprint('SELECT k, SUM(v) AS s FROM a GROUP BY k');
    expect(incompatibility(one, fewer)).toMatch(/gone: GROUP BY k INT: MAX\(v INT\)/);
    const changed = fingerprint('SELECT k, MIN(v) AS s FROM a GROUP BY k');
    expect(incompatibility(fewer, changed)).toMatch(/stateful operator 1 was GROUP BY k INT: SUM\(v INT\), now GROUP BY k INT: MIN\(v INT\)/);
  });

  it('read a checkpoint written before uids by position, as then', () => {
    const now = fingerprint('SELECT a.v, b.w FROM a JOIN b ON a.k = b.k');
    expect(incompatibility(beforeUids(now), now)).toBeUndefined();
    const other = fingerprint('SELECT a.v, b.w FROM a JOIN b ON a.k = b.k AND a.v < b.w');
    expect(incompatibility(beforeUids(now), other)).toMatch(/stateful operator 1 was/);
  });
});

describe('state found by uid across a restart', () => {
  it('each aggregation of a UNION ALL keeps its own state when the branches change places', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-uid-'));
    mkdirSync(path.join(dir, 'in'));
    const ddl = `CREATE TABLE a (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'in')}', 'format' = 'json');
      CREATE TABLE out (k INT, s BIGINT, src STRING) WITH ('connector' = 'memory');`;
    const sum = "SELECT k, CAST(SUM(v) AS BIGINT) AS s, 'sum' AS src FROM a GROUP BY k";
    const count = "SELECT k, COUNT(*) AS s, 'count' AS src FROM a GROUP BY k";
    const run = async (insert: string, file: string, rows: object[]): Promise<Record<string, unknown>[]> => {
      writeFileSync(path.join(dir, 'in', file), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const engine = new Engine({ checkpointDir: path.join(dir, 'cp') });
      await engine.execute(ddl);
      const [q] = await engine.execute(insert);
      await q!.processAllAvailable();
      const result = engine.output('out').rows();
      await engine.stop();
      return result;
    };
    await run(`INSERT INTO out ${sum} UNION ALL ${count}`, '1.json', [{ k: 1, v: 10 }, { k: 1, v: 20 }, { k: 1, v: 30 }]);
    const after = await run(`INSERT INTO out ${count} UNION ALL ${sum}`, '2.json', [{ k: 1, v: 1 }]);
    // each goes on from the state it left (sum 60, count 3): 61 and 4; crossed over they would give 4 and 62
    expect(after.filter((r) => r.src === 'sum').map((r) => Number(r.s))).toEqual([61]);
    expect(after.filter((r) => r.src === 'count').map((r) => Number(r.s))).toEqual([4]);
  });
});
