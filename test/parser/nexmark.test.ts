/**
 * Every Flink SQL file of the Nexmark benchmark parses unchanged (placeholders filled in as the
 * benchmark's runner does), and a few of their statements have the shape the later layers rely on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/parser/parse.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'nexmark');

const PLACEHOLDERS: Record<string, string> = {
  TPS: '10000',
  EVENTS_NUM: '1000',
  PERSON_PROPORTION: '1',
  AUCTION_PROPORTION: '3',
  BID_PROPORTION: '46',
  NEXMARK_TABLE: 'datagen',
  BOOTSTRAP_SERVERS: 'localhost:9092',
  NEXMARK_DIR: '/tmp/nexmark',
  SUBMIT_TIME: '20260101',
  FLINK_HOME: '/opt/flink',
};

function load(name: string): string {
  const raw = readFileSync(join(DIR, name), 'utf8');
  return raw.replace(/\$\{([A-Z_]+)\}/g, (_, key: string) => {
    const v = PLACEHOLDERS[key];
    if (v === undefined) throw new Error(`no value for placeholder ${key} in ${name}`);
    return v;
  });
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.sql')).sort();

describe('Nexmark Flink SQL', () => {
  it('has the benchmark files', () => {
    for (const f of ['ddl_gen.sql', 'ddl_views.sql', 'ddl_kafka.sql', ...Array.from({ length: 23 }, (_, i) => `q${i}.sql`)]) {
      expect(files).toContain(f);
    }
  });

  it.each(files)('parses %s', (name) => {
    const script = parseScript(load(name), name);
    expect(script.statements.length).toBeGreaterThan(0);
  });

  it('reads the datagen table of ddl_gen.sql', () => {
    const [stmt] = parseScript(load('ddl_gen.sql')).statements;
    if (stmt?.kind !== 'createTable') throw new Error('expected CREATE TABLE');
    expect(stmt.elements.map((e) => e.kind)).toEqual(['physicalColumn', 'physicalColumn', 'physicalColumn', 'physicalColumn', 'computedColumn', 'watermark']);
    const bid = stmt.elements[3];
    if (bid?.kind !== 'physicalColumn' || bid.type.kind !== 'ROW') throw new Error('expected the bid ROW column');
    expect(bid.type.fields.map((f) => f.name)).toEqual(['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra']);
    expect(bid.type.fields[5]?.type).toEqual({ kind: 'TIMESTAMP', precision: 3, ltz: false });
    const wm = stmt.elements[5];
    if (wm?.kind !== 'watermark') throw new Error('expected a watermark');
    expect(wm.column).toMatchObject({ value: 'dateTime', quoted: true });
    expect(wm.expr).toMatchObject({ kind: 'binary', op: '-', right: { kind: 'interval', value: '4', unit: 'SECOND' } });
    expect(stmt.options).toContainEqual(expect.objectContaining({ key: 'events.num', value: '1000' }));
  });

  it('reads the HOP table function of q5 and the lookup join of q13', () => {
    const q5 = parseScript(load('q5.sql')).statements[1];
    expect(JSON.stringify(q5)).toContain('"kind":"tableFunction"');
    const q13 = parseScript(load('q13.sql')).statements;
    expect(q13[0]).toMatchObject({ kind: 'createTable', options: [{ key: 'connector.type', value: 'filesystem' }, {}, {}] });
    const insert = q13[2];
    if (insert?.kind !== 'insert' || insert.query.kind !== 'select') throw new Error('expected INSERT ... SELECT');
    expect(insert.query.from).toMatchObject({ kind: 'join', joinType: 'INNER', right: { kind: 'table', alias: { value: 'S' }, forSystemTime: { kind: 'column' } } });
  });
});
