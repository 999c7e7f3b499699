/** `table.exec.state.ttl` values: Flink's duration text, and how EXPLAIN shows it. */
import { describe, expect, it } from 'vitest';
import { parseStateTtl, stateTtlText } from '../../src/planner/incremental/state-ttl.js';

describe('state TTL durations', () => {
  it("reads Flink's units and plain milliseconds", () => {
    const cases: [string, number][] = [
      ['1 h', 3_600_000], ['2hours', 7_200_000], ['30 min', 1_800_000], ['10 s', 10_000], ['10 sec', 10_000],
      ['100 ms', 100], ['5000', 5000], ['1 d', 86_400_000], [' 0 ', 0], ['3 MIN', 180_000],
    ];
    for (const [text, ms] of cases) expect(parseStateTtl(text), text).toBe(ms);
  });

  it('refuses what is not a duration, naming the setting and examples', () => {
    for (const bad of ['', 'an hour', '1.5 h', '-1 s', '10 parsecs', '1 h 30 min']) {
      expect(() => parseStateTtl(bad), bad).toThrow(/^SET 'table\.exec\.state\.ttl' = '.*': expected a duration such as '1 h', '30 min', '10 s', '100 ms' or milliseconds/);
    }
  });

  it('shows the largest unit that divides it', () => {
    expect([3_600_000, 5_400_000, 90_000, 1_800_000, 250, 86_400_000].map(stateTtlText)).toEqual(['1 h', '90 min', '90 s', '30 min', '250 ms', '1 d']);
  });
});
