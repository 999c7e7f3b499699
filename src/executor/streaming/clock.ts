/**
 * The engine's one source of processing time (DESIGN.md "Time"). Nothing else reads Date.now():
 * PROCTIME(), batch timestamps and interval triggers all come from a Clock, so a ManualClock makes
 * them deterministic in tests and in `weir compare`.
 */
export interface Clock {
  now(): number;
  /**
   * Resolve once the clock reads at least `untilMs`, or when `signal` aborts (then resolve early).
   * A ManualClock resolves only when advanced; a SystemClock uses a timer.
   */
  sleepUntil(untilMs: number, signal?: AbortSignal): Promise<void>;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleepUntil(untilMs: number, signal?: AbortSignal): Promise<void> {
    const wait = untilMs - Date.now();
    if (wait <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** A clock that moves only when told: `advance(ms)`, `set(ms)`. */
export class ManualClock implements Clock {
  private ms: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.set(this.ms + ms);
  }

  set(ms: number): void {
    if (ms < this.ms) throw new RangeError(`ManualClock cannot go back from ${this.ms} to ${ms}`);
    this.ms = ms;
    const due = this.sleepers.filter((s) => s.until <= ms);
    this.sleepers = this.sleepers.filter((s) => s.until > ms);
    for (const s of due) s.resolve();
  }

  sleepUntil(untilMs: number, signal?: AbortSignal): Promise<void> {
    if (untilMs <= this.ms || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { until: untilMs, resolve: (): void => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        resolve();
      };
      this.sleepers.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
