import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { parseScript, parseStatement } from '../../src/parser/parse.js';
import { col, noSpans } from './helpers.js';

const stmt = (sql: string) => noSpans(parseStatement(sql)) as Record<string, unknown>;

function columnType(sqlType: string): unknown {
  const s = parseStatement(`CREATE TABLE t (c ${sqlType})`);
  if (s.kind !== 'createTable' || s.elements[0]?.kind !== 'physicalColumn') throw new Error('expected a column');
  return s.elements[0].type;
}

describe('CREATE TABLE', () => {
  it('reads columns, computed columns, watermarks, keys, partitions and options', () => {
    const s = stmt(`CREATE TEMPORARY TABLE IF NOT EXISTS db.t (
      id BIGINT NOT NULL,
      name VARCHAR,
      ts AS TO_TIMESTAMP(name),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
      PRIMARY KEY (id, name) NOT ENFORCED
    ) PARTITIONED BY (name) WITH ('connector' = 'filesystem', 'path' = '/tmp/x')`);
    expect(s).toMatchObject({
      kind: 'createTable',
      name: [{ value: 'db' }, { value: 't' }],
      temporary: true,
      ifNotExists: true,
      partitionedBy: [{ value: 'name', quoted: false }],
      options: [{ key: 'connector', value: 'filesystem' }, { key: 'path', value: '/tmp/x' }],
    });
    expect(s.elements).toEqual([
      { kind: 'physicalColumn', name: { value: 'id', quoted: false }, type: { kind: 'BIGINT' }, notNull: true },
      { kind: 'physicalColumn', name: { value: 'name', quoted: false }, type: { kind: 'VARCHAR' }, notNull: false },
      { kind: 'computedColumn', name: { value: 'ts', quoted: false }, expr: expect.objectContaining({ kind: 'call' }) },
      { kind: 'watermark', column: { value: 'ts', quoted: false }, expr: expect.objectContaining({ kind: 'binary', op: '-' }) },
      { kind: 'primaryKey', columns: [{ value: 'id', quoted: false }, { value: 'name', quoted: false }] },
    ]);
  });

  it('accepts the legacy dotted option keys, unquoted keys and an inline primary key', () => {
    const s = stmt("CREATE TABLE s (key BIGINT PRIMARY KEY NOT ENFORCED, `value` VARCHAR) WITH ('connector.type' = 'filesystem', format.type = csv)");
    expect(s.options).toEqual([{ key: 'connector.type', value: 'filesystem' }, { key: 'format.type', value: 'csv' }]);
    expect(s.elements).toEqual([
      { kind: 'physicalColumn', name: { value: 'key', quoted: false }, type: { kind: 'BIGINT' }, notNull: true },
      { kind: 'primaryKey', columns: [{ value: 'key', quoted: false }] },
      { kind: 'physicalColumn', name: { value: 'value', quoted: true }, type: { kind: 'VARCHAR' }, notNull: false },
    ]);
  });

  it('lets keyword-like words name columns', () => {
    const words = ['value', 'name', 'state', 'date', 'time', 'timestamp', 'window_start', 'count', 'extra', 'url', 'channel',
      'category', 'description', 'language', 'system', 'data', 'size', 'step', 'type', 'key', 'comment', 'first', 'last'];
    const s = parseStatement(`CREATE TABLE t (${words.map((w) => `${w} INT`).join(', ')})`);
    if (s.kind !== 'createTable') throw new Error('expected CREATE TABLE');
    expect(s.elements.map((e) => (e.kind === 'physicalColumn' ? e.name.value : '?'))).toEqual(words);
  });

  it('maps every type name', () => {
    expect(columnType('BOOLEAN')).toEqual({ kind: 'BOOLEAN' });
    expect(columnType('TINYINT')).toEqual({ kind: 'TINYINT' });
    expect(columnType('SMALLINT')).toEqual({ kind: 'SMALLINT' });
    expect(columnType('int')).toEqual({ kind: 'INT' });
    expect(columnType('INTEGER')).toEqual({ kind: 'INT' });
    expect(columnType('REAL')).toEqual({ kind: 'FLOAT' });
    expect(columnType('DOUBLE PRECISION')).toEqual({ kind: 'DOUBLE' });
    expect(columnType('DECIMAL')).toEqual({ kind: 'DECIMAL', precision: 10, scale: 0 });
    expect(columnType('NUMERIC(5)')).toEqual({ kind: 'DECIMAL', precision: 5, scale: 0 });
    expect(columnType('DEC(23, 3)')).toEqual({ kind: 'DECIMAL', precision: 23, scale: 3 });
    expect(columnType('VARCHAR(20)')).toEqual({ kind: 'VARCHAR' });
    expect(columnType('CHAR(2)')).toEqual({ kind: 'VARCHAR' });
    expect(columnType('STRING')).toEqual({ kind: 'VARCHAR' });
    expect(columnType('DATE')).toEqual({ kind: 'DATE' });
    expect(columnType('TIMESTAMP')).toEqual({ kind: 'TIMESTAMP', precision: 6, ltz: false });
    expect(columnType('TIMESTAMP(3)')).toEqual({ kind: 'TIMESTAMP', precision: 3, ltz: false });
    expect(columnType('TIMESTAMP(3) WITHOUT TIME ZONE')).toEqual({ kind: 'TIMESTAMP', precision: 3, ltz: false });
    expect(columnType('TIMESTAMP(3) WITH LOCAL TIME ZONE')).toEqual({ kind: 'TIMESTAMP', precision: 3, ltz: true });
    expect(columnType('TIMESTAMP_LTZ(3)')).toEqual({ kind: 'TIMESTAMP', precision: 3, ltz: true });
    expect(columnType('TIMESTAMP_LTZ')).toEqual({ kind: 'TIMESTAMP', precision: 6, ltz: true });
    expect(columnType('INTERVAL DAY TO SECOND(3)')).toEqual({ kind: 'INTERVAL' });
    expect(columnType('ROW<a INT, `from` STRING NOT NULL, state ROW(x BIGINT)>')).toEqual({
      kind: 'ROW',
      fields: [
        { name: 'a', type: { kind: 'INT' } },
        { name: 'from', type: { kind: 'VARCHAR' } },
        { name: 'state', type: { kind: 'ROW', fields: [{ name: 'x', type: { kind: 'BIGINT' } }] } },
      ],
    });
  });

  it('refuses BYTES, BINARY and TIME as unsupported, at the type', () => {
    for (const t of ['BYTES', 'BINARY', 'TIME']) {
      try {
        parseStatement(`CREATE TABLE t (\n  c ${t})`);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(WeirError);
        expect((e as WeirError).code).toBe('UNSUPPORTED');
        expect((e as WeirError).message).toBe(`type ${t.replace(/<.*/, '')} is not supported yet`);
        expect((e as WeirError).span).toMatchObject({ line: 2, column: 5 });
      }
    }
  });
});

