/**
 * A directory read a part a batch (filesystem source, `source.max-bytes-per-trigger`): the same
 * results as one batch, in several batches; one file larger than a batch, read a part a batch, also
 * across a stop and restart in the middle of the file; and a copy of every column (text cells from bytes,
 * timestamps read from bytes, the sink writing a batch chunk by chunk) that gives back exactly the
 * rows written, through CSV and JSON.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { ManualClock } from '../../src/executor/streaming/clock.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weir-file-batches-'));
  dirs.push(d);
  return d;
};

const WORDS = ['plain', 'é', '日本語', '😀', 'x'.repeat(50), 'ü'.repeat(30), ''];
const COLUMNS = 'id BIGINT, k VARCHAR, s VARCHAR, ts TIMESTAMP(3)';

interface Row { id: number; k: string; s: string | null; ts: number | null }

/** 30 files of 20 rows: keys repeat across files, text of every width, some NULLs. */
function writeInput(dir: string, format: 'csv' | 'json'): Row[] {
  const rows: Row[] = [];
  fs.mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 30; f++) {
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = f * 20 + i;
      const row: Row = {
        id, k: `k${id % 7}`, s: id % 11 === 0 ? null : `${WORDS[id % WORDS.length]}${id}`,
        ts: id % 13 === 0 ? null : Date.UTC(2026, 11, 6, 0, 0, 0) + id * 1234,
      };
      rows.push(row);
      const tsText = row.ts === null ? null : new Date(row.ts).toISOString().replace('T', ' ').replace('Z', '');
      lines.push(format === 'csv' ? [row.id, row.k, row.s ?? '', tsText ?? ''].join(',')
        : JSON.stringify({ id: row.id, k: row.k, s: row.s, ts: tsText }));
    }
    fs.writeFileSync(path.join(dir, `part-${String(f).padStart(3, '0')}.${format}`), `${lines.join('\n')}\n`);
  }
  return rows;
}

/** Run `sql` to its end; the number of batches that read rows. */
async function run(engine: Engine, sql: string): Promise<number> {
  let batches = 0;
  engine.addListener((e) => { if (e.type === 'progress' && e.progress.numInputRows > 0) batches++; });
  const [q] = await engine.execute(sql);
  await q!.awaitTermination();
  return batches;
}

/** The files a copy wrote under `copy` read back as exactly `rows`, once each. */
async function expectCopied(copy: string, format: 'csv' | 'json', rows: readonly Row[]): Promise<void> {
  const back = new Engine({ clock: new ManualClock(0) });
  try {
    await run(back, `
      CREATE TABLE c (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${copy}', 'format' = '${format}');
      CREATE TABLE o (${COLUMNS}) WITH ('connector' = 'memory');
      INSERT INTO o SELECT * FROM c;`);
    // CSV writes NULL and '' alike (an empty cell), which it reads as NULL
    const expected = rows.map((r) => (format === 'csv' && r.s === '' ? { ...r, s: null } : r));
    expect([...back.output('o').rows()].sort((a, b) => Number(a['id']) - Number(b['id']))).toEqual(expected);
  } finally {
    await back.stop();
  }
}

describe.each(['csv', 'json'] as const)('a %s directory in batches of bytes', (format) => {
  it('gives the one-batch result in several batches', async () => {
    const dir = tmp();
    const rows = writeInput(path.join(dir, 'in'), format);
    const results: unknown[] = [];
    const batchCounts: number[] = [];
    for (const cap of [undefined, '4 kb']) {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        batchCounts.push(await run(engine, `
          CREATE TABLE t (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = '${format}'${cap ? `, 'source.max-bytes-per-trigger' = '${cap}'` : ''});
          CREATE TABLE o (k VARCHAR, n BIGINT, longest INT, latest TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
          INSERT INTO o SELECT k, COUNT(*), MAX(CHAR_LENGTH(s)), MAX(ts) FROM t GROUP BY k;`));
        results.push([...engine.output('o').rows()].sort((a, b) => String(a['k']).localeCompare(String(b['k']))));
      } finally {
        await engine.stop();
      }
    }
    // by default every file in one batch; under a 4 KB cap a batch takes files while their bytes are
    // below it (each file is smaller: none is read in parts)
    const sizes = fs.readdirSync(path.join(dir, 'in')).sort().map((f) => fs.statSync(path.join(dir, 'in', f)).size);
    expect(Math.max(...sizes)).toBeLessThan(4096);
    let capped = 0;
    for (let i = 0; i < sizes.length; capped++) for (let bytes = 0; i < sizes.length && bytes < 4096;) bytes += sizes[i++]!;
    expect(capped).toBeGreaterThan(5);
    expect(batchCounts).toEqual([1, capped]);
    expect(results[1]).toEqual(results[0]);
    const want = [...new Set(rows.map((r) => r.k))].sort().map((k) => {
      const of = rows.filter((r) => r.k === k);
      return {
        k, n: of.length,
        longest: Math.max(...of.flatMap((r) => (r.s === null ? [] : [[...r.s].length]))),
        latest: Math.max(...of.flatMap((r) => (r.ts === null ? [] : [r.ts]))),
      };
    });
    expect(results[0]).toEqual(want);
  });

  it('copies every column into files that read back as the rows written', async () => {
    const dir = tmp();
    const rows = writeInput(path.join(dir, 'in'), format);
    const engine = new Engine({ clock: new ManualClock(0) });
    try {
      const batches = await run(engine, `
        CREATE TABLE t (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}/in', 'format' = '${format}', 'source.max-bytes-per-trigger' = '8 kb');
        CREATE TABLE c (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}/copy', 'format' = '${format}');
        INSERT INTO c SELECT * FROM t;`);
      expect(batches).toBeGreaterThan(3);
      await expectCopied(`${dir}/copy`, format, rows);
    } finally {
      await engine.stop();
    }
  });
});

