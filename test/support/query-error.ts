/** The error a query fails with: started, fed `input` on memory table `t`, run until it fails. */
import type { Engine } from '../../src/engine/engine.js';
import type { WeirError } from '../../src/common/errors.js';

export async function queryError(engine: Engine, sql: string, input: readonly Record<string, unknown>[]): Promise<WeirError> {
  try {
    const [q] = await engine.execute(sql);
    engine.input('t').push(input as Record<string, unknown>[]);
    await q!.processAllAvailable();
  } catch (e) {
    return e as WeirError;
  } finally {
    await engine.stop();
  }
  throw new Error('expected an error');
}
