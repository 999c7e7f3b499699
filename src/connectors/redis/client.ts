/**
 * One Redis connection per source or sink (ioredis, imported lazily: `import('weir')` must not load
 * it when no table uses redis), and the line between "the server is not there now"
 * (ConnectorUnavailableError: the micro-batch execution retries with backoff) and every other failure.
 *
 * Commands are not queued while the connection is down (enableOfflineQueue off) and time out after
 * COMMAND_TIMEOUT_MS, so a call during an outage fails within seconds instead of hanging; the client
 * reconnects by itself, and a connection it gave up on is replaced on the next call.
 */
import type { Redis } from 'ioredis';
import { ConnectorUnavailableError } from '../api.js';

export const COMMAND_TIMEOUT_MS = 5000;

export class RedisLink {
  private client: Promise<Redis> | undefined;
  /** `redis[127.0.0.1:6379]`: what the execution's retry messages name */
  readonly target: string;

  constructor(private readonly url: string) {
    const u = new URL(url);
    this.target = `redis[${u.hostname}${u.port ? `:${u.port}` : ''}]`;
  }

  private async get(): Promise<Redis> {
    const current = this.client;
    if (current) {
      const c = await current.catch(() => undefined);
      if (c && c.status !== 'end' && c.status !== 'close') return c;
      if (this.client === current) this.client = undefined;
      c?.disconnect();
    }
    const opening = this.open();
    this.client = opening;
    opening.catch(() => {
      if (this.client === opening) this.client = undefined;
    });
    return opening;
  }

  private async open(): Promise<Redis> {
    const { Redis } = await import('ioredis');
    const client = new Redis(this.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 3000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // reconnect in the background, quickly at first; calls meanwhile fail at once
      retryStrategy: (times) => Math.min(50 * times, 1000),
      connectionName: 'weir',
    });
    client.on('error', () => {}); // reported through the failing calls, not as an unhandled event
    try {
      await client.connect();
    } catch (e) {
      client.disconnect();
      throw e;
    }
    return client;
  }

  async call<T>(what: string, fn: (r: Redis) => Promise<T>): Promise<T> {
    try {
      const r = await this.get();
      if (r.status !== 'ready') throw new ConnectorUnavailableError(this.target, `${this.target}: ${what}: the connection is ${r.status}`);
      return await fn(r);
    } catch (e) {
      if (e instanceof ConnectorUnavailableError) throw e;
      if (isUnavailable(e)) {
        throw new ConnectorUnavailableError(this.target, `${this.target}: ${what}: the Redis server is not reachable (${(e as Error).message})`, { cause: e });
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    const c = await this.client?.catch(() => undefined);
    this.client = undefined;
    if (c) await c.quit().catch(() => c.disconnect());
  }
}

const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** True for the errors of an unreachable server (and of one still loading its data after a restart). */
export function isUnavailable(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && CODES.has(code)) return true;
    if (err.name === 'MaxRetriesPerRequestError') return true;
    if (/Connection is closed|Stream isn't writeable|Command timed out|connect ETIMEDOUT|ECONNREFUSED|ECONNRESET|^LOADING|^BUSY|^MASTERDOWN|^TRYAGAIN/i.test(err.message)) return true;
  }
  return false;
}
