/**
 * SET accepts the keys Weir acts on; a misspelt key is an error naming the closest one, and a Flink
 * key Weir does not act on (mini-batch) is refused by name with the reason,
 * instead of being accepted and doing nothing.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/index.js';
import { SETTINGS } from '../../src/engine/settings-registry.js';

const run = (sql: string) => new Engine().execute(sql, { file: 'q.sql' });

describe('settings registry', () => {
  it('accepts every key it lists, in any case', async () => {
    const values: Record<string, string> = {
      'output-mode': 'update', 'outputmode': 'update', 'execution.output-mode': 'update', 'trigger': 'once', 'execution.trigger': 'once',
      'state.backend': 'memory', 'execution.runtime-mode': 'streaming',
    };
    for (const key of Object.keys(SETTINGS)) await expect(run(`SET '${key.toUpperCase()}' = '${values[key] ?? '1'}';`)).resolves.toEqual([]);
  });

  it('names the closest key for a misspelt one, at its position', async () => {
    await expect(run(`\n  SET 'output-mdoe' = 'append';`)).rejects.toMatchObject({
      code: 'OPTION', span: { line: 2, column: 3 }, message: expect.stringMatching(/^unknown setting 'output-mdoe' \(did you mean 'output-mode'\?\); the settings Weir knows are 'output-mode', /),
    });
    await expect(run(`SET 'connector.retry.timout' = '1 s';`)).rejects.toThrow(/did you mean 'connector.retry.timeout'/);
    await expect(run(`SET 'colour' = 'blue';`)).rejects.toThrow(/^unknown setting 'colour'; the settings Weir knows are/);
  });

  it('refuses Flink settings it does not act on, saying why', async () => {
    await expect(run(`SET 'parallelism.default' = '0';`)).rejects.toMatchObject({
      code: 'OPTION', message: expect.stringMatching(/^SET 'parallelism.default' = '0': expected a positive whole number/),
    });
    await expect(run(`SET 'table.exec.mini-batch.enabled' = 'true';`)).rejects.toThrow(/Weir always runs micro-batches/);
    await expect(run(`SET 'table.optimizer.join-reorder-enabled' = 'true';`)).rejects.toThrow(/^SET 'table.optimizer.join-reorder-enabled': Weir does not act on this Flink setting/);
    await expect(run(`SET 'execution.runtime-mode' = 'batch';`)).rejects.toThrow(/Weir runs streaming queries only/);
  });

  it('leaves --set placeholders alone: they are not settings', async () => {
    const engine = new Engine({ settings: { EVENTS_NUM: '10' } });
    await expect(engine.execute(`CREATE TABLE t (x INT) WITH ('connector' = 'nexmark', 'events.num' = '\${EVENTS_NUM}');`)).resolves.toEqual([]);
  });
});
