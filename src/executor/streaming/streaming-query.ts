/**
 * A running continuous query: the handle users hold (CONTRACT.md "Embedding API"), and the loop that
 * drives its micro-batches according to the trigger.
 *
 * A query cannot be changed once started nor restarted once stopped. `stop()` lets the batch in
 * flight finish and commit, then closes sources and sink. A failure ends the query; its error is
 * `exception`, and `awaitTermination()` rejects with it.
 */
import { WeirError } from '../../common/errors.js';
import type { MicroBatchExecution } from './micro-batch-execution.js';
import { RetryAborted } from './connector-retry.js';
import type { Clock } from './clock.js';
import type { QueryEvent, QueryListener, QueryProgress, QueryStatus } from './progress.js';
import type { Trigger } from './trigger.js';

const RECENT_PROGRESS = 100;

export class StreamingQuery {
  private readonly listeners = new Set<QueryListener>();
  private readonly progressLog: QueryProgress[] = [];
  private stopRequested = false;
  private active = true;
  private error: Error | undefined;
  private readonly terminated: Promise<void>;
  private wake: AbortController = new AbortController();
  /** resolvers waiting for the loop to find nothing left to do */
  private idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private loopStarted = false;
  private inStep = false;
  private firstStepStarted = false;

  /** @internal queries are made by Engine.execute */
  constructor(
    readonly id: string,
    readonly runId: string,
    readonly name: string,
    private readonly execution: MicroBatchExecution,
    private readonly trigger: Trigger,
    private readonly clock: Clock,
    private readonly explainText: string,
    /** the engine's listeners (engine.addListener): they hear every query's events, `started` included */
    private readonly engineListeners: ReadonlySet<QueryListener> = new Set(),
  ) {
    this.terminated = new Promise<void>((resolve) => { this.resolveTerminated = resolve; });
    execution.retrier.onRetry = (retry) => this.emit({ type: 'retrying', id, runId, name, retry });
  }

  private resolveTerminated: () => void = () => {};

  /**
   * @internal
   * Start the loop (the engine calls this once the query is built). Starting it again is a user's
   * mistake (CONTRACT: a query cannot be restarted once stopped), refused with the way to resume.
   */
  start(): void {
    if (this.loopStarted) {
      const state = this.active ? 'is already running' : this.error ? 'has failed' : 'has stopped';
      throw new WeirError('PLAN', `query ${this.name} (id ${this.id}) ${state}: a query runs once and cannot be started again. `
        + 'To resume it, start a new query from the same SQL on the same checkpoint directory (engine.execute, or weir run with the same --checkpoint)');
    }
    this.loopStarted = true;
    this.emit({ type: 'started', id: this.id, runId: this.runId, name: this.name });
    void this.loop();
  }

  get isActive(): boolean {
    return this.active;
  }

  get exception(): Error | undefined {
    return this.error;
  }

  get lastProgress(): QueryProgress | undefined {
    return this.progressLog[this.progressLog.length - 1];
  }

  /** What the query is doing now (Spark's `query.status`): running a batch, waiting, or waiting for a server. */
  get status(): QueryStatus {
    const waitingFor = this.execution.retrier.waiting;
    if (!this.active) return { message: this.error ? `Failed: ${this.error.message}` : 'Stopped', isTriggerActive: false };
    if (waitingFor) {
      return {
        message: `Waiting for ${waitingFor.target} to come back (${waitingFor.operation}: ${waitingFor.lastError}; attempt ${waitingFor.attempt}, next in ${waitingFor.nextAttemptInMs} ms)`,
        isTriggerActive: true,
        waitingFor,
      };
    }
    return this.inStep ? { message: 'Processing new data', isTriggerActive: true } : { message: 'Waiting for data to arrive', isTriggerActive: false };
  }

  get recentProgress(): readonly QueryProgress[] {
    return this.progressLog.slice();
  }

  explain(): string {
    return this.explainText;
  }

