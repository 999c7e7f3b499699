/**
 * The dashboard's HTTP server (node:http, nothing else): the page and its script, uPlot's files
 * from the installed package, `/events` (server-sent events: a snapshot, then every progress and
 * status change), `/api/queries` (a JSON snapshot) and `/metrics` (Prometheus' text format).
 *
 * It listens on 127.0.0.1 unless told otherwise; another address needs a token, which then every
 * request must carry (`?token=`, `Authorization: Bearer`, or `X-Weir-Token`). Without a token the
 * server answers only requests addressed to a loopback name, so a web page elsewhere cannot reach
 * it through DNS rebinding.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { WeirError } from '../common/errors.js';
import { createMetricsRegistry } from './metrics.js';
import { DASHBOARD_CSS, dashboardHtml } from './page.js';
import { DASHBOARD_SCRIPT } from './page-script.js';
import { QueryFeed, type DashboardHost } from './query-feed.js';

export interface DashboardOptions {
  /** the port (default 4040, as Spark's UI; 0 picks a free one) */
  readonly port?: number;
  /** the address to listen on (default 127.0.0.1); any other than loopback needs `token` */
  readonly host?: string;
  /** a secret every request must carry; required to listen beyond loopback */
  readonly token?: string;
}

export interface Dashboard {
  /** the page's address (with the token, when there is one) */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** the listening socket's address, as the OS reports it */
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export const DEFAULT_DASHBOARD_PORT = 4040;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** a client this far behind on /events is dropped rather than buffered without bound */
const MAX_CLIENT_BACKLOG = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const STATUS_POLL_MS = 1_000;

/** The files served under /assets/, read once from the installed packages. */
function assets(): Map<string, { type: string; body: () => Buffer | string }> {
  const require = createRequire(import.meta.url);
  const file = (spec: string): (() => Buffer) => {
    let cached: Buffer | undefined;
    return () => (cached ??= readFileSync(require.resolve(spec)));
  };
  return new Map<string, { type: string; body: () => Buffer | string }>([
    ['/assets/uPlot.iife.min.js', { type: 'text/javascript; charset=utf-8', body: file('uplot/dist/uPlot.iife.min.js') }],
    ['/assets/uPlot.min.css', { type: 'text/css; charset=utf-8', body: file('uplot/dist/uPlot.min.css') }],
    ['/assets/dashboard.js', { type: 'text/javascript; charset=utf-8', body: () => DASHBOARD_SCRIPT }],
    ['/assets/dashboard.css', { type: 'text/css; charset=utf-8', body: () => DASHBOARD_CSS }],
  ]);
}

function checkOptions(o: DashboardOptions): { host: string; port: number; token: string | undefined } {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? DEFAULT_DASHBOARD_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WeirError('OPTION', `dashboard port ${String(o.port)}: expected an integer from 0 to 65535`);
  }
  const token = o.token === undefined || o.token === '' ? undefined : o.token;
  if (token !== undefined && token.length < 8) throw new WeirError('OPTION', 'the dashboard token must have at least 8 characters');
  if (!LOOPBACK.has(host) && token === undefined) {
    throw new WeirError('OPTION', `the dashboard would listen on ${host}, beyond this machine, without a token: give one `
      + `(serveDashboard({ host, token }) or weir run --ui --ui-host ${host} --ui-token TOKEN), which the page and every endpoint `
      + 'then require; or leave the host out to listen on 127.0.0.1 only');
  }
  return { host, port, token };
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const h = req.headers['x-weir-token'];
  return typeof h === 'string' ? h : undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The host name a request was addressed to (the Host header without its port). */
function requestHostName(req: IncomingMessage): string {
  const h = req.headers.host ?? '';
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  return h.replace(/:\d+$/, '');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

export async function serveDashboard(hostEngine: DashboardHost, options: DashboardOptions = {}): Promise<Dashboard> {
  const { host, port, token } = checkOptions(options);
  const feed = new QueryFeed(hostEngine);
  const registry = createMetricsRegistry(feed);
  const files = assets();
  const clients = new Set<ServerResponse>();
  let metricsCache: { version: number; text: string } | undefined;

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${(e as Error).message}\n`);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (token !== undefined) {
      if (!sameSecret(tokenOf(req, url), token)) {
        send(res, 401, 'text/plain; charset=utf-8', 'this dashboard needs its token: add ?token=… to the address, or send Authorization: Bearer …\n');
        return;
      }
    } else if (!LOOPBACK.has(requestHostName(req))) {
      send(res, 403, 'text/plain; charset=utf-8', 'this dashboard answers only requests to 127.0.0.1 or localhost\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
      return;
    }
    const asset = files.get(url.pathname);
    if (asset) return send(res, 200, asset.type, asset.body());
    switch (url.pathname) {
      case '/':
      case '/index.html':
        res.setHeader('Content-Security-Policy',
          "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'");
        return send(res, 200, 'text/html; charset=utf-8', dashboardHtml(token !== undefined ? `?token=${encodeURIComponent(token)}` : ''));
      case '/api/queries':
        return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ queries: feed.all() }));
      case '/metrics': {
        // the figures change only with the feed's events: a scrape between two batches reuses the text
        if (metricsCache?.version !== feed.version) {
          const version = feed.version;
          metricsCache = { version, text: await registry.metrics() };
        }
        return send(res, 200, registry.contentType, metricsCache.text);
      }
      case '/events':
        return openEvents(res);
      default:
        return send(res, 404, 'text/plain; charset=utf-8', `not found: ${url.pathname}\n`);
    }
  }

  function openEvents(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: 2000\n\nevent: snapshot\ndata: ${JSON.stringify({ queries: feed.all() })}\n\n`);
    clients.add(res);
    const unsubscribe = feed.subscribe((event, data) => {
      if (res.writableLength > MAX_CLIENT_BACKLOG) { res.destroy(); return; }
      res.write(`event: ${event}\ndata: ${data}\n\n`);
    });
    res.on('close', () => { unsubscribe(); clients.delete(res); });
  }

  // keep-alive comments (proxies close quiet streams) and status changes between batches
  const heartbeat = setInterval(() => { for (const c of clients) c.write(': keep-alive\n\n'); }, HEARTBEAT_MS);
  const statusPoll = setInterval(() => { if (feed.subscriberCount > 0) feed.pollStatus(); }, STATUS_POLL_MS);
  heartbeat.unref();
  statusPoll.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
  } catch (e) {
    clearInterval(heartbeat);
    clearInterval(statusPoll);
    feed.close();
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'the port is in use (choose another, or 0 for a free one)' : err.message;
    throw new WeirError('OPTION', `cannot serve the dashboard on ${host}:${port}: ${why}`);
  }
  const address = server.address() as AddressInfo;
  const actual = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actual}/${token !== undefined ? `?token=${encodeURIComponent(token)}` : ''}`,
    port: actual,
    host,
    address,
    close: () => (closed ??= new Promise<void>((resolve) => {
      clearInterval(heartbeat);
      clearInterval(statusPoll);
      feed.close();
      for (const c of clients) c.end();
      server.close(() => resolve());
      server.closeAllConnections();
    })),
  };
}
