/**
 * Checksums on checkpoint files, so that a file whose bytes changed after it was written (a bad
 * disk, a copy gone wrong, a hand edit) is detected instead of read as something it is not.
 *
 * The checksum is the first 16 hex digits (64 bits) of the SHA-256 of the covered text, written
 * `sha256:<hex>`: a native hash every Node version has, fast enough to run on every delta, and far
 * beyond what accidental corruption can collide with. Files written before checksums existed have
 * none and are still read.
 */
import { createHash, type Hash } from 'node:crypto';

const PREFIX = 'sha256:';

/** The checksum text of `text` (its UTF-8 bytes). */
export function checksumOf(text: string): string {
  return PREFIX + createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** A checksum computed over text given in pieces: equal to checksumOf(all pieces joined). */
export class RunningChecksum {
  private readonly hash: Hash = createHash('sha256');

  update(text: string): void {
    this.hash.update(text, 'utf8');
  }

  digest(): string {
    return PREFIX + this.hash.digest('hex').slice(0, 16);
  }
}

export const isChecksum = (text: string): boolean => text.startsWith(PREFIX);
