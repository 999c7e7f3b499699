/**
 * The on-disk layout the filesystem source and sink share.
 *
 * - Data files are every file under the directory, depth first, each level in name order (code-unit
 *   order, the same on every machine). Names starting with '_' or '.' are skipped: '.' marks files
 *   being written (temp names), '_' marks metadata (`_manifest`), as Hadoop/Flink/Spark do.
 * - Partitioned data lives in `k=v` directories (Hive style). A value is escaped with %XX (upper-case
 *   hex) for the characters Hive and Flink escape — control characters, `"`, `#`, `%`, `'`, `*`, `/`,
 *   `:`, `=`, `?`, `\`, DEL, `{`, `}`, `[`, `]`, `^` — and for `<`, `>`, `|`, which Windows cannot hold
 *   in a name; so `10:00` is `10%3A00`, as Flink writes it. A leading `.` or `_` is escaped too (it
 *   would hide the directory). Hive and Flink read any %XX back, so both read these directories.
 *   NULL is `__DEFAULT_PARTITION__` (Hive's, Flink's name).
 * - A directory written by the exactly-once sink holds `_manifest/<batchId, 8 digits>` files, each
 *   listing (one relative path a line) the part files of one committed batch. When `_manifest`
 *   exists, a reader takes only the files the manifests list: part files of a batch that never
 *   committed are invisible.
 */
import { promises as fsp, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';

export const MANIFEST_DIR = '_manifest';
export const DEFAULT_PARTITION = '__DEFAULT_PARTITION__';

export const isHiddenName = (name: string): boolean => name.startsWith('_') || name.startsWith('.');

/** Whether `p` exists (a file or a directory), asynchronously; the sink's manifests and partition commits ask it. */
export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every visible file under `dir` as relative paths with '/' separators, depth first in name order. */
export async function listVisibleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = (await fsp.readdir(rel ? path.join(dir, rel) : dir, { withFileTypes: true })).sort(byName);
    for (const e of entries) {
      if (isHiddenName(e.name)) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() || e.isSymbolicLink()) out.push(child);
    }
  };
  await walk('');
  return out;
}

/**
 * The files a reader takes from `dir`: the visible files, restricted to those the manifests list
 * when the directory was written by the filesystem sink.
 */
export async function listInputFiles(dir: string): Promise<string[]> {
  const files = await listVisibleFiles(dir);
  if (!isDirectory(path.join(dir, MANIFEST_DIR))) return files;
  const committed = new Set(listCommittedFiles(dir));
  return files.filter((f) => committed.has(f));
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const manifestName = (batchId: number): string => String(batchId).padStart(8, '0');

/** Batch ids that have a manifest in `dir`, ascending. */
export function committedBatchIds(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dir, MANIFEST_DIR));
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/** The part files manifest `batchId` lists (relative paths). */
export function readManifest(dir: string, batchId: number): string[] {
  const text = readFileSync(path.join(dir, MANIFEST_DIR, manifestName(batchId)), 'utf8');
  return text.split('\n').filter((l) => l !== '');
}

/**
 * Every committed part file of a directory written by the filesystem sink, as relative paths, in
 * batch order: exactly the files a reader may take. For tests and for users reading the output.
 */
export function listCommittedFiles(dir: string): string[] {
  return committedBatchIds(dir).flatMap((id) => readManifest(dir, id));
}

/** `k=v` directory name for a partition value (already in its text form; null → default partition). */
export function partitionDirName(key: string, value: string | null): string {
  return `${key}=${value === null ? DEFAULT_PARTITION : escapePartitionValue(value)}`;
}

export function escapePartitionValue(v: string): string {
  // Hive's and Flink's set (what a path cannot hold, what would end or split a name, '%' itself), plus Windows' <, >, |
  const s = v.replace(/[\x00-\x1f"#%'*/:=?\\\x7f{}[\]^<>|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  // a leading '.' or '_' would make the directory hidden
  return /^[._]/.test(s) ? `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}` : s;
}

export function unescapePartitionValue(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The `k=v` pairs of a relative file path's directories (values unescaped; default partition → null). */
export function partitionValues(relPath: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const parts = relPath.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const eq = parts[i]!.indexOf('=');
    if (eq <= 0) continue;
    const key = parts[i]!.slice(0, eq);
    const raw = parts[i]!.slice(eq + 1);
    out.set(key, raw === DEFAULT_PARTITION ? null : unescapePartitionValue(raw));
  }
  return out;
}
