import {
  AbortError,
  CorruptFileError,
  DimensionMismatchError,
  FilterError,
  RagloomError,
  ValidationError,
} from "@ragloom/core";
import { CommanderError } from "commander";

/** Exit codes of the `ragloom` command. */
export const EXIT = {
  ok: 0,
  /** A service, file or model failed (Chroma unreachable, disk full, model missing). */
  failure: 1,
  /** Bad flags, a bad config file, an empty question, a bad filter, no index yet. */
  usage: 2,
  /** A backup or index file failed its checksum or count verification. */
  corrupt: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** A backup whose files or restored records do not match its manifest. */
export class BackupVerificationError extends RagloomError {
  constructor(message: string) {
    super("ERR_BACKUP_VERIFICATION", message);
  }
}

/** Maps an error to an exit code. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CorruptFileError || error instanceof BackupVerificationError) return EXIT.corrupt;
  if (error instanceof AbortError || (error as Error)?.name === "AbortError") return EXIT.interrupted;
  if (
    error instanceof ValidationError ||
    error instanceof FilterError ||
    error instanceof DimensionMismatchError
  )
    return EXIT.usage;
  return EXIT.failure;
}

/** The error as one line (no stack trace): `message` with newlines folded. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ").trim() || "unknown error";
}
