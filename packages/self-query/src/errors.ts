import { FilterError, ValidationError } from "@ragloom/core";

/** Why a filter does not fit a schema. */
export type SchemaFilterReason =
  | "invalid_filter"
  | "unknown_attribute"
  | "operator_not_allowed"
  | "invalid_value";

/**
 * A filter that is well-formed IR but does not fit the attribute schema (or is not IR at all).
 * `code` stays `ERR_FILTER`; `reason` says which rule failed and `attribute` names the field.
 */
export class SchemaFilterError extends FilterError {
  readonly reason: SchemaFilterReason;
  readonly attribute?: string;
  constructor(
    reason: SchemaFilterReason,
    message: string,
    path = "",
    attribute?: string,
    options?: { cause?: unknown },
  ) {
    super(message, path, options);
    this.reason = reason;
    this.attribute = attribute;
  }
}

/**
 * A request longer than the parser's `maxRequestLength` (in UTF-16 code units, what
 * `string.length` counts). `code` stays `ERR_VALIDATION`.
 */
export class RequestTooLongError extends ValidationError {
  /** Length of the rejected request. */
  readonly length: number;
  /** The limit it exceeded. */
  readonly maxLength: number;
  constructor(length: number, maxLength: number) {
    super(`request is ${length} characters, more than maxRequestLength ${maxLength}`);
    this.length = length;
    this.maxLength = maxLength;
  }
}
