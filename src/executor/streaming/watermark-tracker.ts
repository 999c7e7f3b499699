/**
 * The query's event-time watermark (CONTRACT.md "Time, watermarks and output modes").
 *
 * Each watermarked source reports the largest WATERMARK FOR value it delivered; when a batch
 * finishes, the query's watermark becomes the minimum over sources of those values and never goes
 * back. A source that is bounded and exhausted no longer holds the minimum down; when every input is
 * exhausted the watermark is +infinity, so every window closes. The batch that follows uses it.
 *
 * Idleness (Flink's `source.idle-timeout`): a source with a timeout that has delivered no rows for
 * that long (processing time, the engine's clock) is idle and leaves the minimum, so one quiet input
 * does not stop every window from closing. It is active again as soon as it delivers rows; those
 * behind the watermark are late as usual, since the watermark never goes back. When every
 * watermarked source is idle the watermark stays where it is (nothing says time moved on).
 */
export interface WatermarkState {
  readonly watermark: number;
  /** per watermarked source: the largest watermark candidate seen (-Infinity before any row) */
  readonly perSource: readonly number[];
  /** per source: the largest event time seen (-Infinity before any row); absent in old checkpoints */
  readonly maxEventTime?: readonly number[];
}

/** One input's event-time figures, for progress. */
export interface SourceWatermark {
  readonly maxEventTime: number;
  readonly watermark: number;
  readonly idle: boolean;
}

export class WatermarkTracker {
  private watermark = -Infinity;
  private readonly perSource: number[];
  private readonly maxEventTime: number[];
  private readonly exhausted: boolean[];
  /** processing time each source last delivered rows (or the query started) */
  private readonly lastActiveAt: number[];
  private readonly idle: boolean[];
  /** event-time statistics of the batch in progress, for progress reports */
  private batchMin = Infinity;
  private batchMax = -Infinity;
  private batchSum = 0;
  private batchCount = 0;

  /**
   * `watermarked[i]` says whether source i declares a watermark; `idleTimeoutMs[i]` (0 or absent:
   * never idle) is its idle timeout; `startedAt` is when idleness starts being counted.
   */
  constructor(
    private readonly watermarked: readonly boolean[],
    private readonly idleTimeoutMs: readonly (number | undefined)[] = [],
    startedAt = 0,
  ) {
    this.perSource = watermarked.map(() => -Infinity);
    this.maxEventTime = watermarked.map(() => -Infinity);
    this.exhausted = watermarked.map(() => false);
    this.lastActiveAt = watermarked.map(() => startedAt);
    this.idle = watermarked.map(() => false);
  }

  get hasWatermark(): boolean {
    return this.watermarked.some((w) => w);
  }

  current(): number {
    return this.watermark;
  }

  /** `sum`/`count`: of the non-null event times of the rows observed, for the batch's average. */
  observe(sourceIndex: number, candidate: number, minEventTime: number, maxEventTime: number, sum = 0, count = 0): void {
    if (candidate > this.perSource[sourceIndex]!) this.perSource[sourceIndex] = candidate;
    if (maxEventTime > this.maxEventTime[sourceIndex]!) this.maxEventTime[sourceIndex] = maxEventTime;
    if (minEventTime < this.batchMin) this.batchMin = minEventTime;
    if (maxEventTime > this.batchMax) this.batchMax = maxEventTime;
    this.batchSum += sum;
    this.batchCount += count;
  }

  /** Source i delivered rows at processing time `now`: it is active (again). */
  markActive(sourceIndex: number, now: number): void {
    this.lastActiveAt[sourceIndex] = now;
    this.idle[sourceIndex] = false;
  }

  markExhausted(sourceIndex: number): void {
    this.exhausted[sourceIndex] = true;
  }

  /** Event-time min/max (and average, when observed) of the batch just run, then reset for the next one. */
  takeBatchEventTime(): { min: number; max: number; avg?: number } | undefined {
    const r = this.batchMin <= this.batchMax
      ? { min: this.batchMin, max: this.batchMax, ...(this.batchCount > 0 ? { avg: Math.round(this.batchSum / this.batchCount) } : {}) }
      : undefined;
    this.batchMin = Infinity;
    this.batchMax = -Infinity;
    this.batchSum = 0;
    this.batchCount = 0;
    return r;
  }

  /**
   * Advance after a finished batch (or while waiting, so an input going idle can close windows):
   * min over live, active watermarked sources; never backwards. `now` is the processing time that
   * decides idleness (without it, idleness is left as it was).
   */
  advance(now?: number): number {
    if (now !== undefined) this.updateIdle(now);
    const held = this.holdingSource();
    const allExhausted = this.exhausted.length > 0 && this.exhausted.every((e) => e);
    const next = allExhausted ? Infinity : held !== undefined ? this.perSource[held]! : this.watermark;
    if (next > this.watermark) this.watermark = next;
    return this.watermark;
  }

  private updateIdle(now: number): void {
    for (let i = 0; i < this.watermarked.length; i++) {
      const t = this.idleTimeoutMs[i];
      this.idle[i] = t !== undefined && t > 0 && now - this.lastActiveAt[i]! >= t;
    }
  }

  /**
   * The source whose watermark is the minimum over the live, active watermarked sources: the one
   * holding the query's watermark back (undefined when none counts).
   */
  holdingSource(): number | undefined {
    let at: number | undefined;
    for (let i = 0; i < this.watermarked.length; i++) {
      if (!this.watermarked[i] || this.exhausted[i] || this.idle[i]) continue;
      if (at === undefined || this.perSource[i]! < this.perSource[at]!) at = i;
    }
    return at;
  }

  /** Each source's figures, for progress. */
  sources(): SourceWatermark[] {
    return this.watermarked.map((_, i) => ({ maxEventTime: this.maxEventTime[i]!, watermark: this.perSource[i]!, idle: this.idle[i]! }));
  }

  snapshot(): WatermarkState {
    return { watermark: this.watermark, perSource: this.perSource.slice(), maxEventTime: this.maxEventTime.slice() };
  }

  /**
   * Restore what a commit recorded. Idleness is not restored: after a restart every input counts as
   * active until it has been quiet for its timeout again (as Flink does), so an input's backlog is
   * not made late by the time the query was down.
   */
  restore(s: WatermarkState): void {
    this.watermark = s.watermark;
    for (let i = 0; i < this.perSource.length && i < s.perSource.length; i++) this.perSource[i] = s.perSource[i]!;
    const maxes = s.maxEventTime ?? [];
    for (let i = 0; i < this.maxEventTime.length; i++) this.maxEventTime[i] = maxes[i] ?? -Infinity;
  }
}
