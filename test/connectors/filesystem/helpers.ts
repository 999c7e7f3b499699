import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SourceSpan } from '../../../src/common/errors.js';
import type { Schema } from '../../../src/common/schema.js';
import { expect } from 'vitest';
import { batchToRows } from '../../../src/common/columns.js';
import type { ConnectorContext, ConnectorTable, Json, RejectedRecord } from '../../../src/connectors/api.js';
import type { FilesystemSource } from '../../../src/connectors/filesystem/index.js';

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

/** What readEveryBatch read: every row, every rejected record, the offset after each batch. */
export interface EveryBatch { rows: Record<string, unknown>[]; rejected: RejectedRecord[]; offsets: Json[] }

/**
 * Every batch a source plans, each read by a fresh source from its two offsets (as a restarted query
 * re-runs it); the planner must be exhausted after the last. `open` makes a source of the table.
 */
export async function readEveryBatch(open: () => FilesystemSource): Promise<EveryBatch> {
  const planner = open();
  const out: EveryBatch = { rows: [], rejected: [], offsets: [] };
  let start: Json | undefined;
  for (;;) {
    const end = await planner.latestOffset(start);
    if (end === start || end === undefined) break;
    const r = await open().read(start, end);
    out.rows.push(...r.batches.flatMap((b) => batchToRows(b)));
    out.rejected.push(...r.rejected);
    out.offsets.push(end);
    start = end;
  }
  expect(planner.isExhausted(start)).toBe(true);
  return out;
}
