/** The three output modes of Structured Streaming (CONTRACT.md "Time, watermarks and output modes"). */
export type OutputModeName = 'append' | 'update' | 'complete';

export const OUTPUT_MODES: readonly OutputModeName[] = ['append', 'update', 'complete'];

export function parseOutputMode(s: string): OutputModeName | undefined {
  const m = s.trim().toLowerCase();
  return (OUTPUT_MODES as readonly string[]).includes(m) ? (m as OutputModeName) : undefined;
}
