/**
 * What `weir run` tells a person on stderr: the `--progress` line of each batch (on a terminal one
 * line redrawn in place, else a line a batch, as before), notes such as a server that is away, and
 * when the run ends a summary per query: batches, rows in, rows out and where, files written, and
 * the rejected records with where they were kept.
 */
import type { QueryEvent, QueryProgress } from '../executor/streaming/progress.js';
import { formatProgressLine } from './progress-line.js';
import { formatCount } from './format-count.js';

interface Totals {
  batches: number;
  rowsIn: number;
  rowsOut: number;
  files: number;
  rejected: number;
  sink: string;
  /** where rejected records went, each place once */
  rejectedAt: Set<string>;
}

interface Err {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class RunReport {
  private readonly totals = new Map<string, Totals>();
  /** a progress line is on the terminal without its newline */
  private lineOpen = false;
  private readonly tty: boolean;

  constructor(private readonly err: Err, private readonly progress: boolean, private readonly withNames: boolean, private readonly startedAt: number) {
    this.tty = err.isTTY === true;
  }

  /** A query's event: counted, and shown as a progress line when asked. */
  onEvent(ev: QueryEvent): void {
    if (ev.type !== 'progress') return;
    this.count(ev.progress);
    if (!this.progress) return;
    const line = formatProgressLine(ev.progress, this.withNames);
    if (!this.tty) {
      this.err.write(line + '\n');
      return;
    }
    // one line, redrawn: back to its start, clear it, write it cut to the terminal's width
    this.err.write(`\r\x1b[K${line.slice(0, Math.max(20, (this.err.columns ?? 200) - 1))}`);
    this.lineOpen = true;
  }

  /** A line that must stay (a warning): below the progress line, which is redrawn after it. */
  note(text: string): void {
    this.closeLine();
    if (text) this.err.write(text.endsWith('\n') ? text : text + '\n');
  }

  private closeLine(): void {
    if (this.lineOpen) this.err.write('\n');
    this.lineOpen = false;
  }

  private count(p: QueryProgress): void {
    let t = this.totals.get(p.name);
    if (!t) {
      t = { batches: 0, rowsIn: 0, rowsOut: 0, files: 0, rejected: 0, sink: p.sink.description, rejectedAt: new Set() };
      this.totals.set(p.name, t);
    }
    t.batches++;
    t.rowsIn += p.numInputRows;
    t.rowsOut += p.sink.numOutputRows;
    t.files += p.sink.numFilesWritten ?? 0;
    t.rejected += p.numRejectedRows;
    if (p.rejectedRecordsAt !== undefined) t.rejectedAt.add(p.rejectedRecordsAt);
  }

  /** The closing summary; `how` says how the run ended (finished, stopped, failed). */
  summary(how: string, now: number, queryNames: readonly string[]): string {
    this.closeLine();
    const lines = [`weir: ${how} after ${seconds(now - this.startedAt)}`];
    for (const name of queryNames) {
      const t = this.totals.get(name);
      if (!t) {
        lines.push(`  ${name}: no batch ran`);
        continue;
      }
      const files = t.files > 0 ? ` (${formatCount(t.files)} file${t.files === 1 ? '' : 's'})` : '';
      const rejected = t.rejected === 0 ? 'no rejected records'
        : `${formatCount(t.rejected)} rejected record${t.rejected === 1 ? '' : 's'} kept in ${[...t.rejectedAt].join(', ') || 'memory'}`;
      lines.push(`  ${name}: ${formatCount(t.batches)} batch${t.batches === 1 ? '' : 'es'}, ${formatCount(t.rowsIn)} rows in, ` +
        `${formatCount(t.rowsOut)} rows out to ${t.sink}${files}; ${rejected}`);
    }
    return lines.join('\n') + '\n';
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
