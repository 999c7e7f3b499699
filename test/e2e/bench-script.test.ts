/**
 * The benchmark's scripts (bench/run.js benchScript): each query file with only its sink rewritten to
 * the blackhole connector, so the bench runs the benchmark's own text; q13's side input keeps its
 * options and q10's partitioned filesystem table becomes a blackhole too.
 */
import { describe, expect, it } from 'vitest';
import { SUITE_QUERIES } from '../../bench/nexmark-duckdb.js';
import { benchScript } from '../../bench/run.js';
import { parseScript } from '../../src/parser/parse.js';

const fill = (sql: string): string => sql.replace(/\$\{(\w+)\}/g, (_, k: string) => (k === 'NEXMARK_TABLE' ? 'datagen' : '1'));

describe('bench scripts', () => {
  it.each([...SUITE_QUERIES, 'hop', 'over', 'semi', 'anti', 'wtopn'])('%s: the INSERT target is the one blackhole table', (q) => {
    const { ddl, insert } = benchScript(q);
    const statements = parseScript(fill(`${ddl}\n${insert}`)).statements;
    const last = statements[statements.length - 1]!;
    if (last.kind !== 'insert') throw new Error(`${q}: the script does not end with its INSERT`);
    const tables = statements.flatMap((s) => (s.kind === 'createTable' ? [s] : []));
    const options = (t: (typeof tables)[number]): Record<string, string> => Object.fromEntries(t.options.map((o) => [o.key, o.value]));
    const name = (n: readonly { value: string }[]): string => n.map((i) => i.value.toLowerCase()).join('.');
    const sinks = tables.filter((t) => options(t).connector === 'blackhole');
    expect(sinks).toHaveLength(1);
    expect(name(sinks[0]!.name)).toBe(name(last.target));
    expect(options(sinks[0]!)).toEqual({ connector: 'blackhole' });
    expect(tables.filter((t) => options(t).connector === 'nexmark')).toHaveLength(1);
    if (q === 'q13') expect(options(tables.find((t) => name(t.name) === 'side_input')!)).toMatchObject({ 'connector.type': 'filesystem' });
  });
});