describe('other statements', () => {
  it('reads CREATE VIEW with columns', () => {
    expect(stmt('CREATE TEMPORARY VIEW v (a, b) AS SELECT x, y FROM t')).toMatchObject({
      kind: 'createView', name: [{ value: 'v' }], temporary: true, ifNotExists: false, columns: [{ value: 'a' }, { value: 'b' }], query: { kind: 'select' },
    });
  });

  it('reads CREATE FUNCTION in its forms', () => {
    expect(stmt("CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'")).toEqual({
      kind: 'createFunction', name: [{ value: 'count_char', quoted: false }], temporary: false, ifNotExists: false,
      path: 'com.github.nexmark.flink.udf.CountChar', pathSpan: { line: 1, column: 31, offset: 30, length: 40 }, language: undefined,
    });
    expect(stmt("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS './f.js' LANGUAGE javascript")).toMatchObject({
      temporary: true, ifNotExists: true, path: './f.js', language: 'JAVASCRIPT',
    });
  });

  it('reads INSERT INTO and INSERT OVERWRITE with a column list', () => {
    expect(stmt('INSERT INTO s (a, b) SELECT x, y FROM t')).toMatchObject({
      kind: 'insert', target: [{ value: 's' }], overwrite: false, columns: [{ value: 'a' }, { value: 'b' }], query: { kind: 'select' },
    });
    expect(stmt('INSERT OVERWRITE s (SELECT 1)')).toMatchObject({ kind: 'insert', overwrite: true, columns: [], query: { kind: 'select' } });
  });

  it('reads SET in its forms', () => {
    expect(stmt("SET 'table.local-time-zone' = 'UTC'")).toEqual({ kind: 'set', key: 'table.local-time-zone', value: 'UTC' });
    expect(stmt('SET table.exec.mini-batch.enabled = true')).toEqual({ kind: 'set', key: 'table.exec.mini-batch.enabled', value: 'true' });
    expect(stmt('SET')).toEqual({ kind: 'set', key: undefined, value: undefined });
  });

  it('reads EXPLAIN [PLAN FOR] and DROP', () => {
    expect(stmt('EXPLAIN PLAN FOR SELECT a FROM t')).toMatchObject({ kind: 'explain', statement: { kind: 'query' } });
    expect(stmt('EXPLAIN INSERT INTO s SELECT a FROM t')).toMatchObject({ kind: 'explain', statement: { kind: 'insert' } });
    expect(stmt('DROP TABLE IF EXISTS db.t')).toEqual({ kind: 'drop', objectKind: 'table', name: [{ value: 'db', quoted: false }, { value: 't', quoted: false }], ifExists: true, temporary: false });
    expect(stmt('DROP TEMPORARY VIEW v')).toMatchObject({ kind: 'drop', objectKind: 'view', temporary: true, ifExists: false });
    expect(stmt('DROP FUNCTION f')).toMatchObject({ kind: 'drop', objectKind: 'function' });
  });
});

describe('scripts', () => {
  it('splits at semicolons, ignoring those in strings and comments, and allows a last statement without one', () => {
    const script = parseScript("SET 'a;b' = 'c'; -- x; y\n;; /* ; */ SELECT 1");
    expect(script.statements.map((s) => s.kind)).toEqual(['set', 'query']);
    expect(script.statements[1]!.span).toMatchObject({ line: 2, column: 12 });
  });

  it('gives statements spans covering their text', () => {
    const text = 'SELECT a FROM t;\n  DROP VIEW v;';
    const [a, b] = parseScript(text).statements;
    expect(text.slice(a!.span.offset, a!.span.offset + a!.span.length!)).toBe('SELECT a FROM t');
    expect(text.slice(b!.span.offset, b!.span.offset + b!.span.length!)).toBe('DROP VIEW v');
  });

  it('parseStatement refuses two statements', () => {
    expect(() => parseStatement('SELECT 1; SELECT 2')).toThrow('expected one statement but found 2');
  });

  it('reads a column named like a keyword in expressions', () => {
    expect(noSpans(parseStatement('SELECT `value`, state FROM t'))).toMatchObject({
      query: { items: [{ expr: { path: [{ value: 'value', quoted: true }] } }, { expr: col('state') }] },
    });
  });
});
