import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SourceSpan } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import type { ConnectorContext, ConnectorTable } from '../../../src/connectors/api.js';

const created: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'weir-fs-'));
  created.push(d);
  return d;
}
/** Remove the temp directories this test file made (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A table as the engine would hand it over; each option gets a distinct span (line = its position). */
export function table(schema: Schema, options: Record<string, string>, partitionedBy: string[] = []): ConnectorTable {
  const keys = Object.keys(options);
  const spans = new Map<string, SourceSpan>(keys.map((k, i) => [k, { line: i + 2, column: 3, offset: 10 * i }]));
  return { name: 't', schema, options: new Map(Object.entries(options)), optionSpans: spans, partitionedBy, primaryKey: [] };
}

export const ctx = (baseDir: string): ConnectorContext => ({ clock: { now: () => 0 }, baseDir });

/** Write files (relative path → content), creating directories. */
export function files(dir: string, contents: Record<string, string>): void {
  for (const [rel, text] of Object.entries(contents)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}
