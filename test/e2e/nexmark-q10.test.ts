/**
 * q10 as the benchmark writes it — a filesystem sink PARTITIONED BY (dt, hm) with Flink's
 * partition-commit and rolling options — run through the CLI (`--set NEXMARK_DIR=… SUBMIT_TIME=x`)
 * over 5 000 generated events at 1 000 events/s. Its committed files, read back per partition
 * (dt and hm from the Hive-style directory names), equal DuckDB's rows for each partition, and each
 * partition has its `_SUCCESS` file once the bounded input has ended.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { batchToRows } from '../../src/common/columns.js';
import { FilesystemSource, listCommittedFiles } from '../../src/connectors/filesystem/index.js';
import { committedBatchIds, partitionDirName, readManifest } from '../../src/connectors/filesystem/layout.js';
import { runCli, tempDir, writeSql, type CliResult } from '../support/cli.js';
import { fixture, loadGeneratorRows, nexmarkDdl, nexmarkSettings, setArgs } from '../support/nexmark.js';
import { expectSameRows, Oracle, type Row } from '../support/oracle.js';

const EVENTS = 5_000;
/** nexmark_q10's columns, as the files hold them plus the two partition columns from the path. */
const Q10_SCHEMA = {
  columns: [
    { name: 'auction', type: T.BIGINT, nullable: true }, { name: 'bidder', type: T.BIGINT, nullable: true },
    { name: 'price', type: T.BIGINT, nullable: true }, { name: 'dateTime', type: T.TIMESTAMP, nullable: true },
    { name: 'extra', type: T.VARCHAR, nullable: true }, { name: 'dt', type: T.VARCHAR, nullable: true },
    { name: 'hm', type: T.VARCHAR, nullable: true },
  ],
};

/**
 * The benchmark's DDL (`baseTime` undefined) or, to cross a day and a minute within 5 s of events,
 * the same DDL with the generator's 'base-time' option added.
 */
function describeQ10(label: string, baseTime: string | undefined): void {
  describe(`q10: bids into files partitioned by day and minute (${EVENTS} events, ${label}, equal to DuckDB per partition)`, () => {
    let nexmarkDir = '';
    let out = '';
    let run: CliResult;
    let oracle: Oracle;

    beforeAll(async () => {
      nexmarkDir = tempDir();
      // the text unchanged but for its 'file://' URI, which another change of the connector handles
      const q10 = fixture('q10.sql');
      expect(q10).toContain("'path' = 'file://${NEXMARK_DIR}/data/output/${SUBMIT_TIME}/bid/'");
      const sql = q10.replace("'file://${NEXMARK_DIR}", "'${NEXMARK_DIR}");
      const ddl = nexmarkDdl(baseTime === undefined ? {} : { 'base-time': baseTime });
      expect(ddl).toContain(baseTime ?? "'connector' = 'nexmark'");
      run = await runCli(['run', writeSql(nexmarkDir, `${ddl}\n${sql}\n`, 'q10.sql'),
        ...setArgs({ ...nexmarkSettings(EVENTS), NEXMARK_DIR: nexmarkDir, SUBMIT_TIME: 'x' })]);
      out = path.join(nexmarkDir, 'data', 'output', 'x', 'bid');
      oracle = await Oracle.create();
      await loadGeneratorRows(oracle, ['bid'], { events: EVENTS, baseTime: baseTime === undefined ? undefined : Date.parse(`${baseTime.replace(' ', 'T')}Z`) });
    });
    afterAll(() => oracle.close());

    it('runs to the end', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('writes one Hive-style directory per (dt, hm), part files named by batch, every one in a manifest', async () => {
      const expected = await oracle.query(`SELECT DISTINCT strftime("dateTime", '%Y-%m-%d') AS dt, strftime("dateTime", '%H:%M') AS hm FROM bid ORDER BY 1, 2`);
      expect(expected.length).toBe(baseTime === undefined ? 1 : 2);
      const committed = listCommittedFiles(out);
      const dirs = [...new Set(committed.map((f) => path.posix.dirname(f)))].sort();
      expect(dirs).toEqual(expected.map((r) => `${partitionDirName('dt', r.dt as string)}/${partitionDirName('hm', r.hm as string)}`));
      expect(dirs.every((d) => /^dt=\d{4}-\d{2}-\d{2}\/hm=\d{2}%3A\d{2}$/.test(d))).toBe(true);
      for (const f of committed) expect(path.posix.basename(f)).toMatch(/^part-\d{8}-\d+\.csv$/);
      // each manifest lists its batch's files by their path relative to the sink's path
      for (const id of committedBatchIds(out)) {
        for (const f of readManifest(out, id)) {
          expect(f.startsWith(`dt=`)).toBe(true);
          expect(path.posix.basename(f).startsWith(`part-${String(id).padStart(8, '0')}-`)).toBe(true);
          expect(existsSync(path.join(out, f))).toBe(true);
        }
      }
      // the partition columns are in the path, not in the files: a line ends with the extra field
      const sample = readFileSync(path.join(out, committed[0]!), 'utf8').split('\n')[0]!;
      expect(sample).not.toMatch(/,\d{2}:\d{2}$/);
      expect(sample).not.toMatch(/,\d{4}-\d{2}-\d{2},/);
    });

    it('read back per partition, equals DuckDB', async () => {
      const src = new FilesystemSource({
        name: 'back', schema: Q10_SCHEMA, options: new Map([['connector', 'filesystem'], ['path', out], ['format', 'csv']]),
        optionSpans: new Map(), partitionedBy: ['dt', 'hm'], primaryKey: [],
      }, { clock: { now: () => 0 }, baseDir: '/' });
      const end = await src.latestOffset(undefined);
      const r = await src.read(undefined, end!);
      expect(r.rejected).toEqual([]);
      const rows = r.batches.flatMap((b) => batchToRows(b));
      const expected = await oracle.query(`SELECT auction, bidder, price, "dateTime", extra,
        strftime("dateTime", '%Y-%m-%d') AS dt, strftime("dateTime", '%H:%M') AS hm FROM bid`);
      expect(expected.length).toBe(4_600);
      const byPartition = (all: readonly Row[]): Map<string, Row[]> => {
        const m = new Map<string, Row[]>();
        for (const row of all) {
          const k = `${String(row.dt)} ${String(row.hm)}`;
          m.set(k, [...(m.get(k) ?? []), row]);
        }
        return m;
      };
      const got = byPartition(rows);
      const want = byPartition(expected);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, w] of want) expectSameRows(got.get(k)!, w, `partition ${k}`);
    });

    it('commits every partition with an empty _SUCCESS file (success-file policy, end of the bounded input)', () => {
      const dirs = [...new Set(listCommittedFiles(out).map((f) => path.posix.dirname(f)))];
      expect(dirs.length).toBeGreaterThan(0);
      for (const d of dirs) expect(readFileSync(path.join(out, d, '_SUCCESS'), 'utf8')).toBe('');
    });
  });
}

describeQ10('the benchmark\'s DDL', undefined);
describeQ10("'base-time' 23:59:57, across a day and a minute", '2026-11-23 23:59:57');
