/**
 * `${NAME}` placeholders in a script take the value of setting NAME (`--set NAME=value` on the
 * command line, or the API's settings), so the Nexmark benchmark's own files (`'events.num' =
 * '${EVENTS_NUM}'`) run unchanged. An unknown placeholder is an error at its position.
 */
import { WeirError } from '../common/errors.js';

export function substituteVariables(sql: string, settings: ReadonlyMap<string, string>, file: string): string {
  return sql.replace(/\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g, (whole, name: string, offset: number) => {
    const v = settings.get(name.toLowerCase());
    if (v !== undefined) return v;
    const before = sql.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new WeirError('OPTION', `no value for the placeholder ${whole}: pass --set ${name}=VALUE`,
      { line, column, offset, length: whole.length }, file);
  });
}
