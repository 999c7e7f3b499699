/**
 * `SET 'parallelism'` and `SET 'pipeline.max-parallelism'`: a value that is not a positive whole
 * number, or more tasks than key groups, is an error at the SET; a checkpoint written with other key
 * groups is refused on resume, and one written at another number of tasks is re-split.
 */
import { describe, expect, it } from 'vitest';
import { WeirError } from '../../src/common/errors.js';
import { checkSetting } from '../../src/engine/settings-registry.js';
import { checkRecordedParallelism, taskOperatorIds } from '../../src/executor/parallel/parallel-settings.js';
import { taskOfKeyGroup } from '../../src/executor/parallel/exchange.js';
import { parseParallelism } from '../../src/planner/incremental/parallelism-setting.js';

const settings = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

describe('parallelism settings', () => {
  it('defaults to one task over 128 key groups', () => {
    expect(parseParallelism(settings({}))).toEqual({ tasks: 1, maxParallelism: 128 });
    expect(parseParallelism(settings({ parallelism: '2' }))).toEqual({ tasks: 2, maxParallelism: 128 });
    expect(parseParallelism(settings({ 'parallelism.default': '3', 'pipeline.max-parallelism': '16' }))).toEqual({ tasks: 3, maxParallelism: 16 });
  });

  it.each(['0', '-1', '1.5', 'two', ''])('refuses parallelism %j at the SET', (v) => {
    expect(() => checkSetting('parallelism', v, undefined)).toThrow(/SET 'parallelism' = '.*': expected a positive whole number/);
  });

  it('refuses more tasks than key groups, naming both settings', () => {
    expect(() => parseParallelism(settings({ parallelism: '9', 'pipeline.max-parallelism': '8' })))
      .toThrow(/more tasks than key groups \('pipeline.max-parallelism' is 8\)/);
    expect(() => checkSetting('pipeline.max-parallelism', '0', undefined)).toThrow(WeirError);
  });

  it('refuses a resume with other key groups, with the value to set', () => {
    expect(() => checkRecordedParallelism({}, 1, { tasks: 1, maxParallelism: 64 }, true))
      .toThrow(/written with 'pipeline.max-parallelism' = '128' and this run sets '64'.*fixed for a query's life/);
    expect(() => checkRecordedParallelism({ 'pipeline.max-parallelism': '64' }, 1, { tasks: 1, maxParallelism: 64 }, true)).not.toThrow();
  });

  it('re-splits state when the tasks changed, only for a query with state and something committed', () => {
    expect(checkRecordedParallelism({}, 1, { tasks: 2, maxParallelism: 128 }, true)).toEqual({ tasksThen: 1, tasksNow: 2 });
    expect(checkRecordedParallelism({}, 1, { tasks: 2, maxParallelism: 128 }, false)).toBeUndefined();
    expect(checkRecordedParallelism({}, undefined, { tasks: 2, maxParallelism: 128 }, true)).toBeUndefined();
  });

  it('gives each parallelism stores of its own, parallelism 1 the operator ids', () => {
    expect(taskOperatorIds([0, 1], { tasks: 1, maxParallelism: 128 })).toEqual([0, 1]);
    const two = taskOperatorIds([0, 1], { tasks: 2, maxParallelism: 128 });
    const three = taskOperatorIds([0, 1], { tasks: 3, maxParallelism: 128 });
    expect(new Set([0, 1, ...two, ...three]).size).toBe(2 + 4 + 6);
  });

  it('owns key groups in contiguous ranges, every task at least one', () => {
    const owners = Array.from({ length: 128 }, (_, g) => taskOfKeyGroup(g, 3, 128));
    expect(owners[0]).toBe(0);
    expect(owners[127]).toBe(2);
    for (let g = 1; g < 128; g++) expect(owners[g]! - owners[g - 1]!).toBeGreaterThanOrEqual(0);
    expect(new Set(owners).size).toBe(3);
  });
});
