/**
 * The seed helper: WEIR_SEED replays, a fresh seed otherwise (printed once per file),
 * WEIR_PROPERTY_RUNS overrides the CI run count, and a malformed value is refused.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

type PropertyModule = typeof import('./property.js');

/** A fresh copy of the module (its per-file seed starts unset) under `env`. */
async function load(env: Record<string, string | undefined>): Promise<PropertyModule> {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v as string);
  vi.resetModules();
  return import('./property.js');
}

describe('property seeds', () => {
  afterEach(() => { vi.unstubAllEnvs(); vi.restoreAllMocks(); });

  it('replays WEIR_SEED and prints it once', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const p = await load({ WEIR_SEED: '12345', WEIR_PROPERTY_RUNS: '' });
    expect(p.fcParams({ numRuns: 7 })).toMatchObject({ seed: 12345, numRuns: 7 });
    expect(p.propertySeed()).toBe(12345);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith('fast-check seed 12345; replay with WEIR_SEED=12345');
  });

  it('draws a fresh seed when WEIR_SEED is unset, the same for the whole file', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const seeds = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const p = await load({ WEIR_SEED: '' });
      const s = p.propertySeed();
      expect(Number.isSafeInteger(s)).toBe(true);
      expect(p.fcParams().seed).toBe(s);
      seeds.add(s);
    }
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('takes the run count from WEIR_PROPERTY_RUNS, and refuses malformed values', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect((await load({ WEIR_PROPERTY_RUNS: '500', WEIR_SEED: '1' })).fcParams({ numRuns: 10 }).numRuns).toBe(500);
    expect((await load({ WEIR_PROPERTY_RUNS: '', WEIR_SEED: '1' })).fcParams().numRuns).toBe(100);
    const zero = await load({ WEIR_PROPERTY_RUNS: '0', WEIR_SEED: '1' });
    expect(() => zero.propertyRuns(10)).toThrow(/WEIR_PROPERTY_RUNS=0: expected at least 1/);
    const bad = await load({ WEIR_SEED: 'abc', WEIR_PROPERTY_RUNS: '' });
    expect(() => bad.propertySeed()).toThrow(/WEIR_SEED=abc: expected an integer/);
  });
});