describe.each(['csv', 'json'] as const)('one %s file larger than a batch', (format) => {
  /** the 600 rows of writeInput in one file (CSV with a header line) */
  function oneFile(dir: string): { file: string; rows: Row[] } {
    const rows = writeInput(path.join(dir, 'parts'), format);
    const texts = fs.readdirSync(path.join(dir, 'parts')).sort().map((f) => fs.readFileSync(path.join(dir, 'parts', f), 'utf8'));
    const file = path.join(dir, `all.${format}`);
    fs.writeFileSync(file, (format === 'csv' ? 'ID,K,S,TS\n' : '') + texts.join(''));
    return { file, rows };
  }
  const table = (file: string, cap?: string): string => `CREATE TABLE t (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${file}', 'format' = '${format}'${format === 'csv' ? ", 'csv.header' = 'true'" : ''}${cap ? `, 'source.max-bytes-per-trigger' = '${cap}'` : ''});`;

  it('is read a part a batch, with the one-batch result', async () => {
    const dir = tmp();
    const { file, rows } = oneFile(dir);
    const results: unknown[] = [];
    const batchCounts: number[] = [];
    for (const cap of [undefined, '2 kb']) {
      const engine = new Engine({ clock: new ManualClock(0) });
      try {
        batchCounts.push(await run(engine, `${table(file, cap)}
          CREATE TABLE o (k VARCHAR, n BIGINT, ids BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'memory');
          INSERT INTO o SELECT k, COUNT(*), SUM(id) FROM t GROUP BY k;`));
        results.push([...engine.output('o').rows()].sort((a, b) => String(a['k']).localeCompare(String(b['k']))));
      } finally {
        await engine.stop();
      }
    }
    // parts of at most 2 KB of whole records
    expect(batchCounts[0]).toBe(1);
    expect(batchCounts[1]).toBeGreaterThanOrEqual(Math.ceil(fs.statSync(file).size / 2048));
    expect(results[1]).toEqual(results[0]);
    const want = [...new Set(rows.map((r) => r.k))].sort().map((k) => {
      const of = rows.filter((r) => r.k === k);
      return { k, n: of.length, ids: of.reduce((a, r) => a + r.id, 0) };
    });
    expect(results[0]).toEqual(want);
  });

  it('goes on from the middle of the file after a restart, each row copied once', async () => {
    const dir = tmp();
    const { file, rows } = oneFile(dir);
    const checkpointDir = path.join(dir, 'checkpoint');
    const copy = `${table(file, '1 kb')}
      CREATE TABLE c (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${dir}/copy', 'format' = '${format}');
      INSERT INTO c SELECT * FROM t;`;
    // the first run stops after its third batch, in the middle of the file
    const first = new Engine({ clock: new ManualClock(0), checkpointDir });
    let batches = 0;
    let stopping: Promise<void> | undefined;
    first.addListener((e) => { if (e.type === 'progress' && ++batches === 3) stopping = first.stop(); });
    const [q] = await first.execute(copy);
    await q!.awaitTermination();
    await stopping;
    expect(batches).toBeGreaterThanOrEqual(3);
    const offsets = fs.readdirSync(path.join(checkpointDir, fs.readdirSync(checkpointDir)[0]!, 'offsets'));
    expect(offsets.length).toBeLessThan(Math.ceil(fs.statSync(file).size / 1024));
    const second = new Engine({ clock: new ManualClock(0), checkpointDir });
    try {
      expect(await run(second, copy)).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
    await expectCopied(`${dir}/copy`, format, rows);
  });
});
