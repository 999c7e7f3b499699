/**
 * The engine's heavy parts, loaded when a statement first needs them rather than with the package:
 * `import('weir')` should not pay for the SQL parser (chevrotain and its grammar), the planner, the
 * executor, the connectors and their formats (hyparquet, csv-parse, …) before the first statement.
 * EXPLAIN loads the parser and planner only; running a query loads the rest. Each import is made once
 * (the module cache) and these functions only name the modules; test/engine/layering.test.ts checks
 * that the package root stays free of them.
 */
export const loadParser = () => import('../parser/parse.js');
export const loadPlanner = () => import('../planner/index.js');
export const loadPlanQuery = () => import('./plan-query.js');
export const loadStartQuery = () => import('./start-query.js');
export const loadConnectorRegistry = () => import('../connectors/registry.js');
export const loadMemoryTables = () => import('../connectors/memory/index.js');
export const loadForeachBatch = () => import('../connectors/foreach-batch/index.js');
export const loadSettingsRegistry = () => import('./settings-registry.js');
