/**
 * Source spans of tokens and CST nodes (lines and columns from 1, offsets from 0, length in
 * characters), and the position of an offset in a text, for errors at the end of input.
 */
import type { CstNode, IToken } from 'chevrotain';
import { InternalError, type SourceSpan } from '../common/errors.js';

export function tokenSpan(tok: IToken): SourceSpan {
  const end = tok.endOffset ?? tok.startOffset + tok.image.length - 1;
  return {
    line: tok.startLine ?? 1,
    column: tok.startColumn ?? 1,
    offset: tok.startOffset,
    length: end - tok.startOffset + 1,
  };
}

export function nodeSpan(node: CstNode): SourceSpan {
  const loc = node.location;
  if (!loc || Number.isNaN(loc.startOffset) || loc.endOffset === undefined || Number.isNaN(loc.endOffset)) {
    throw new InternalError(`CST node ${node.name} has no location`);
  }
  return {
    line: loc.startLine ?? 1,
    column: loc.startColumn ?? 1,
    offset: loc.startOffset,
    length: loc.endOffset - loc.startOffset + 1,
  };
}

/** From the start of `a` to the end of `b`. */
export function joinSpans(a: SourceSpan, b: SourceSpan): SourceSpan {
  const end = b.offset + (b.length ?? 0);
  return { line: a.line, column: a.column, offset: a.offset, length: end - a.offset };
}

/** Line and column of `offset` in `text` (an empty span there). */
export function positionAt(text: string, offset: number): SourceSpan {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || (ch === 13 /* \r */ && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1, offset: end, length: 0 };
}
