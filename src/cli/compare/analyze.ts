/**
 * The first step of `weir compare`: read the script, apply its DDL, and pick the statement to
 * compare: the first INSERT INTO or SELECT whose plan aggregates over a window (TUMBLE, HOP,
 * CUMULATE, SESSION, or a group window) on a watermarked rowtime column. Also writes the script the
 * two replays run: the same DDL and settings, with only the chosen statement left as a query.
 */
import { WeirError } from '../../common/errors.js';
import { typeToString } from '../../common/types.js';
import { Engine } from '../../engine/engine.js';
import { substituteVariables } from '../../engine/variables.js';
import type { InsertStmt, QueryStmt, Statement } from '../../parser/ast.js';
import { parseScript } from '../../parser/parse.js';
import type { Catalog } from '../../planner/catalog.js';
import type { StreamingPlan } from '../../planner/incremental/physical.js';
import { bindInsert, bindQuery, optimize, planStreaming } from '../../planner/index.js';
import { windowShape, type WindowShape } from './plan-shape.js';

export interface Analysis {
  readonly file: string;
  /** the script after `${NAME}` substitution: the text every span points into */
  readonly text: string;
  readonly statements: readonly Statement[];
  readonly chosen: InsertStmt | QueryStmt;
  /** an engine with the script's DDL applied and the original connectors (to read the input) */
  readonly engine: Engine;
  readonly plan: StreamingPlan;
  readonly shape: WindowShape;
}

/** Settings the replays decide themselves: results must be final rows, and batches run when told. */
const REPLAY_OWNED_SETTINGS = new Set(['output-mode', 'outputmode', 'execution.output-mode', 'trigger', 'execution.trigger']);

/** The memory table a bare SELECT's rows go to in the replays. */
export const RESULT_TABLE = '__weir_compare_result';

/** The plan in append mode: a window aggregation emits each window once, when it is final. */
export function planAppend(stmt: InsertStmt | QueryStmt, catalog: Catalog): StreamingPlan {
  const bound = stmt.kind === 'insert' ? bindInsert(stmt, catalog).plan : bindQuery(stmt.query, catalog);
  return planStreaming(optimize(bound), { mode: 'append', modeSpan: stmt.span });
}

function isQuery(s: Statement): s is InsertStmt | QueryStmt {
  return s.kind === 'insert' || s.kind === 'query';
}

/** `text` with the statements `drop` says blanked out (newlines kept, so positions stay put). */
function blank(text: string, statements: readonly Statement[], drop: (s: Statement) => boolean): string {
  let out = text;
  for (const s of statements) {
    if (!drop(s)) continue;
    const from = s.span.offset;
    const to = from + (s.span.length ?? 0);
    out = out.slice(0, from) + out.slice(from, to).replace(/[^\n]/g, ' ') + out.slice(to);
  }
  return out;
}

export async function analyzeScript(sql: string, file: string, settings: Readonly<Record<string, string>>): Promise<Analysis> {
  const lower = new Map(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v]));
  const text = substituteVariables(sql, lower, file);
  let statements: readonly Statement[];
  try {
    statements = parseScript(text, file).statements;
  } catch (e) {
    if (e instanceof WeirError) e.file ??= file;
    throw e;
  }
  const engine = new Engine({ settings });
  await engine.execute(blank(text, statements, (s) => isQuery(s) || s.kind === 'explain'), { file });
  // compare runs the query it plans here, so its function modules are imported now (typed plans)
  await engine.importFunctionModules().catch((e: unknown) => { throw withFileName(e, file); });
  for (const stmt of statements) {
    if (!isQuery(stmt)) continue;
    let plan: StreamingPlan;
    try {
      plan = planAppend(stmt, engine.catalog);
    } catch (e) {
      // a query that cannot run in append mode has no window to compare; any other mistake is the user's to hear
      if (e instanceof WeirError && e.code === 'PLAN') continue;
      throw withFileName(e, file);
    }
    let shape: WindowShape | undefined;
    try {
      shape = windowShape(plan, stmt.span);
    } catch (e) {
      throw withFileName(e, file);
    }
    if (shape) return { file, text, statements, chosen: stmt, engine, plan, shape };
  }
  throw new WeirError('PLAN', 'weir compare: no windowed query in the script: compare needs an INSERT INTO or SELECT that ' +
    'aggregates over TUMBLE, HOP, CUMULATE or SESSION on a column declared with WATERMARK FOR', undefined, file);
}

function withFileName(e: unknown, file: string): unknown {
  if (e instanceof WeirError) e.file ??= file;
  return e;
}

/**
 * The script a replay runs: the DDL and settings as written, the chosen statement, and nothing else
 * (other queries would read other inputs). A bare SELECT becomes an INSERT into a memory table, on
 * the same line so that positions in errors stay close.
 */
export function replayScript(a: Analysis): { readonly text: string; readonly target: string } {
  const drop = (s: Statement): boolean =>
    (s !== a.chosen && (isQuery(s) || s.kind === 'explain'))
    || (s.kind === 'set' && s.key !== undefined && REPLAY_OWNED_SETTINGS.has(s.key.toLowerCase()));
  let text = blank(a.text, a.statements, drop);
  if (a.chosen.kind === 'insert') {
    return { text, target: a.chosen.target[a.chosen.target.length - 1]!.value };
  }
  const cols = a.plan.root.schema.columns.map((c, i) => `c${i} ${typeToString(c.type)}`).join(', ');
  const from = a.chosen.span.offset;
  const to = from + (a.chosen.span.length ?? 0);
  const insert = `CREATE TABLE ${RESULT_TABLE} (${cols}) WITH ('connector' = 'memory'); INSERT INTO ${RESULT_TABLE} ${text.slice(from, to)}`;
  text = text.slice(0, from) + insert + text.slice(to);
  return { text, target: RESULT_TABLE };
}
