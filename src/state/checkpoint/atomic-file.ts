/**
 * Files that are either wholly there or not there at all.
 *
 * A checkpoint file is written to a temporary name in the same directory, flushed to the disk,
 * renamed over its final name (rename is atomic within one file system), and then the directory is
 * flushed so the rename itself survives a power cut. A crash leaves at worst a stray temporary file,
 * which readers never look at and `removeStaleTemps` deletes.
 *
 * Readers are tolerant anyway: a file system that does not keep these promises (or a copy made by
 * hand) can leave an empty or cut-off file, and such a file must never block a restart, so
 * `readJsonOrUndefined` treats it as absent.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const TEMP_MARK = '.tmp-';

/** Temporary files are named `.NAME.tmp-RANDOM` so listings of numbered files skip them. */
export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK);
}

/** Write `data` to `file` atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(temp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/** Write a file from a stream of text chunks atomically (for files too large for one string). */
export async function writeLinesAtomic(file: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(temp, 'w');
  let bytes = 0;
  try {
    let pending: string[] = [];
    let pendingLen = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const buf = Buffer.from(pending.join(''), 'utf8');
      bytes += buf.length;
      await fh.write(buf);
      pending = [];
      pendingLen = 0;
    };
    for await (const c of chunks) {
      pending.push(c);
      pendingLen += c.length;
      if (pendingLen >= 1 << 20) await flush();
    }
    await flush();
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw e;
  }
  await fh.close();
  await fs.rename(temp, file);
  await syncDir(dir);
  return bytes;
}

/** Flush a directory's entries (the rename) to disk; not possible on every platform (Windows). */
async function syncDir(dir: string): Promise<void> {
  let dh: fs.FileHandle | undefined;
  try {
    dh = await fs.open(dir, 'r');
    await dh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Windows cannot open or fsync a directory; some file systems refuse fsync on one
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES' && code !== 'ENOTSUP') throw e;
  } finally {
    await dh?.close().catch(() => undefined);
  }
}

/**
 * The parsed JSON content of `file`, or undefined when it does not exist or is empty, cut off or
 * otherwise not JSON (the remains of a crash). Other I/O errors (permissions) are thrown: those are
 * not a crash's leftovers and hiding them would make a checkpoint silently start over.
 */
export async function readJsonOrUndefined(file: string): Promise<unknown> {
  const text = await readTextOrUndefined(file);
  if (text === undefined) return undefined;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Delete the temporary files a crash left in `dir`. */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await Promise.all(names.filter(isTempFile).map((n) => fs.rm(path.join(dir, n), { force: true })));
}

/** A file's text, or undefined when it does not exist (other I/O errors are thrown). */
export async function readTextOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
