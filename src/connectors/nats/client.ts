/**
 * One NATS connection per source or sink, opened on first use, and the line between "the server is
 * not there now" (ConnectorUnavailableError: the micro-batch execution retries with backoff) and
 * every other failure.
 *
 * The client libraries are imported here, lazily: `import('weir')` must not load them when no table
 * uses nats. The connection reconnects by itself; a request made while it is away is not queued for
 * ever but times out after REQUEST_TIMEOUT_MS, and a connection the client gave up on (closed) is
 * replaced on the next call, so the connector works again once the server is back.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { ConnectorUnavailableError } from '../api.js';

/** How long one request (stream info, publish ack, consumer create) may wait for the server. */
export const REQUEST_TIMEOUT_MS = 3000;

export type JetStreamModule = typeof import('@nats-io/jetstream');

export interface NatsHandles {
  readonly nc: NatsConnection;
  /** false from a 'disconnect' until the client's 'reconnect': calls then fail at once */
  readonly connected: () => boolean;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly lib: JetStreamModule;
}

export class NatsLink {
  private handles: Promise<NatsHandles> | undefined;

  /** `nats[127.0.0.1:4222]`: the servers, as the execution's retry messages name what it waits for */
  readonly target: string;

  constructor(private readonly servers: readonly string[]) {
    this.target = `nats[${servers.map((s) => s.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '')).join(',')}]`;
  }

  /** The open connection, connecting (or connecting again after the client gave up) when needed. */
  async get(): Promise<NatsHandles> {
    const current = this.handles;
    if (current) {
      const h = await current.catch(() => undefined);
      if (h && !h.nc.isClosed()) return h;
      if (this.handles === current) this.handles = undefined;
    }
    const opening = this.open();
    this.handles = opening;
    opening.catch(() => {
      if (this.handles === opening) this.handles = undefined;
    });
    return opening;
  }

  private async open(): Promise<NatsHandles> {
    const [{ connect }, lib] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    const nc = await connect({
      servers: [...this.servers],
      name: `weir ${this.target}`,
      timeout: REQUEST_TIMEOUT_MS,
      // keep trying in the background; calls meanwhile fail by their own timeouts
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 5000,
      maxPingOut: 2,
    });
    let connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') connected = false;
        else if (s.type === 'reconnect') connected = true;
      }
    })().catch(() => undefined);
    const jsm = await lib.jetstreamManager(nc, { timeout: REQUEST_TIMEOUT_MS, checkAPI: false });
    const js = lib.jetstream(nc, { timeout: REQUEST_TIMEOUT_MS });
    return { nc, connected: () => connected, js, jsm, lib };
  }

  /**
   * Run `fn` with the connection; a failure that means the server is unreachable (refused, reset,
   * timed out, JetStream not answering yet after a restart) becomes ConnectorUnavailableError.
   */
  async call<T>(what: string, fn: (h: NatsHandles) => Promise<T>): Promise<T> {
    try {
      const h = await this.get();
      // while the client is reconnecting a request would only sit in its buffer until it times out
      if (!h.connected()) throw new ConnectorUnavailableError(this.target, 'disconnected, reconnecting');
      return await fn(h);
    } catch (e) {
      if (isUnavailable(e)) {
        throw new ConnectorUnavailableError(this.target, `${this.target}: ${what}: the NATS server is not reachable (${describe(e)})`, { cause: e });
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    const h = await this.handles?.catch(() => undefined);
    this.handles = undefined;
    if (h && !h.nc.isClosed()) await h.nc.close().catch(() => undefined);
  }
}

const UNAVAILABLE_NAMES = new Set([
  'ConnectionError', 'TimeoutError', 'NoRespondersError', 'ClosedConnectionError', 'DrainingConnectionError',
  'JetStreamNotEnabled', 'ConnectorUnavailableError',
]);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECTION_REFUSED']);

/** True for the errors of an unreachable server, looking through `cause` chains (RequestError wraps them). */
export function isUnavailable(e: unknown): boolean {
  for (let err = e, depth = 0; err instanceof Error && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    if (UNAVAILABLE_NAMES.has(err.name)) return true;
    if (err.name === 'RequestError' && (err as { isNoResponders?: () => boolean }).isNoResponders?.()) return true;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    // JetStream answers 503 while it is starting or has no quorum
    if (err.name === 'JetStreamApiError' && (err as { code?: unknown }).code === 503) return true;
    if (/ECONNREFUSED|ECONNRESET|connection refused|timeout|timed out|no responders/i.test(err.message)) return true;
  }
  return false;
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== e.message ? `${e.message}: ${cause.message}` : e.message;
}
