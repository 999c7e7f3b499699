/**
 * Wrong results the optimizer differential test found (test/support/plan-regressions.ts). Not a
 * test yet (the name does not end in .test.ts): rename it to optimizer-regressions.test.ts when they
 * are fixed, and drop the generator's detour that query-generator.ts names.
 */
import { describe, it } from 'vitest';
import { PLAN_REGRESSIONS } from '../support/plan-regressions.js';

describe('plans the optimizer rewrote into wrong results', () => {
  for (const [name, check] of Object.entries(PLAN_REGRESSIONS)) it(name, check);
});
