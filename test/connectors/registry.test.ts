import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { rowsToBatch } from '../../src/common/columns.js';
import type { SourceSpan } from '../../src/common/errors.js';
import type { Schema } from '../../src/common/schema.js';
import { T } from '../../src/common/types.js';
import type { ConnectorTable } from '../../src/connectors/api.js';
import { createMemoryConnector } from '../../src/connectors/memory/index.js';
import { builtinConnectors, createSink, createSource, didYouMean } from '../../src/connectors/registry.js';
import { weirErrorOf as errorOf } from '../support/weir-error.js';

const schema: Schema = { columns: [{ name: 'id', type: T.INT, nullable: true }] };
const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function table(options: Record<string, string>): ConnectorTable {
  const spans = new Map<string, SourceSpan>(Object.keys(options).map((k, i) => [k, { line: 10 + i, column: 5, offset: 100 + i }]));
  return { name: 't', schema, options: new Map(Object.entries(options)), optionSpans: spans, partitionedBy: [], primaryKey: [] };
}
const ctx = { clock: { now: () => 0 }, baseDir: dir };
const { tables } = createMemoryConnector();
const connectors = builtinConnectors(tables);

describe('connector registry', () => {
  it('holds the built-in connectors', () => {
    expect([...connectors.keys()].sort()).toEqual(['blackhole', 'filesystem', 'jdbc', 'memory', 'nats', 'nexmark', 'print', 'redis']);
  });

  it('creates sources and sinks by the connector option, case-insensitively', async () => {
    const src = createSource(table({ connector: 'FileSystem', path: '.', format: 'json', 'json.ignore-parse-errors': 'true' }), ctx, connectors);
    expect(src.description).toBe(`filesystem[${dir}]`);
    let out = '';
    const sink = createSink(table({ connector: 'print' }), ctx, connectors, { write: (s: string) => (out += s) });
    await sink.open({ schema, mode: 'append', keyColumns: [], queryName: 'q' });
    await sink.write({ batchId: 0, data: [rowsToBatch(schema, [{ id: 5 }])], kinds: undefined });
    expect(out).toBe('+I[id=5]\n');
  });

  it('names the connectors when one is unknown, at the option', () => {
    const e = errorOf(() => createSource(table({ connector: 'filesytem' }), ctx, connectors));
    expect(e.code).toBe('OPTION');
    expect(e.message).toBe("unknown connector 'filesytem': expected one of 'blackhole', 'filesystem', 'jdbc', 'memory', 'nats', 'nexmark', 'print', 'redis' (did you mean 'filesystem'?)");
    expect(e.span?.line).toBe(10);
    expect(errorOf(() => createSource(table({}), ctx, connectors)).message).toMatch(/has no 'connector' option/);
  });

  it('refuses a sink-only connector as a source and a source-only one as a sink', () => {
    expect(errorOf(() => createSource(table({ connector: 'print' }), ctx, connectors)).message).toBe("table 't': connector 'print' cannot be used as a source");
    expect(errorOf(() => createSink(table({ connector: 'nexmark' }), ctx, connectors)).message).toBe("table 't': connector 'nexmark' cannot be used as a sink");
  });

  it('refuses unknown options with a suggestion, at the option', () => {
    const e = errorOf(() => createSource(table({ connector: 'filesystem', path: '.', format: 'json', 'source.monitor-intervall': '1 s' }), ctx, connectors));
    expect(e.message).toMatch(/^unknown option 'source.monitor-intervall' for connector 'filesystem' \(did you mean 'source.monitor-interval'\?\); expected one of 'connector', 'path', 'format'/);
    expect(e.span?.line).toBe(13);
    const csv = errorOf(() => createSink(table({ connector: 'filesystem', path: '.', format: 'csv', 'csv.field-delimitr': ';' }), ctx, connectors));
    expect(csv.message).toContain("(did you mean 'csv.field-delimiter'?)");
    const wrongFormat = errorOf(() => createSink(table({ connector: 'filesystem', path: '.', format: 'json', 'csv.header': 'true' }), ctx, connectors));
    expect(wrongFormat.message).toBe("option 'csv.header' applies to format 'csv', but table 't' has format 'json'");
    expect(errorOf(() => createSink(table({ connector: 'blackhole', format: 'json' }), ctx, connectors)).message)
      .toBe("unknown option 'format' for connector 'blackhole'; expected one of 'connector'");
    // a connector that lists 'connector' among its own options has it named once
    const nexmark = errorOf(() => createSource(table({ connector: 'nexmark', 'events-num': '10' }), ctx, connectors));
    expect(nexmark.message).toMatch(/did you mean 'events\.num'\?\); expected one of 'connector', 'events\.num', /);
    expect(nexmark.message.match(/'connector'/g)).toHaveLength(1);
  });

  it('suggests only close names', () => {
    expect(didYouMean('pth', ['path', 'format'])).toBe(" (did you mean 'path'?)");
    expect(didYouMean('something-else', ['path', 'format'])).toBe('');
  });
});
