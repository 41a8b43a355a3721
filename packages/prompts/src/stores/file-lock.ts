import { open, rm, stat } from "node:fs/promises";
import { TimeoutError } from "@ragloom/core";

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** A lock file older than this many milliseconds is considered abandoned and removed. @default 30000 */
  staleMs?: number;
}

const local = new Map<string, Promise<unknown>>();

async function acquire(lockPath: string, timeoutMs: number, staleMs: number) {
  const start = Date.now();
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    try {
      const s = await stat(lockPath);
      if (Date.now() - s.mtimeMs > staleMs) await rm(lockPath, { force: true });
    } catch {
      // released meanwhile
    }
    if (Date.now() - start > timeoutMs) throw new TimeoutError(`waiting for lock ${lockPath}`, timeoutMs);
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Runs `fn` while holding `lockPath`: an exclusive lock file created with `O_CREAT | O_EXCL`
 * (the `wx` flag; atomic on local file systems, the classic lock-file technique of git's
 * `index.lock`), so other processes wait. Calls within one process are also queued per path.
 * @throws TimeoutError when the lock is not acquired within `timeoutMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const previous = local.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      await acquire(lockPath, timeoutMs, staleMs);
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    });
  local.set(lockPath, run);
  try {
    return await run;
  } finally {
    if (local.get(lockPath) === run) local.delete(lockPath);
  }
}
