/**
 * Where malformed input records go: never dropped in silence. Each batch's rejected records are
 * written as JSON lines (`{"batchId", "origin", "reason", "raw"}`) to `<dir>/batch-<N>.jsonl`, where
 * dir is the setting 'rejected-records.path', else `_rejected/` beside a filesystem sink's output,
 * else the query's checkpoint directory; with none of these they are kept in memory and reported on
 * stderr. Every rejected record is also counted in progress (`numRejectedRows`).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RejectedRecord } from '../connectors/api.js';
import type { RejectedRecordsWriter } from '../executor/streaming/micro-batch-execution.js';

const MAX_IN_MEMORY = 10_000;

export class RejectedRecords implements RejectedRecordsWriter {
  /** the most recent rejected records (all of them when no directory is configured, up to a cap) */
  readonly recent: (RejectedRecord & { batchId: number })[] = [];
  total = 0;

  constructor(readonly dir: string | undefined, private readonly queryName: string, private readonly stderr: NodeJS.WritableStream = process.stderr) {}

  get description(): string {
    return this.dir ?? 'memory';
  }

  async write(batchId: number, records: readonly RejectedRecord[]): Promise<void> {
    this.total += records.length;
    for (const r of records) {
      this.recent.push({ ...r, batchId });
      if (this.recent.length > MAX_IN_MEMORY) this.recent.shift();
    }
    if (this.dir) {
      await fs.mkdir(this.dir, { recursive: true });
      const file = path.join(this.dir, `batch-${String(batchId).padStart(8, '0')}.jsonl`);
      const tmp = path.join(this.dir, `.batch-${batchId}.tmp`);
      await fs.writeFile(tmp, records.map((r) => JSON.stringify({ batchId, ...r })).join('\n') + '\n');
      await fs.rename(tmp, file);
      this.stderr.write(`weir: ${this.queryName}: batch ${batchId}: ${records.length} malformed record(s) kept in ${file}\n`);
    } else {
      const first = records[0]!;
      this.stderr.write(`weir: ${this.queryName}: batch ${batchId}: ${records.length} malformed record(s) skipped and kept in memory; first: ${first.origin}: ${first.reason}\n`);
    }
  }
}
