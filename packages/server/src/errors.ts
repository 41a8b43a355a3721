import { RagloomError, ValidationError } from "@ragloom/core";

/** One problem found in a server configuration. */
export interface ConfigIssue {
  /** Dotted path of the bad value, e.g. `collections.0.store.url`. */
  path: string;
  message: string;
  /** Where the value came from: a file path, an environment variable or `options`. */
  source?: string;
}

/**
 * A server configuration that cannot be used: unreadable file, bad syntax, or values that fail
 * validation. The message lists every issue with its path and source.
 */
export class ConfigError extends RagloomError {
  readonly issues: ConfigIssue[];
  constructor(message: string, issues: ConfigIssue[] = [], options?: { cause?: unknown }) {
    const list = issues
      .map((i) => `\n  - ${i.path || "(root)"}: ${i.message}${i.source ? ` (from ${i.source})` : ""}`)
      .join("");
    super("ERR_CONFIG", `${message}${list}`, options);
    this.issues = issues;
  }
}

/** A collection or document that does not exist (HTTP 404). */
export class NotFoundError extends RagloomError {
  constructor(message: string) {
    super("ERR_NOT_FOUND", message);
  }
}

/** A request body with invalid parts (HTTP 400 listing each with its path). */
export class InvalidBodyError extends ValidationError {
  readonly errors: Array<{ path: string; message: string }>;
  constructor(message: string, errors: Array<{ path: string; message: string }>) {
    super(message);
    this.errors = errors;
  }
}
