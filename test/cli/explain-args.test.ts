/**
 * `weir explain FILE` with --set / --output-mode is read without commander (src/cli/explain-args.ts,
 * start-up); every other form goes to commander, so its help, errors and exit codes stay as they were.
 */
import { describe, expect, it } from 'vitest';
import { plainExplainArguments } from '../../src/cli/explain-args.js';

describe('plain explain arguments', () => {
  it('reads the file, repeated --set in both spellings, and the last --output-mode', () => {
    expect(plainExplainArguments(['explain', 'q.sql'])).toEqual({ file: 'q.sql', opts: { set: [] } });
    expect(plainExplainArguments(['explain', '--set', 'a=1', 'q.sql', '--set=b=x=y', '--output-mode', 'append', '--output-mode=complete']))
      .toEqual({ file: 'q.sql', opts: { set: ['a=1', 'b=x=y'], outputMode: 'complete' } });
  });

  it('leaves every other form to commander', () => {
    for (const argv of [
      [], ['run', 'q.sql'], ['compare', 'q.sql'], ['explain'], ['explain', 'a.sql', 'b.sql'], ['explain', '--help'], ['explain', 'q.sql', '-h'],
      ['explain', 'q.sql', '--trigger', 'once'], ['explain', 'q.sql', '--output-mode', 'sideways'], ['explain', 'q.sql', '--output-mode'],
      ['explain', 'q.sql', '--set'], ['explain', 'q.sql', '--set', '--output-mode'], ['explain', '--', 'q.sql'], ['--version'],
    ]) expect(plainExplainArguments(argv), argv.join(' ')).toBeUndefined();
  });
});
