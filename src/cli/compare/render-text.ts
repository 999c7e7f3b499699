/**
 * The terminal view of a comparison: a header saying what was replayed and how, one line per window
 * side by side, and a summary. Columns are padded by hand: the table is plain text with no colours,
 * so a dependency would add nothing, and the output stays the same in a pipe or a log file.
 */
import { describeArrival, formatDelay, formatDuration, formatKeys, formatResult, formatWindow, oneDay } from './format.js';
import type { CompareReport } from './report.js';

/** More windows than this are left to --json / --report. */
export const MAX_TABLE_ROWS = 200;


type Align = 'left' | 'right';

function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((v, c) => (align[c] === 'right' ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w, c) => (header[c] ? '-'.repeat(w) : ''))), ...rows.map(line)];
}

export function renderText(r: CompareReport): string {
  const out: string[] = [];
  const day = oneDay(r);
  out.push(`weir compare ${r.file}: ${r.window}`);
  out.push(`  query:   ${r.query.replace(/\s+/g, ' ')}`);
  for (const s of r.sources) {
    out.push(`  input:   ${s.rows} rows of ${s.table}${s.rowtime ? ` (event time ${s.rowtime}: ${s.watermark})` : ''}`);
  }
  out.push(`  arrival: ${describeArrival(r)}; a batch every ${formatDuration(r.tickMs)} of processing time`);
  out.push('');

  const keyNames = Object.keys(r.windows[0]?.keys ?? {});
  const header = [
    `window (UTC${day ? `, ${day}` : ''})`,
    ...(keyNames.length > 0 ? [keyNames.join(', ')] : []),
    'event time', 'processing time', 'moved out', 'moved in', 'late', 'final after (event)', 'final after (proc)', '',
  ];
  const align: Align[] = ['left', ...(keyNames.length > 0 ? ['left' as const] : []), 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'];
  const rows = r.windows.slice(0, MAX_TABLE_ROWS).map((w) => [
    formatWindow(w, day === undefined),
    ...(keyNames.length > 0 ? [formatKeys(w.keys)] : []),
    formatResult(w.eventTime),
    formatResult(w.processingTime),
    String(w.rowsMovedOut),
    String(w.rowsMovedIn),
    String(w.lateRows),
    formatDelay(w.eventTimeDelayMs, w.eventTimeClosedBy),
    formatDelay(w.processingTimeDelayMs, w.processingTimeClosedBy),
    w.same ? '' : '*',
  ]);
  out.push(...table(header, rows, align));
  if (r.windows.length > MAX_TABLE_ROWS) out.push(`… ${r.windows.length - MAX_TABLE_ROWS} more windows (see --json or --report)`);
  out.push('');
  out.push('moved out/in: rows that arrival time put in another window / brought here from another one;');
  out.push('late: rows that came after the watermark had closed the window; final after: from the window\'s end');
  out.push('to its final result, in processing time; (end): closed only because the input ended (when it ended');
  out.push('before the window\'s end, no delay is counted); early: final before its end, as rows arrived ahead of event time.');
  out.push('');

  const s = r.summary;
  out.push(`${s.windows} windows: ${s.eventTimeWindows} with an event-time result, ${s.processingTimeWindows} with a processing-time result; ` +
    `${s.windowsDiffering} differ (*)`);
  out.push(`rows in another window by arrival than by event time: ${s.rowsMoved} of ${s.inputRows}`);
  out.push(`late rows dropped by the event-time run: ${s.lateRows}`);
  out.push(`results final after the window's end: event time median ${formatDelay(s.eventTimeDelayMs.median, 'watermark')}, ` +
    `max ${formatDelay(s.eventTimeDelayMs.max, 'watermark')}; processing time median ${formatDelay(s.processingTimeDelayMs.median, 'watermark')}, ` +
    `max ${formatDelay(s.processingTimeDelayMs.max, 'watermark')}`);
  if (s.rejectedRows > 0) out.push(`input records the connectors could not read (not replayed): ${s.rejectedRows}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}
