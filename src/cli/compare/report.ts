/**
 * What `weir compare` finds, as plain data: the same shape is printed as a table, written as JSON
 * (`--json`) and drawn in the HTML report (`--report`). Times are epoch milliseconds; a window
 * bound or a result the run did not produce is null.
 */

/** How rows were given arrival times. */
export type ArrivalModel =
  | { readonly kind: 'rate'; readonly rowsPerSecond: number; readonly defaulted: boolean }
  | { readonly kind: 'column'; readonly column: string };

/** One window of the query (its bounds and the grouping keys the query outputs), in both time domains. */
export interface WindowComparison {
  readonly windowStart: number | null;
  readonly windowEnd: number | null;
  /** the grouping keys the query outputs, by output column name */
  readonly keys: Readonly<Record<string, unknown>>;
  /** the query's other output columns for this window in each run; null when that run had no such window */
  readonly eventTime: Readonly<Record<string, unknown>> | null;
  readonly processingTime: Readonly<Record<string, unknown>> | null;
  /** true when both runs produced the window with equal values */
  readonly same: boolean;
  /** rows of this window by event time that arrival time put in another window */
  readonly rowsMovedOut: number;
  /** rows of another window by event time that arrival time put here */
  readonly rowsMovedIn: number;
  /** rows of this window by event time that came after the watermark had closed it, and were dropped */
  readonly lateRows: number;
  /** processing time at which each run emitted the window's final result */
  readonly eventTimeFinalAt: number | null;
  readonly processingTimeFinalAt: number | null;
  /** final-at minus window end: how long after its end the result was final, in processing time */
  readonly eventTimeDelayMs: number | null;
  readonly processingTimeDelayMs: number | null;
  /** what closed the window in the event-time run: its watermark, or the end of the input */
  readonly eventTimeClosedBy: 'watermark' | 'end-of-input' | null;
  /** the same for the processing-time run (its watermark follows the arrival time) */
  readonly processingTimeClosedBy: 'watermark' | 'end-of-input' | null;
}

export interface CompareSummary {
  readonly inputRows: number;
  /** input lines the connectors could not read (each kept aside by the connector, not replayed) */
  readonly rejectedRows: number;
  readonly windows: number;
  readonly eventTimeWindows: number;
  readonly processingTimeWindows: number;
  /** windows whose result differs between the runs (or exists in one only) */
  readonly windowsDiffering: number;
  /** input rows put in a different window by arrival time than by event time */
  readonly rowsMoved: number;
  /** rows the event-time run dropped as late (progress numRowsDroppedByWatermark, summed) */
  readonly lateRows: number;
  /** the same, counted by replaying the watermark rule row by row (equal unless something is off) */
  readonly lateRowsAttributed: number;
  /** over windows the watermark closed in the event-time run (end-of-input closes are left out) */
  readonly eventTimeDelayMs: { readonly median: number | null; readonly max: number | null };
  readonly processingTimeDelayMs: { readonly median: number | null; readonly max: number | null };
  /** event-time windows closed only because the input ended */
  readonly closedByEndOfInput: number;
}

export interface CompareReport {
  readonly file: string;
  /** the statement compared, as written */
  readonly query: string;
  readonly window: string;
  /** the tables replayed, with their rowtime column and WATERMARK clause */
  readonly sources: readonly { readonly table: string; readonly rowtime: string; readonly watermark: string; readonly rows: number }[];
  readonly arrival: ArrivalModel;
  readonly tickMs: number;
  /** processing time of the first tick (the first row's event time, or the earliest arrival) */
  readonly startMs: number;
  /** processing time when the inputs were ended */
  readonly endMs: number;
  /** names of the output columns shown as results, and the one charted */
  readonly valueColumns: readonly string[];
  readonly metric: string | null;
  readonly windows: readonly WindowComparison[];
  readonly summary: CompareSummary;
  readonly notes: readonly string[];
}
