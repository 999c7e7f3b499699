/**
 * The dashboard server's exposure: it binds 127.0.0.1 unless told otherwise (the socket's own
 * address is checked), refuses to listen beyond loopback without a token, requires the token on
 * every endpoint once given, and answers only loopback host names without one (DNS rebinding).
 */
import { request } from 'node:http';
import * as os from 'node:os';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, WeirError, type Dashboard } from '../../src/index.js';
import { hasBuild, runCli, spawnCli, tempDir, writeSql } from '../support/cli.js';

interface Reply { status: number; body: string; type: string | undefined }

function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      // an event stream never ends: its first chunk is enough here
      const sse = String(res.headers['content-type']).startsWith('text/event-stream');
      res.on('data', (d: string) => { body += d; if (sse) { res.destroy(); resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }); } });
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

const open: Dashboard[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((d) => d.close())); });

async function serve(engine: Engine, options: Parameters<Engine['serveDashboard']>[0]): Promise<Dashboard> {
  const d = await engine.serveDashboard(options);
  open.push(d);
  return d;
}

describe('dashboard server', () => {
  it('binds 127.0.0.1 by default, and nothing else', async () => {
    const d = await serve(new Engine({ clock: new ManualClock(0) }), { port: 0 });
    expect(d.address.address).toBe('127.0.0.1');
    expect(d.url).toBe(`http://127.0.0.1:${d.port}/`);
    expect(await canConnect('127.0.0.1', d.port)).toBe(true);
    const ext = externalAddress();
    if (ext) expect(await canConnect(ext, d.port)).toBe(false);
    const page = await get(d.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Weir dashboard</title>');
    // the chart library comes from the package, not from the internet
    expect(page.body).not.toMatch(/https?:\/\//);
    const uplot = await get(d.port, '/assets/uPlot.iife.min.js');
    expect(uplot.status).toBe(200);
    expect(uplot.body).toContain('uPlot');
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const engine = new Engine({ clock: new ManualClock(0) });
    const refused = engine.serveDashboard({ port: 0, host: '0.0.0.0' });
    await expect(refused).rejects.toBeInstanceOf(WeirError);
    await expect(refused).rejects.toThrow(/0\.0\.0\.0.*without a token/);
    await expect(engine.serveDashboard({ port: 0, host: '0.0.0.0', token: 'short' })).rejects.toThrow(/at least 8 characters/);
  });

  it('requires the token on the page and every endpoint once given', async () => {
    const token = 'a-secret-token-1234';
    const d = await serve(new Engine({ clock: new ManualClock(0) }), { port: 0, token });
    expect(d.address.address).toBe('127.0.0.1');
    expect(d.url).toBe(`http://127.0.0.1:${d.port}/?token=${token}`);
    for (const path of ['/', '/events', '/api/queries', '/metrics', '/assets/dashboard.js', '/assets/uPlot.iife.min.js']) {
      expect((await get(d.port, path)).status, path).toBe(401);
      expect((await get(d.port, `${path}?token=wrong-token-1234567`)).status, path).toBe(401);
      expect((await get(d.port, `${path}?token=${token}`)).status, path).toBe(200);
      expect((await get(d.port, path, { authorization: `Bearer ${token}` })).status, path).toBe(200);
    }
    // the page passes the token on to its assets
    expect((await get(d.port, `/?token=${token}`)).body).toContain(`assets/dashboard.js?token=${token}`);
  });

  it('listens on another address only with its token', async () => {
    const token = 'another-secret-5678';
    const d = await serve(new Engine({ clock: new ManualClock(0) }), { port: 0, host: '0.0.0.0', token });
    expect(d.address.address).toBe('0.0.0.0');
    expect((await get(d.port, '/metrics')).status).toBe(401);
    expect((await get(d.port, '/metrics', { 'x-weir-token': token })).status).toBe(200);
  });

  it('without a token, answers only requests addressed to a loopback name', async () => {
    const d = await serve(new Engine({ clock: new ManualClock(0) }), { port: 0 });
    expect((await get(d.port, '/api/queries', { host: 'attacker.example' })).status).toBe(403);
    expect((await get(d.port, '/api/queries', { host: `localhost:${d.port}` })).status).toBe(200);
  });

  it('weir run refuses --ui-host beyond loopback without a token, before running anything', async () => {
    const ok = await runCli(['run', 'examples/demo.sql', '--ui', '0', '--ui-host', '0.0.0.0']);
    expect(ok.code).toBe(1);
    expect(ok.stderr).toMatch(/without a token/);
    expect(ok.stdout).toBe('');
    const badPort = await runCli(['run', 'examples/demo.sql', '--ui', 'demo']);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toMatch(/--ui demo: expected a port number/);
  });

  it('weir run --ui serves the dashboard while the queries run, and says where', async () => {
    expect(hasBuild(), 'npm run build first: this test runs bin/weir.js').toBe(true);
    const dir = tempDir('weir-ui-');
    // paced: 4 000 events at 2 000 a second of event time, about two seconds
    const file = writeSql(dir, `
      SET 'trigger' = '200 ms';
      CREATE TABLE gen (event_type INT, bid ROW<auction BIGINT, price BIGINT, dateTime TIMESTAMP(3)>)
        WITH ('connector' = 'nexmark', 'events.num' = '4000', 'first-event.rate' = '2000', 'next-event.rate' = '2000', 'source.pace' = 'true');
      CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO sink SELECT bid.auction, bid.price FROM gen WHERE event_type = 2;`);
    let scraped = '';
    const r = await spawnCli(['run', file, '--ui', '0'], {
      onSpawn: (child) => {
        let err = '';
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
          if (m && scraped === '') {
            scraped = 'pending';
            void (async () => {
              for (let i = 0; i < 40 && !/weir_query_batches_total\{[^}]*\} [1-9]/.test(scraped); i++) {
                scraped = await (await fetch(`${m[1]}metrics`)).text();
                await new Promise((w) => setTimeout(w, 100));
              }
            })().catch(() => {});
          }
        });
      },
    });
    expect(r.stderr).toMatch(/^weir: dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(Prometheus metrics at http:\/\/127\.0\.0\.1:\d+\/metrics\)$/m);
    expect(r.code).toBe(0);
    // scraped while the query ran
    expect(scraped).toMatch(/weir_query_state\{query="insert-into_sink",query_id="[^"]+",state="running"\} 1/);
    expect(scraped).toMatch(/weir_query_batches_total\{[^}]*\} [1-9]/);
    // and closed when the run ended
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(r.stderr)![1]);
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  }, 30_000);

  it('weir run --ui-keep keeps serving after the queries end, until interrupted', async () => {
    expect(hasBuild(), 'npm run build first: this test runs bin/weir.js').toBe(true);
    const dir = tempDir('weir-ui-keep-');
    const file = writeSql(dir, `
      CREATE TABLE gen (event_type INT, bid ROW<auction BIGINT, price BIGINT, dateTime TIMESTAMP(3)>) WITH ('connector' = 'nexmark', 'events.num' = '500');
      CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole');
      INSERT INTO sink SELECT bid.auction, bid.price FROM gen WHERE event_type = 2;`);
    let after = '';
    const r = await spawnCli(['run', file, '--ui', '0', '--ui-keep'], {
      onSpawn: (child) => {
        let err = '';
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /the dashboard stays at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
          if (m && after === '') {
            after = 'pending';
            void fetch(`${m[1]}metrics`).then((res) => res.text()).then((t) => { after = t; child.kill('SIGINT'); });
          }
        });
      },
    });
    expect(r.code).toBe(0);
    expect(after).toMatch(/weir_query_state\{[^}]*state="stopped"\} 1/);
  }, 30_000);
});
