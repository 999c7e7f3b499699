/** Shared set-up for planner tests: SQL text → catalog, plans, EXPLAIN text, and errors with their position. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WeirError } from '../../src/common/errors.js';
import type { Statement } from '../../src/parser/ast.js';
import { parseScript } from '../../src/parser/parse.js';
import type { LogicalPlan, OutputModeName, StreamingPlan } from '../../src/planner/index.js';
import { applyDdl, bindInsert, bindQuery, Catalog, explain, optimize, planStreaming } from '../../src/planner/index.js';
import { explainLogical } from '../../src/planner/explain.js';
import { NATIVE_JAVA_FUNCTIONS } from '../../src/engine/native-functions.js';

export const NEXMARK_DDL = readFileSync(fileURLToPath(new URL('./golden/_nexmark.sql', import.meta.url)), 'utf8');

export function statements(sql: string): readonly Statement[] {
  return parseScript(sql).statements;
}

/** Apply every DDL statement of `sql` to `catalog`; return the plans of its queries and INSERTs. */
export function run(sql: string, catalog = new Catalog()): { catalog: Catalog; plans: LogicalPlan[] } {
  const plans: LogicalPlan[] = [];
  for (const s of statements(sql)) {
    switch (s.kind) {
      case 'createTable': case 'createView': case 'drop':
        applyDdl(s, catalog);
        break;
      case 'createFunction': {
        // the benchmark's Java classes Weir implements get their declared types, as the Engine gives them
        const native = NATIVE_JAVA_FUNCTIONS.get(s.path);
        if (!native) { applyDdl(s, catalog); break; }
        const name = s.name[s.name.length - 1]!.value;
        catalog.addFunction({ kind: 'function', name, returns: native.returns, arity: native.params.length, params: native.params, span: s.span });
        break;
      }
      case 'query':
        plans.push(bindQuery(s.query, catalog));
        break;
      case 'insert':
        plans.push(bindInsert(s, catalog).plan);
        break;
      default:
        break;
    }
  }
  return { catalog, plans };
}

export function catalogOf(ddl: string): Catalog {
  return run(ddl).catalog;
}

export function nexmark(): Catalog {
  return catalogOf(NEXMARK_DDL);
}

/** The plan of the last query or INSERT in `sql`, over `catalog`. */
export function plan(sql: string, catalog: Catalog = new Catalog()): LogicalPlan {
  const { plans } = run(sql, catalog);
  if (plans.length === 0) throw new Error('no query in the SQL');
  return plans[plans.length - 1]!;
}

export const logical = (sql: string, catalog?: Catalog): string => explainLogical(plan(sql, catalog));
export const optimized = (sql: string, catalog?: Catalog): string => explainLogical(optimize(plan(sql, catalog)));

export function streaming(sql: string, catalog?: Catalog, mode?: OutputModeName): StreamingPlan {
  return planStreaming(optimize(plan(sql, catalog)), { mode });
}

export function explainAll(sql: string, catalog?: Catalog, mode?: OutputModeName): string {
  const p = optimize(plan(sql, catalog));
  return explain(p, planStreaming(p, { mode }));
}

/** `CODE line:column message` of the WeirError `f` throws (fails the test when it throws none). */
export function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof WeirError) return `${e.code} ${e.span ? `${e.span.line}:${e.span.column}` : '-'} ${e.message}`;
    throw e;
  }
  throw new Error('expected a WeirError, got none');
}
