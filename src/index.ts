/**
 * Weir's public surface: the Engine, the queries it runs, clocks, and the types users touch.
 * Everything else is internal and may change.
 */
export { Engine } from './engine/engine.js';
export type { EngineOptions, ExecuteOptions } from './engine/engine.js';
export type { AggregateFunctionDef, TableFunctionDef } from './common/user-function-types.js';
export type { Dashboard, DashboardOptions } from './dashboard/index.js';
export { StreamingQuery } from './executor/streaming/streaming-query.js';
export type { QueryProgress, QueryEvent, QueryListener, QueryStatus, SourceProgress } from './executor/streaming/progress.js';
export type { ConnectorRetry, RetrySummary } from './executor/streaming/connector-retry.js';
export type { StateOperatorProgress } from './executor/operators/operator.js';
export { ManualClock, SystemClock } from './executor/streaming/clock.js';
export type { Clock } from './executor/streaming/clock.js';
export { WeirError, InternalError } from './common/errors.js';
export type { SqlType } from './common/types.js';
export type { OutputMode, RejectedRecord } from './connectors/api.js';
export type { Change, ChangeKind } from './connectors/memory/index.js';
export type { ForeachBatchContext, ForeachBatchHandler } from './connectors/foreach-batch/index.js';
export type { Connector, ConnectorTable, ConnectorContext, Source, Sink, SinkBatch, SinkWriter, SourceReadResult, Json } from './connectors/api.js';
export { ConnectorUnavailableError, RowKind } from './connectors/api.js';
export type { Schema } from './common/schema.js';
