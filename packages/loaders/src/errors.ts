import { RagloomError } from "@ragloom/core";

/** Why a file could not be loaded. */
export type LoaderErrorReason = "too-large" | "binary" | "encoding" | "parse" | "unsupported" | "read";

/**
 * A file that cannot be turned into a document: too large, binary, not valid UTF-8, a corrupt
 * PDF, an unknown extension, or unreadable. `path` names the file. Code `ERR_LOADER`.
 */
export class LoaderError extends RagloomError {
  /** The file, as given to the loader. */
  readonly path: string;
  readonly reason: LoaderErrorReason;
  constructor(path: string, reason: LoaderErrorReason, message: string, options?: { cause?: unknown }) {
    super("ERR_LOADER", `${path}: ${message}`, options);
    this.path = path;
    this.reason = reason;
  }
}
