/**
 * The filesystem connector's options: the path (a plain path, resolved against the SQL file's
 * directory, or a `file://` URI), the
 * monitor interval (a duration, as Flink writes them: '1 s', '500ms', '2 min') and the per-trigger
 * file cap.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeirError } from '../../common/errors.js';
import type { ConnectorTable } from '../api.js';

export const SOURCE_OPTION_KEYS: readonly string[] = ['path', 'format', 'source.monitor-interval', 'source.max-files-per-trigger', 'source.max-bytes-per-trigger', 'source.read-chunk-size'];
export const SINK_OPTION_KEYS: readonly string[] = ['path', 'format'];

/**
 * `path` as an absolute path: a plain path resolved against `baseDir`, or a `file:` URI naming a path
 * on this machine (`file:///abs/dir/`, `file:/abs/dir`, `file://localhost/abs/dir`, percent-escapes
 * decoded). Missing is WeirError('OPTION') at the connector option; another scheme, a URI with a host,
 * a query or a fragment, or a relative `file:` URI is refused at the path option rather than read
 * somewhere the user did not point at.
 */
export function resolvedPath(table: ConnectorTable, baseDir: string): string {
  const p = table.options.get('path');
  if (p === undefined || p.trim() === '') {
    throw new WeirError('OPTION', `table '${table.name}': connector 'filesystem' needs the option 'path'`, table.optionSpans.get('connector'));
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(p)?.[1];
  // a one-letter "scheme" is a Windows drive (C:\data)
  if (scheme === undefined || scheme.length === 1) return path.resolve(baseDir, p);
  const bad = (why: string): never => {
    throw new WeirError('OPTION', `table '${table.name}': path '${p}' ${why}`, table.optionSpans.get('path'));
  };
  if (scheme.toLowerCase() !== 'file') return bad(`has the scheme '${scheme}:': expected a plain path or a file:// URI`);
  if (!/^file:\//i.test(p)) return bad('is a relative file: URI: write an absolute one, file:///dir/file');
  let url: URL;
  try {
    url = new URL(p);
  } catch {
    return bad('is not a valid file:// URI');
  }
  if (url.host !== '' && url.host !== 'localhost') {
    return bad(`names the host '${url.host}': a file:// URI names a path on this machine, with three slashes (file:///dir/file); was a placeholder before it empty or relative?`);
  }
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(p)) return bad("has a query or a fragment ('?' or '#'): escape them as %3F and %23");
  try {
    return path.resolve(fileURLToPath(url));
  } catch (e) {
    return bad(`is not a valid file:// URI: ${(e as Error).message}`);
  }
}

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ms', 1], ['milli', 1], ['millis', 1], ['millisecond', 1], ['milliseconds', 1],
  ['s', 1000], ['sec', 1000], ['secs', 1000], ['second', 1000], ['seconds', 1000],
  ['min', 60_000], ['mins', 60_000], ['m', 60_000], ['minute', 60_000], ['minutes', 60_000],
  ['h', 3_600_000], ['hour', 3_600_000], ['hours', 3_600_000],
  ['d', 86_400_000], ['day', 86_400_000], ['days', 86_400_000],
]);

/**
 * A duration as Flink's config writes it: a number and an optional unit (no unit = milliseconds).
 * Returns undefined for text that is not one.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : UNIT_MS.get(unit);
  if (factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}

/** `source.monitor-interval` in ms, or undefined when not set (a bounded source). */
export function monitorInterval(table: ConnectorTable): number | undefined {
  const key = 'source.monitor-interval';
  const v = table.options.get(key);
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    throw new WeirError('OPTION', `option '${key}' must be a positive duration such as '1 s', '500 ms' or '2 min', got '${v}'`, table.optionSpans.get(key));
  }
  return ms;
}

/** `source.max-files-per-trigger`, or Infinity when not set. */
export function maxFilesPerTrigger(table: ConnectorTable): number {
  const key = 'source.max-files-per-trigger';
  const v = table.options.get(key);
  if (v === undefined) return Infinity;
  const n = Number(v.trim());
  if (!/^\s*\d+\s*$/.test(v) || n < 1) {
    throw new WeirError('OPTION', `option '${key}' must be a positive whole number, got '${v}'`, table.optionSpans.get(key));
  }
  return n;
}

/** The default of `source.max-bytes-per-trigger`. */
export const DEFAULT_MAX_BYTES_PER_TRIGGER = 32 << 20;

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1 << 20, mb: 1 << 20, g: 1 << 30, gb: 1 << 30 };

/**
 * `source.max-bytes-per-trigger`: a batch takes new files while the bytes of those taken so far are
 * below it (always at least one file), so that a directory larger than memory is read a part at a
 * time: a batch holds its rows in memory until its operators have run. A whole number of bytes, or
 * with a unit as Flink writes memory sizes (`64 mb`, `1gb`: kb, mb, gb are 2^10, 2^20, 2^30 bytes).
 * Default 32 MiB: with every column of a text file read, a batch's decoded rows take a few times its
 * file bytes.
 */
