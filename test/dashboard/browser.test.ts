/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core. The page loads
 * with nothing fetched from elsewhere, its charts' data grow as batches run (read from what the
 * page exposes on window.__weir), the plan graph shows the operators with their counts, and a
 * failed query shows its error. Screenshots go to a temporary directory (and to __screenshots__
 * beside this file, which git ignores). Without Chromium the test is skipped with a message
 * locally and fails in CI (`.ci/run` installs it).
 */
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Dashboard, type StreamingQuery } from '../../src/index.js';
import { serverBinary } from '../support/servers/binary.js';

const CHROMIUM = serverBinary('Chromium', 'chromium', ['/usr/bin/chromium']);
const HERE = path.dirname(fileURLToPath(import.meta.url));

const SQL = `
  CREATE TABLE bids (auction BIGINT, price BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'memory');
  CREATE TABLE per_window (auction BIGINT, we TIMESTAMP(3), n BIGINT, top BIGINT) WITH ('connector' = 'memory');
  INSERT INTO per_window SELECT auction, window_end, COUNT(*), MAX(price)
    FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' SECOND)) GROUP BY auction, window_start, window_end;`;

const FAILING_SQL = `
  SET 'pipeline.name' = 'checked-prices';
  CREATE TABLE prices (auction BIGINT, price BIGINT) WITH ('connector' = 'memory');
  CREATE TABLE checked (auction BIGINT, total BIGINT) WITH ('connector' = 'memory');
  INSERT INTO checked SELECT auction, SUM(checked_price(price)) FROM prices GROUP BY auction;`;

describe.skipIf(!CHROMIUM)('dashboard in Chromium', () => {
  let browser: Browser;
  let engine: Engine;
  let dashboard: Dashboard;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    engine = new Engine({ clock });
    engine.registerFunction('checked_price', (p: bigint | number) => {
      if (Number(p) < 0) throw new Error(`a negative price: ${p}`);
      return p;
    }, { returns: 'BIGINT' });
    dashboard = await engine.serveDashboard({ port: 0 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await engine?.stop();
  });

  async function chartLength(page: Page, q: StreamingQuery, chart: string): Promise<number> {
    return page.evaluate(([runId, key]) => {
      const data = (globalThis as any).__weir.chartData(runId, key);
      return data ? data[0].length : -1;
    }, [q.runId, chart] as const);
  }

  it('shows live charts, the plan graph and a failed query\'s error', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const origin = new URL(dashboard.url).origin;
    const elsewhere: string[] = [];
    const pageErrors: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(origin)) elsewhere.push(r.url()); });
    page.on('pageerror', (e) => pageErrors.push(e.message));

    const [q] = await engine.execute(SQL);
    await page.goto(dashboard.url);
    await page.waitForFunction(() => (globalThis as any).__weir?.connected === true);
    await page.waitForFunction((runId) => Boolean((globalThis as any).__weir.queries[runId]), q!.runId);

    // batches run: each adds a point to every chart
    const lengths: number[] = [];
    let t = Date.UTC(2026, 0, 1);
    for (let round = 0; round < 4; round++) {
      const rows = Array.from({ length: 50 + round * 10 }, (_, i) => ({ auction: BigInt(i % 5), price: BigInt(100 + i), ts: t + i * 20 }));
      engine.input('bids').push(rows);
      await q!.processAllAvailable();
      clock.advance(1000);
      t += 1500;
      const batches = q!.recentProgress.length;
      await page.waitForFunction(([runId, n]) => {
        const data = (globalThis as any).__weir.chartData(runId, 'rates');
        return data !== null && data[0].length >= n;
      }, [q!.runId, batches] as const, { timeout: 15_000 });
      lengths.push(await chartLength(page, q!, 'rates'));
    }
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    expect(lengths[3]!).toBeGreaterThan(lengths[0]!);
    expect(lengths[3]).toBe(q!.recentProgress.length);
    // the charts' values are the batches' own
    const rates = await page.evaluate((runId) => (globalThis as any).__weir.chartData(runId, 'inputRows')[1], q!.runId) as number[];
    expect(rates).toEqual(q!.recentProgress.map((p) => p.numInputRows));
    for (const chart of ['duration', 'watermarkLag', 'stateRows', 'stateBytes', 'openWindows', 'lateRejected']) {
      expect(await chartLength(page, q!, chart), chart).toBe(lengths[3]);
    }
    // the charts are drawn (uPlot's canvases), and the plan graph shows the operators with counts
    const card = page.locator(`section[data-run-id="${q!.runId}"]`);
    expect(await card.locator('.chart canvas').count()).toBeGreaterThanOrEqual(7);
    await expect.poll(() => card.locator('.plan-node[data-node="WindowAggregate"] .counts').textContent()).toMatch(/state rows: \d+/);
    for (const node of ['Sink', 'WindowAggregate', 'Watermark', 'Source']) {
      expect(await card.locator(`.plan-node[data-node="${node}"]`).count(), node).toBeGreaterThanOrEqual(1);
    }
    expect(await card.locator('.plan-node[data-node="Source"] .counts').textContent()).toMatch(/rows in: \d+/);
    expect(await card.locator('table.batches tr').count()).toBe(1 + Math.min(20, q!.recentProgress.length));
    expect(await card.locator('.badge').textContent()).toBe('running');

    // a query that fails shows its error
    const [bad] = await engine.execute(FAILING_SQL);
    engine.input('prices').push([{ auction: 1n, price: 5n }]);
    await bad!.processAllAvailable();
    engine.input('prices').push([{ auction: 1n, price: -7n }]);
    await expect(bad!.processAllAvailable()).rejects.toThrow(/negative price/);
    const badCard = page.locator(`section[data-run-id="${bad!.runId}"]`);
    await expect.poll(() => badCard.locator('.error').textContent(), { timeout: 15_000 }).toMatch(/a negative price: -7/);
    expect(await badCard.locator('.error').isVisible()).toBe(true);
    expect(await badCard.locator('.badge').textContent()).toBe('failed');

    const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-dashboard-'));
    const shot = path.join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    mkdirSync(path.join(HERE, '__screenshots__'), { recursive: true });
    await page.screenshot({ path: path.join(HERE, '__screenshots__', 'dashboard.png'), fullPage: true });
    console.log(`dashboard screenshot: ${shot}`);

    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
