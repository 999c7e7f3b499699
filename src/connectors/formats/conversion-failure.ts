/**
 * Why a value read from a format does not fit its column: the reason a rejected record carries.
 */
import type { SqlType } from '../../common/types.js';
import { typeToString } from '../../common/types.js';
import { previewValue } from './json-values.js';

/**
 * A value that does not convert. Thrown (not an Error: no stack trace is needed, and malformed input
 * may be frequent) and caught by the decoders, which turn it into a RejectedRecord.
 */
export class ConversionFailure {
  constructor(
    /** `price`, or `bidder.name` inside a ROW */
    readonly column: string,
    readonly value: unknown,
    readonly type: SqlType,
    readonly why?: string,
    /** a number, but beyond what the type holds: the reason says so, with the value as written */
    readonly outOfRange = false,
  ) {}

  static outOfRange(column: string, value: unknown, type: SqlType): ConversionFailure {
    return new ConversionFailure(column, value, type, undefined, true);
  }

  get reason(): string {
    if (this.outOfRange) return `value ${showValue(this.value)} is out of range for ${typeToString(this.type)} in column '${this.column}'`;
    const why = this.why ? ` (${this.why})` : '';
    return `column '${this.column}': cannot read ${showValue(this.value)} as ${typeToString(this.type)}${why}`;
  }
}

/** A value as a reason shows it: JSON-like, at most 100 characters, safe for any nesting. */
export function showValue(v: unknown): string {
  return previewValue(v, 100);
}
