/**
 * Every key `SET 'key' = 'value'` accepts, in one place. A misspelt key used to be accepted and do
 * nothing, so `SET 'table.exec.state.ttl' = '1 h'` looked like it bounded state when it did not. Now
 * a key Weir does not know is an error naming the closest known key, and a Flink key Weir does not
 * act on is refused by name with the reason, rather than silently ignored.
 *
 * Values are checked where they are read (a bad duration or mode is an error there, with its
 * reason); `--set NAME=value` placeholders (`${NAME}` in a script) are not settings and are not
 * checked here.
 */
import { WeirError, type SourceSpan } from '../common/errors.js';
import { didYouMean } from '../connectors/registry.js';
import { parseStateTtl, STATE_TTL_SETTING } from '../planner/incremental/state-ttl.js';
import { MAX_PARALLELISM_SETTING, PARALLELISM_SETTINGS, parseParallelism } from '../planner/incremental/parallelism-setting.js';

/** The keys Weir acts on, with what they do (for the error that lists them). */
export const SETTINGS: Readonly<Record<string, string>> = {
  'output-mode': 'append | update | complete',
  'outputmode': "Spark's spelling of output-mode",
  'execution.output-mode': 'the same',
  'trigger': "available-now | once | continuous | an interval ('10 s')",
  'execution.trigger': 'the same',
  'pipeline.name': "the query's name (its checkpoint sub-directory)",
  'table.local-time-zone': "the session time zone ('UTC', 'Europe/Berlin')",
  'state.backend': 'memory | filesystem | lmdb',
  'state.snapshot-interval': 'batches between state snapshots',
  'state.cache-entries': "the lmdb backend's cache size",
  'state.spill-threshold': 'bytes of join rows and Top-N partitions an operator keeps in memory before the least recently used wait in a temporary file (8388608; 0: never)',
  'checkpoint.retain': 'committed batches kept in the checkpoint',
  'late-rows.table': 'the table that receives rows dropped as late',
  'rejected-records.path': 'where malformed records are kept',
  'connector.retry.timeout': 'how long a query waits for a server that is away',
  'connector.retry.initial-backoff': 'the first wait between attempts',
  'connector.retry.max-backoff': 'the longest wait between attempts',
  'execution.runtime-mode': "'streaming' (the only mode)",
  'table.exec.source.idle-timeout': 'how long an input without rows holds the watermark back',
  'table.exec.state.ttl': "how long GROUP BY and join state is kept unwritten ('1 h'; 0: forever)",
  'parallelism': 'the number of tasks a query runs as (1 by default)',
  'parallelism.default': "Flink's spelling of parallelism",
  'parallelism.threads': "'true' (a parallel query's tasks on worker threads, the default) | 'false' (inline, in the query's thread)",
  'pipeline.max-parallelism': 'the number of key groups state is split into (128; fixed for a query)',
};

/** Flink keys Weir knows it does not act on yet, and why; refused rather than ignored. */
const NOT_ACTED_ON: Readonly<Record<string, string>> = {
  'table.exec.mini-batch.enabled': 'Weir always runs micro-batches',
  'table.exec.mini-batch.allow-latency': 'Weir always runs micro-batches (the trigger sets their pace)',
  'table.exec.mini-batch.size': 'Weir always runs micro-batches (source options cap their size)',
  'execution.checkpointing.interval': 'every micro-batch is a checkpoint (give --checkpoint)',
};

/** Prefixes of Flink's own configuration: a key under them that Weir does not know is Flink's, not a typo of Weir's. */
const FLINK_PREFIXES = ['table.', 'execution.', 'pipeline.', 'state.', 'parallelism.', 'sql-client.', 'restart-strategy.', 'taskmanager.', 'jobmanager.'];

/** Refuse a SET of a key Weir does not act on. */
export function checkSetting(key: string, value: string | undefined, span: SourceSpan | undefined): void {
  const k = key.toLowerCase();
  if (k === 'execution.runtime-mode' && value !== undefined && value.trim().toLowerCase() !== 'streaming') {
    throw new WeirError('OPTION', `SET 'execution.runtime-mode' = '${value}': Weir runs streaming queries only ('streaming'); a bounded input ends a query by itself`, span);
  }
  if (k === STATE_TTL_SETTING && value !== undefined) parseStateTtl(value, span);
  if ((k === MAX_PARALLELISM_SETTING || (PARALLELISM_SETTINGS as readonly string[]).includes(k)) && value !== undefined) {
    parseParallelism(new Map([[k, value]]), span);
  }
  if (k in SETTINGS) return;
  const reason = NOT_ACTED_ON[k];
  if (reason !== undefined) {
    throw new WeirError('UNSUPPORTED', `SET '${key}' is a Flink setting Weir does not act on: ${reason}`, span);
  }
  const known = Object.keys(SETTINGS);
  const hint = didYouMean(k, known);
  if (hint === '' && FLINK_PREFIXES.some((p) => k.startsWith(p))) {
    throw new WeirError('UNSUPPORTED', `SET '${key}': Weir does not act on this Flink setting; the settings it knows are ${known.map((x) => `'${x}'`).join(', ')}`, span);
  }
  throw new WeirError('OPTION', `unknown setting '${key}'${hint}; the settings Weir knows are ${known.map((x) => `'${x}'`).join(', ')}`, span);
}
