/**
 * Retrying a connector call while its server is away.
 *
 * A broker or database restart must not end a query that would run again a minute later, and must
 * not lose or double anything: so a source or sink call that throws ConnectorUnavailableError is
 * made again, with the same arguments, after a backoff that doubles from `initialBackoffMs` up to
 * `maxBackoffMs`, until it succeeds or `timeoutMs` has passed since the first failure; then the query
 * fails with an error that says which server, for how long, and the last reason. Repeating a call is
 * safe because of the micro-batch protocol: a source's read of (start, end] gives the same rows every
 * time, and a sink's write of batch N is idempotent (it is replayed after a crash anyway).
 *
 * Any other error is not retried: a bad option, a missing table or a type error will not heal.
 */
import { WeirError } from '../../common/errors.js';
import { ConnectorUnavailableError } from '../../connectors/api.js';

export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** how long after the first failure to keep trying */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialBackoffMs: 100, maxBackoffMs: 5_000, timeoutMs: 60_000 };

/** The settings that configure it (`SET 'connector.retry.timeout' = '2 min'`). */
export const RETRY_SETTINGS = {
  timeout: 'connector.retry.timeout',
  initialBackoff: 'connector.retry.initial-backoff',
  maxBackoff: 'connector.retry.max-backoff',
} as const;

/** A wait for a server, as the query's status and listeners see it. */
export interface ConnectorRetry {
  /** the connector and its server, e.g. `nats[127.0.0.1:4222]` */
  readonly target: string;
  /** what the query was doing: `latestOffset`, `read`, `write`, `open`, `commit` */
  readonly operation: string;
  /** failed attempts so far */
  readonly attempt: number;
  readonly lastError: string;
  /** epoch ms of the first failure */
  readonly since: number;
  /** the wait before the next attempt */
  readonly nextAttemptInMs: number;
}

/** What a batch's progress reports of the waits it went through. */
export interface RetrySummary {
  readonly target: string;
  readonly operation: string;
  readonly attempts: number;
  readonly waitedMs: number;
  readonly lastError: string;
}

/** Thrown out of a wait that `abort()` ended: the query is stopping, its batch is not committed. */
export class RetryAborted extends Error {
  override readonly name = 'RetryAborted';
}

export class ConnectorRetrier {
  private aborted = false;
  private wakeSleeper: (() => void) | undefined;
  /** waits of the batch in flight, reported with its progress */
  private batchWaits: RetrySummary[] = [];
  private current: ConnectorRetry | undefined;

  /** told of every failed attempt before the wait (the query's status and listeners) */
  onRetry: (r: ConnectorRetry) => void = () => {};

  constructor(
    private readonly policy: RetryPolicy,
    /** real time, not the query's clock: a manual test clock must not stall the wait */
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly now: () => number = Date.now,
  ) {}

  /** The wait in progress, if the query is waiting for a server now. */
  get waiting(): ConnectorRetry | undefined {
    return this.current;
  }

  /** Stop waiting (the query is stopping): a wait in progress, and any later one, ends with RetryAborted. */
  abort(): void {
    this.aborted = true;
    this.wakeSleeper?.();
  }

  /** The waits since the last call, for a batch's progress. */
  takeBatchWaits(): readonly RetrySummary[] {
    const w = this.batchWaits;
    this.batchWaits = [];
    return w;
  }

  async call<T>(operation: string, make: () => Promise<T>): Promise<T> {
    let attempt = 0;
    let since = 0;
    let backoff = this.policy.initialBackoffMs;
    for (;;) {
      try {
        const result = await make();
        if (attempt > 0) this.current = undefined;
        return result;
      } catch (e) {
        if (!(e instanceof ConnectorUnavailableError)) {
          this.current = undefined;
          throw e;
        }
        attempt++;
        const now = this.now();
        if (attempt === 1) since = now;
        const summary = this.batchWaits.find((w) => w.target === e.target && w.operation === operation);
        const waited = now - since;
        const entry = { target: e.target, operation, attempts: attempt, waitedMs: waited, lastError: e.message };
        if (summary) this.batchWaits[this.batchWaits.indexOf(summary)] = entry;
        else this.batchWaits.push(entry);
        if (waited >= this.policy.timeoutMs) {
          this.current = undefined;
          throw new WeirError('RUNTIME', `${e.target} could not be reached for ${formatMs(waited)} (${attempt} attempts to ${operation}); `
            + `last error: ${e.message}. The query stops here; its checkpoint holds everything committed, so running it again `
            + `resumes once the server is back (SET '${RETRY_SETTINGS.timeout}' waits longer)`);
        }
        const wait = Math.min(backoff, this.policy.maxBackoffMs, Math.max(1, this.policy.timeoutMs - waited));
        this.current = { target: e.target, operation, attempt, lastError: e.message, since, nextAttemptInMs: wait };
        this.onRetry(this.current);
        if (this.aborted) throw new RetryAborted(`stopped while waiting for ${e.target}`);
        await Promise.race([this.sleep(wait), new Promise<void>((r) => { this.wakeSleeper = r; })]);
        this.wakeSleeper = undefined;
        if (this.aborted) {
          this.current = undefined;
          throw new RetryAborted(`stopped while waiting for ${e.target}`);
        }
        backoff = Math.min(backoff * 2, this.policy.maxBackoffMs);
      }
    }
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
