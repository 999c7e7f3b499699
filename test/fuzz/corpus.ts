/**
 * The scripts the SQL fuzz test mutates: the Nexmark benchmark's query files over its own DDL, the
 * planner's golden scripts, the README's SQL examples and the demo script. Each entry is a whole
 * script as `weir explain` would read it (DDL first).
 *
 * CREATE FUNCTION with a module path is kept out: planning must never import user modules, which is
 * being fixed apart from this test; the benchmark's Java classes that Weir implements natively stay
 * (they load nothing). The fuzz test skips any mutant that would load a module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusScript {
  readonly name: string;
  readonly sql: string;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  TPS: '10000000', EVENTS_NUM: '1000', PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
  NEXMARK_TABLE: 'datagen', NEXMARK_DIR: '/tmp/nexmark', SUBMIT_TIME: '20260101', FLINK_HOME: '/opt/flink',
  BOOTSTRAP_SERVERS: 'localhost:9092',
};

function read(rel: string): string {
  return readFileSync(path.join(ROOT, rel), 'utf8').replace(/\$\{(\w+)\}/g, (_, k: string) => PLACEHOLDERS[k] ?? `\${${k}}`);
}

function nexmarkScripts(): CorpusScript[] {
  const dir = 'test/fixtures/nexmark';
  const ddl = `${read(`${dir}/ddl_gen.sql`).trimEnd()};\n${read(`${dir}/ddl_views.sql`)}\n`;
  const out: CorpusScript[] = [{ name: 'nexmark/ddl_kafka.sql', sql: read(`${dir}/ddl_kafka.sql`) }];
  for (const f of readdirSync(path.join(ROOT, dir)).filter((x) => /^q\d+\.sql$/.test(x)).sort()) {
    out.push({ name: `nexmark/${f}`, sql: ddl + read(`${dir}/${f}`) });
  }
  return out;
}

function goldenScripts(): CorpusScript[] {
  const dir = 'test/planner/golden';
  const nexmark = read(`${dir}/_nexmark.sql`);
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.sql') && !f.startsWith('_'))
    .sort()
    .map((f) => {
      const sql = read(`${dir}/${f}`);
      return { name: `golden/${f}`, sql: sql.includes('-- include: _nexmark.sql') ? `${nexmark}\n${sql}` : sql };
    });
}

/** ```sql blocks, and the SQL of the quick start's here-document, over the Nexmark DDL. */
function readmeScripts(): CorpusScript[] {
  const readme = read('README.md');
  const nexmark = read('test/planner/golden/_nexmark.sql');
  const blocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const heredocs = [...readme.matchAll(/<<'SQL'\n([\s\S]*?)\nSQL\n/g)].map((m) => m[1]!);
  return [...blocks, ...heredocs].map((sql, i) => ({ name: `README.md#${i}`, sql: `${nexmark}\n${sql}` }));
}

let cached: readonly CorpusScript[] | undefined;

export function corpus(): readonly CorpusScript[] {
  cached ??= [
    ...nexmarkScripts(),
    ...goldenScripts(),
    ...readmeScripts(),
    { name: 'examples/demo.sql', sql: read('examples/demo.sql') },
  ].filter((s) => !/CREATE\s+(TEMPORARY\s+)?(SYSTEM\s+)?FUNCTION\s+\w+\s+AS\s+'(?!com\.github\.nexmark)/i.test(s.sql));
  return cached;
}
