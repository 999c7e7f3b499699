/**
 * The query's event-time watermark (CONTRACT.md "Time, watermarks and output modes").
 *
 * Each watermarked source reports the largest WATERMARK FOR value it delivered; when a batch
 * finishes, the query's watermark becomes the minimum over sources of those values and never goes
 * back. A source that is bounded and exhausted no longer holds the minimum down; when every input is
 * exhausted the watermark is +infinity, so every window closes. The batch that follows uses it.
 */
export interface WatermarkState {
  readonly watermark: number;
  /** per watermarked source: the largest watermark candidate seen (-Infinity before any row) */
  readonly perSource: readonly number[];
}

export class WatermarkTracker {
  private watermark = -Infinity;
  private readonly perSource: number[];
  private readonly exhausted: boolean[];
  /** event-time statistics of the batch in progress, for progress reports */
  private batchMin = Infinity;
  private batchMax = -Infinity;
  private batchSum = 0;
  private batchCount = 0;

  /** `watermarked[i]` says whether source i declares a watermark. */
  constructor(private readonly watermarked: readonly boolean[]) {
    this.perSource = watermarked.map(() => -Infinity);
    this.exhausted = watermarked.map(() => false);
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
    if (minEventTime < this.batchMin) this.batchMin = minEventTime;
    if (maxEventTime > this.batchMax) this.batchMax = maxEventTime;
    this.batchSum += sum;
    this.batchCount += count;
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

  /** Advance after a finished batch: min over live watermarked sources; never backwards. */
  advance(): number {
    let min = Infinity;
    let any = false;
    for (let i = 0; i < this.watermarked.length; i++) {
      if (!this.watermarked[i]) continue;
      if (this.exhausted[i]) continue;
      any = true;
      if (this.perSource[i]! < min) min = this.perSource[i]!;
    }
    const allExhausted = this.exhausted.length > 0 && this.exhausted.every((e) => e);
    const next = allExhausted ? Infinity : any ? min : this.watermark;
    if (next > this.watermark) this.watermark = next;
    return this.watermark;
  }

  snapshot(): WatermarkState {
    return { watermark: this.watermark, perSource: this.perSource.slice() };
  }

  restore(s: WatermarkState): void {
    this.watermark = s.watermark;
    for (let i = 0; i < this.perSource.length && i < s.perSource.length; i++) this.perSource[i] = s.perSource[i]!;
  }
}
