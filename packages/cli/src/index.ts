/**
 * `@ragloom/cli`: the `ragloom` command, and its parts as a library: {@link run} (the command line
 * in process), backups ({@link createBackup}, {@link openBackup}, {@link restoreBackup}) and
 * consistent snapshots of a live store ({@link readSnapshot}).
 * @module @ragloom/cli
 */
export * from "./backup/create-backup.js";
export * from "./backup/files.js";
export * from "./backup/format.js";
export * from "./backup/restore-backup.js";
export * from "./backup/retention.js";
export * from "./backup/snapshot.js";
export * from "./config-file.js";
export * from "./exit-codes.js";
export type { Io } from "./io.js";
export { run, VERSION } from "./program.js";
export * from "./settings.js";
