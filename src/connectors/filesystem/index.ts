/**
 * The `filesystem` connector: a directory of JSON-lines or CSV files as a source (source.ts) and an
 * exactly-once directory of part files plus manifests as a sink (sink.ts). layout.ts holds what
 * both agree on.
 */
import type { Connector } from '../api.js';
import { FilesystemSink } from './sink.js';
import { FilesystemSource } from './source.js';
import { SINK_PARTITION_OPTION_KEYS, SOURCE_OPTION_KEYS } from './options.js';

export { FilesystemSink } from './sink.js';
export { FilesystemSource } from './source.js';
export { parseOffset, type FilesOffset } from './file-parts.js';
export { listCommittedFiles, listInputFiles } from './layout.js';
export { parseDuration } from './options.js';

export const filesystemConnector: Connector = {
  name: 'filesystem',
  // the sink's options are the source's plus those of partition commit and rolling
  options: [...SOURCE_OPTION_KEYS, ...SINK_PARTITION_OPTION_KEYS],
  createSource: (table, ctx) => new FilesystemSource(table, ctx),
  createSink: (table, ctx) => new FilesystemSink(table, ctx),
};
