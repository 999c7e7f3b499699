/**
 * File-system failures a user can cause and fix (a checkpoint directory that is read-only, on a full
 * disk, or a path through a regular file) become user errors naming the path and the OS error;
 * anything else stays what it is (a bug, or a failure the query reports as is).
 */
import { WeirError } from '../../common/errors.js';

const USER_FIXABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG', 'ELOOP']);

/** `e` as a STATE error about `dir` when the OS refused for a reason the user controls; else `e`. */
export function checkpointIoError(dir: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (e instanceof WeirError || code === undefined || !USER_FIXABLE.has(code)) return e;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
    ? 'the directory is not writable: give the user running Weir write access to it, or copy the whole directory to a writable place and point --checkpoint at the copy'
    : code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full: free space, then run again (the checkpoint is intact)'
      : 'the path is not a usable directory: point --checkpoint at a directory (an existing checkpoint, or a new one for a new query)';
  return new WeirError('STATE', `cannot write checkpoint ${dir}: ${(e as Error).message} (${why})`);
}

/** Run `work`, turning user-fixable file-system failures into STATE errors about `dir`. */
export async function withCheckpointIo<T>(dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw checkpointIoError(dir, e);
  }
}