export function maxBytesPerTrigger(table: ConnectorTable): number {
  const key = 'source.max-bytes-per-trigger';
  const v = table.options.get(key);
  if (v === undefined) return DEFAULT_MAX_BYTES_PER_TRIGGER;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(v);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) {
    throw new WeirError('OPTION', `option '${key}' must be a positive size in bytes, such as '67108864', '64 mb' or '1 gb', got '${v}'`, table.optionSpans.get(key));
  }
  return n;
}

/**
 * `source.read-chunk-size`: bytes a text file is read in at a time (default 4 MiB). A file is
 * decoded piece by piece, so its text never has to fit in memory at once; a record longer than a
 * chunk grows the buffer to hold it.
 */
export function readChunkSize(table: ConnectorTable): number {
  const key = 'source.read-chunk-size';
  const v = table.options.get(key);
  if (v === undefined) return 4 << 20;
  const n = Number(v.trim());
  if (!/^\s*\d+\s*$/.test(v) || n < 1 || n > 1 << 30) {
    throw new WeirError('OPTION', `option '${key}' must be a whole number of bytes from 1 to 1073741824, got '${v}'`, table.optionSpans.get(key));
  }
  return n;
}

// ── The partitioned sink's options, as Flink's filesystem sink names them ──────────────────────
// (a self-contained block: partition commit, time extraction and rolling)

/** The filesystem sink's partition-commit and rolling-policy options (Flink's names). */
export const SINK_PARTITION_OPTION_KEYS: readonly string[] = [
  'sink.partition-commit.trigger', 'sink.partition-commit.delay', 'sink.partition-commit.policy.kind',
  'sink.partition-commit.success-file.name', 'partition.time-extractor.timestamp-pattern',
  'sink.rolling-policy.rollover-interval', 'sink.rolling-policy.check-interval',
];

export type PartitionCommitTrigger = 'process-time' | 'partition-time';

/** How the sink commits partitions; `successFile` undefined: no policy, nothing is written. */
export interface PartitionCommitOptions {
  readonly trigger: PartitionCommitTrigger;
  readonly delayMs: number;
  /** the success-file policy's file name (`_SUCCESS`), when that policy is chosen */
  readonly successFile: string | undefined;
  /** `$dt $hm:00`: partition values put in a timestamp text; undefined = the first partition key's value */
  readonly timestampPattern: string | undefined;
}

/**
 * The partition-commit options of a sink table, validated. The rolling-policy options are accepted
 * and checked as durations only: a new part file per micro-batch already rolls the files.
 */
export function partitionCommitOptions(table: ConnectorTable): PartitionCommitOptions {
  const opt = (key: string): string | undefined => table.options.get(key);
  const fail = (key: string, message: string): never => {
    throw new WeirError('OPTION', `table '${table.name}': option '${key}' ${message}`, table.optionSpans.get(key));
  };
  const duration = (key: string, allowZero: boolean): number | undefined => {
    const v = opt(key);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined || ms < 0 || (!allowZero && ms === 0)) {
      fail(key, `must be a ${allowZero ? '' : 'positive '}duration such as '1 min', '30 s' or '500 ms', got '${v}'`);
    }
    return ms;
  };

  const triggerKey = 'sink.partition-commit.trigger';
  const triggerText = (opt(triggerKey) ?? 'process-time').trim().toLowerCase();
  if (triggerText !== 'process-time' && triggerText !== 'partition-time') {
    fail(triggerKey, `must be 'process-time' or 'partition-time', got '${opt(triggerKey)}'`);
  }
  const delayMs = duration('sink.partition-commit.delay', true) ?? 0;
  duration('sink.rolling-policy.rollover-interval', false);
  duration('sink.rolling-policy.check-interval', false);

  const policyKey = 'sink.partition-commit.policy.kind';
  let successFile: string | undefined;
  const policyText = opt(policyKey);
  if (policyText !== undefined) {
    for (const raw of policyText.split(',')) {
      const kind = raw.trim().toLowerCase();
      if (kind === 'success-file') continue;
      if (kind === 'metastore') fail(policyKey, "'metastore' is not supported: Weir has no Hive metastore to add partitions to; use 'success-file'");
      if (kind === 'custom') fail(policyKey, "'custom' is not supported: it names a Java class, which Weir cannot load; use 'success-file'");
      fail(policyKey, `must be 'success-file' (or a comma list of policies), got '${raw.trim()}'`);
    }
    if (policyText.split(',').some((k) => k.trim().toLowerCase() === 'success-file')) {
      const nameKey = 'sink.partition-commit.success-file.name';
      successFile = (opt(nameKey) ?? '_SUCCESS').trim();
      if (successFile === '' || /[/\\]/.test(successFile) || successFile === '.' || successFile === '..') {
        fail(nameKey, `must be a plain file name, got '${opt(nameKey)}'`);
      }
    }
  }
  const pattern = opt('partition.time-extractor.timestamp-pattern');
  return { trigger: triggerText as PartitionCommitTrigger, delayMs, successFile, timestampPattern: pattern };
}
