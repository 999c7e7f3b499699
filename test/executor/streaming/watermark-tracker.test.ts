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
