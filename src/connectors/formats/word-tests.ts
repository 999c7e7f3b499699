/**
 * Tests on four bytes at once, read as one 32-bit word (the text writers' check of a column's bytes,
 * byte-writer.ts; the JSON scanner's search for a string's end, json-scan.ts). Each is exact for any
 * four bytes: a borrow that crosses into a byte's bit 7 comes only from a byte the test looks for,
 * and a byte whose own bit 7 is set is masked out by ~w, so the answer is never a false positive.
 * (Which byte it was the caller finds byte by byte.)
 */

/** Bit 7 of some byte set when a byte of `w` is below 0x20 (a control byte); 0 when none is. */
export const belowSpace = (w: number): number => (w - 0x20202020) & ~w & 0x80808080;

/** Bit 7 of some byte set when a byte of `w` is 0; 0 when none is. */
export const zeroByte = (w: number): number => (w - 0x01010101) & ~w & 0x80808080;

/** `zeroByte(w ^ QUOTES)`: a '"' among the four bytes. */
export const QUOTES = 0x22222222;
/** `zeroByte(w ^ BACKSLASHES)`: a '\\' among the four bytes. */
export const BACKSLASHES = 0x5c5c5c5c;
