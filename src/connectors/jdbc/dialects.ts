/** The dialect a url's scheme picks (options.ts parsed it). */
import type { Dialect } from './dialect.js';
import type { JdbcTarget } from './options.js';
import { postgresDialect } from './postgres.js';
import { sqliteDialect } from './sqlite.js';

export function dialectFor(target: JdbcTarget): Dialect {
  return target.kind === 'postgresql' ? postgresDialect(target) : sqliteDialect(target);
}
