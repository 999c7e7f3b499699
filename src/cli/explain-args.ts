/**
 * `weir explain FILE [--set KEY=VALUE ...] [--output-mode MODE]` read without commander: loading it
 * is 20-50 ms of a command that takes a few hundred (issue 12 item 4). Only that plain form is taken
 * here; anything else (help, a version flag, another option, a missing or second file, a bad mode)
 * returns undefined and goes through commander, which gives its usual messages and exit codes.
 */

export const OUTPUT_MODES = ['append', 'update', 'complete'] as const;

export interface ExplainArguments {
  readonly file: string;
  readonly opts: { set: string[]; outputMode?: string };
}

export function plainExplainArguments(argv: readonly string[]): ExplainArguments | undefined {
  if (argv[0] !== 'explain') return undefined;
  let file: string | undefined;
  const set: string[] = [];
  let outputMode: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      if (file !== undefined) return undefined;
      file = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (name !== '--set' && name !== '--output-mode') return undefined;
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[++i];
      // a value that looks like an option is commander's to judge
      if (value === undefined || value.startsWith('-')) return undefined;
    }
    if (name === '--set') {
      set.push(value);
    } else {
      if (!(OUTPUT_MODES as readonly string[]).includes(value)) return undefined;
      outputMode = value;
    }
  }
  if (file === undefined) return undefined;
  return { file, opts: outputMode === undefined ? { set } : { set, outputMode } };
}
