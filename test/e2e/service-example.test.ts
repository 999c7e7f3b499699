/**
 * examples/service.mjs as a user runs it: events POSTed over HTTP, a window closed by later events
 * arriving as a server-sent event, the running totals served by GET, a clean stop on SIGTERM; and
 * with DATABASE_URL the totals also in PostgreSQL (a real server, started by the test).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinary, startPostgres, type PostgresServer } from '../support/servers/postgres.js';

const SERVICE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'service.mjs');

/** Run the service with `env`, post events, check what it serves; `alsoCheck` runs before it stops. */
async function exercise(env: Record<string, string>, alsoCheck?: () => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [SERVICE], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`service exited ${code}: ${stderr}`)));
    });
    // the SSE stream first, so the window result cannot be missed
    const sse = await fetch(`${base}/windows`);
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const reader = sse.body!.getReader();
    const post = (rows: unknown[]) => fetch(`${base}/events`, { method: 'POST', body: JSON.stringify(rows) }).then((r) => r.json());

    expect(await post([
      { user: 'ann', amount: 5, ts: '2026-12-04T10:00:01Z' },
      { user: 'bob', amount: 7, ts: '2026-12-04T10:00:03Z' },
      { user: 'ann', amount: 3, ts: '2026-12-04T10:00:09Z' },
    ])).toEqual({ accepted: 3 });
    // 10:00:15 moves the watermark to 10:00:13, past the window [10:00:00, 10:00:10)
    await post([{ user: 'ann', amount: 1, ts: '2026-12-04T10:00:15Z' }]);
    await post([{ user: 'ann', amount: 1, ts: '2026-12-04T10:00:16Z' }]);

    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 20_000;
    while ((text.match(/event: window/g) ?? []).length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const windows = [...text.matchAll(/data: (.*)/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>)
      .map(({ user, n, total, window_start }) => ({ user, n, total, window_start }));
    expect(windows.sort((a, b) => String(a.user).localeCompare(String(b.user)))).toEqual([
      { user: 'ann', n: 2, total: 8, window_start: '2026-12-04T10:00:00.000Z' },
      { user: 'bob', n: 1, total: 7, window_start: '2026-12-04T10:00:00.000Z' },
    ]);
    await reader.cancel();

    const totals = (await (await fetch(`${base}/totals`)).json()) as Record<string, unknown>[];
    expect(totals.sort((a, b) => String(a['user']).localeCompare(String(b['user'])))).toEqual([
      { user: 'ann', n: 4, total: 10 }, { user: 'bob', n: 1, total: 7 },
    ]);
    const bad = await fetch(`${base}/events`, { method: 'POST', body: '[{"user": "x", "amount": "lots", "ts": 0}]' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/amount/);
    await alsoCheck?.();
  } finally {
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
}

it('takes events over HTTP, streams closed windows and serves totals', async () => {
  await exercise({});
}, 60_000);

const pgBinary = postgresBinary();

describe.skipIf(!pgBinary)('with DATABASE_URL', () => {
  let pg: PostgresServer;
  beforeAll(async () => { pg = await startPostgres(); }, 60_000);
  afterAll(async () => { await pg?.stop(); });

  it('also writes the running totals to PostgreSQL', async () => {
    await exercise({ DATABASE_URL: pg.url }, async () => {
      const want = [{ user: 'ann', n: '4', total: 10 }, { user: 'bob', n: '1', total: 7 }];
      let got: Record<string, unknown>[] = [];
      for (let i = 0; i < 100; i++) {
        got = await pg.sql('SELECT "user", n::TEXT AS n, total FROM user_totals ORDER BY "user"');
        if (JSON.stringify(got) === JSON.stringify(want)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got).toEqual(want);
    });
  }, 90_000);
});