  /**
   * Hear this query's events. The query starts inside `engine.execute`, before its caller can add a
   * listener; so a listener added before the first batch has run is told `started` at once.
   */
  addListener(l: QueryListener): void {
    if (this.listeners.has(l)) return;
    this.listeners.add(l);
    if (this.loopStarted && this.active && this.progressLog.length === 0 && !this.firstStepStarted) {
      try {
        l({ type: 'started', id: this.id, runId: this.runId, name: this.name });
      } catch {
        // a listener's failure must not stop the query
      }
    }
  }

  removeListener(l: QueryListener): void {
    this.listeners.delete(l);
  }

  /** Resolve once everything available now has been processed and committed. */
  processAllAvailable(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (!this.active) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.idleWaiters.push({ resolve, reject });
      this.wake.abort();
    });
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake.abort();
    this.execution.retrier.abort();
    await this.terminated;
  }

  /** Resolve true when the query has ended (rejects with its error if it failed); false on timeout. */
  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    const done = this.terminated.then(() => true);
    const result = timeoutMs === undefined
      ? await done
      : await Promise.race([done, new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref?.())]);
    if (this.error) throw this.error;
    return result;
  }

  private emit(e: QueryEvent): void {
    for (const l of [...this.engineListeners, ...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure must not stop the query
      }
    }
  }

  private async loop(): Promise<void> {
    try {
      await this.execution.start();
      let nextTriggerAt = this.clock.now();
      let batches = 0;
      while (!this.stopRequested) {
        // processAllAvailable() callers waiting before this step looks at the sources: a step
        // that began before a caller pushed and asked may not see its rows, so it answers only these
        const waiting = this.idleWaiters.length;
        const forced = waiting > 0;
        if (this.trigger.kind === 'processingTime' && !forced) {
          await this.clock.sleepUntil(nextTriggerAt, this.wake.signal);
          if (this.wake.signal.aborted) this.wake = new AbortController();
          if (this.stopRequested) break;
          if (this.clock.now() < nextTriggerAt && this.idleWaiters.length === 0) continue;
          const interval = this.trigger.intervalMs;
          nextTriggerAt = (Math.floor(this.clock.now() / interval) + 1) * interval;
        }
        this.inStep = true;
        this.firstStepStarted = true;
        const progress = await this.execution.step().finally(() => { this.inStep = false; });
        if (progress) {
          batches++;
          this.progressLog.push(progress);
          if (this.progressLog.length > RECENT_PROGRESS) this.progressLog.shift();
          this.emit({ type: 'progress', progress });
          if (this.trigger.kind === 'once' && batches >= 1 && !this.execution.allExhausted()) break;
          continue; // more may be there: ask again before waiting
        }
        // nothing to do now
        this.releaseIdleWaiters(waiting);
        if (this.execution.isFinished()) break;
        if (this.idleWaiters.length > 0) continue; // asked while the step looked: look again
        if (this.trigger.kind === 'once' || this.trigger.kind === 'availableNow') break;
        if (this.trigger.kind === 'asFastAsPossible') await this.idleWait();
      }
    } catch (e) {
      // stopped while waiting for a server: the batch in flight never committed, a restart re-runs it
      if (!(e instanceof RetryAborted && this.stopRequested)) this.error = e instanceof Error ? e : new Error(String(e));
    } finally {
      try {
        await this.execution.close();
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      }
      this.active = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) (this.error ? w.reject(this.error) : w.resolve());
      this.emit({ type: 'terminated', id: this.id, runId: this.runId, ...(this.error ? { exception: this.error } : {}) });
      this.resolveTerminated();
    }
  }

  /** Resolve the first `count` waiters (those registered before the step that found nothing began). */
  private releaseIdleWaiters(count: number): void {
    const waiters = this.idleWaiters.slice(0, count);
    this.idleWaiters = this.idleWaiters.slice(count);
    for (const w of waiters) w.resolve();
  }

  /** Wait a poll interval in real time, or until woken (new data pushed, stop, processAllAvailable). */
  private async idleWait(): Promise<void> {
    const signal = this.wake.signal;
    if (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.execution.idleWaitMs());
        function done(): void {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  /** @internal Wake an idle loop now (the memory source calls this when rows are pushed). */
  notifyNewData(): void {
    this.wake.abort();
  }
}
