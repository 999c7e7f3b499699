import { describe, expect, it } from 'vitest';
import { WatermarkTracker } from '../../../src/executor/streaming/watermark-tracker.js';
import { ManualClock } from '../../../src/executor/streaming/clock.js';
import { OpenWindows } from '../../../src/executor/operators/window/open-windows.js';

describe('watermark tracker', () => {
  it('is the minimum over watermarked sources, and never goes back', () => {
    const t = new WatermarkTracker([true, true, false]);
    expect(t.current()).toBe(-Infinity);
    t.observe(0, 100, 0, 104);
    t.advance();
    expect(t.current()).toBe(-Infinity); // source 1 has not delivered yet
    t.observe(1, 50, 0, 54);
    expect(t.advance()).toBe(50);
    t.observe(1, 40, 0, 44); // an older row does not move it back
    expect(t.advance()).toBe(50);
    t.observe(1, 200, 0, 204);
    expect(t.advance()).toBe(100);
  });

  it('lets exhausted sources go, and is +infinity when all are', () => {
    const t = new WatermarkTracker([true, true]);
    t.observe(0, 10, 0, 10);
    t.observe(1, 500, 0, 500);
    expect(t.advance()).toBe(10);
    t.markExhausted(0);
    expect(t.advance()).toBe(500);
    t.markExhausted(1);
    expect(t.advance()).toBe(Infinity);
  });

  it('leaves out an input idle for its timeout, takes it back when it has rows, and never goes back', () => {
    const t = new WatermarkTracker([true, true], [undefined, 1000], 0);
    t.observe(0, 5000, 0, 6000);
    t.observe(1, 100, 0, 1100);
    t.markActive(0, 0);
    t.markActive(1, 0);
    expect(t.advance(999)).toBe(100);
    expect(t.holdingSource()).toBe(1);
    expect(t.advance(1000)).toBe(5000); // source 1 quiet for 1 s: idle
    expect(t.sources().map((s) => s.idle)).toEqual([false, true]);
    expect(t.holdingSource()).toBe(0);
    t.observe(1, 200, 0, 1200); // active again, behind the watermark
    t.markActive(1, 1500);
    expect(t.advance(1500)).toBe(5000);
    expect(t.sources()[1]).toEqual({ maxEventTime: 1200, watermark: 200, idle: false });
    expect(t.holdingSource()).toBe(1);
  });

  it('stays put when every input is idle, and a restored tracker counts idleness afresh', () => {
    const t = new WatermarkTracker([true, true], [1000, 1000], 0);
    t.observe(0, 300, 0, 300);
    t.observe(1, 100, 0, 100);
    expect(t.advance(0)).toBe(100);
    expect(t.advance(5000)).toBe(100);
    expect(t.holdingSource()).toBeUndefined();
    const r = new WatermarkTracker([true, true], [1000, 1000], 10_000);
    r.restore(t.snapshot());
    expect(r.advance(10_500)).toBe(100);
    expect(r.sources().map((s) => s.idle)).toEqual([false, false]);
  });

  it('reports the batch event-time range once', () => {
    const t = new WatermarkTracker([true]);
    t.observe(0, 1, 5, 9);
    t.observe(0, 1, 2, 7);
    expect(t.takeBatchEventTime()).toEqual({ min: 2, max: 9 });
    expect(t.takeBatchEventTime()).toBeUndefined();
  });
});

describe('ManualClock', () => {
  it('wakes sleepers only when advanced past their time', async () => {
    const c = new ManualClock(1000);
    let woke = false;
    const p = c.sleepUntil(1500).then(() => { woke = true; });
    c.advance(400);
    await Promise.resolve();
    expect(woke).toBe(false);
    c.advance(100);
    await p;
    expect(woke).toBe(true);
    expect(() => c.set(10)).toThrow(/cannot go back/);
  });
});

describe('open windows', () => {
  it('closes windows in end order up to the watermark', () => {
    const w = new OpenWindows();
    w.add(20, 'b'); w.add(10, 'a'); w.add(30, 'c'); w.add(10, 'a2');
    expect(w.minEnd()).toBe(10);
    expect(w.closeUpTo(20).map((s) => [...s].sort())).toEqual([['a', 'a2'], ['b']]);
    expect(w.minEnd()).toBe(30);
    w.remove(30, 'c');
    expect(w.windowCount()).toBe(0);
  });
});
