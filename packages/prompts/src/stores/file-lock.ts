import { randomUUID } from "node:crypto";
import { link, open, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { TimeoutError } from "@ragloom/core";

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** Give up after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /**
   * A lock whose holder has not refreshed it for this many milliseconds is abandoned and taken
   * over. The holder refreshes the lock file's modification time every `staleMs / 3` while it
   * runs, so only a holder that is stuck or gone goes stale; a holder on this machine whose
   * process has exited is taken over at once, whatever its age. @default 30000
   */
  staleMs?: number;
}

/** What a lock file says about its holder. */
interface Holder {
  pid?: number;
  host?: string;
  token?: string;
}

interface LockState {
  /** The file's text, compared before removing it (it names a unique token). */
  raw: string;
  holder: Holder;
  mtimeMs: number;
}

/** A lock-breaking guard older than this is left by a process that died while breaking. */
const GUARD_STALE_MS = 2000;
const HOST = hostname();
const local = new Map<string, Promise<unknown>>();
/** Tokens of the locks this process holds now. */
const heldHere = new Set<string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

function parseHolder(raw: string): Holder {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { pid: Number(text), host: HOST }; // written by older versions
  try {
    const h = JSON.parse(text) as Holder;
    return h && typeof h === "object" ? h : {};
  } catch {
    return {};
  }
}

async function readLock(lockPath: string): Promise<LockState | undefined> {
  try {
    const [raw, s] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    return { raw, holder: parseHolder(raw), mtimeMs: s.mtimeMs };
  } catch (e) {
    if (code(e) === "ENOENT") return undefined;
    throw e;
  }
}

/** Whether a process with this id runs on this machine (`kill(pid, 0)` sends no signal). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === "EPERM"; // exists, owned by another user
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  const { pid, host, token } = state.holder;
  if (host === HOST && Number.isSafeInteger(pid) && pid! > 0) {
    // our own pid with a token we do not hold: left by an earlier process that had this pid
    if (pid === process.pid) return !(token && heldHere.has(token));
    if (!processAlive(pid!)) return true;
  }
  return Date.now() - state.mtimeMs > staleMs;
}

/**
 * Creates the lock file with its content in one step: the content goes to a private file that is
 * then hard-linked to `lockPath` (`link` fails with EEXIST when the lock is held, atomically), so
 * no one ever reads an empty lock. Falls back to `open(…, "wx")` where hard links are refused.
 */
async function create(lockPath: string, body: string, token: string): Promise<boolean> {
  const tmp = `${lockPath}.${token}.tmp`;
  await writeFile(tmp, body);
  try {
    await link(tmp, lockPath);
    return true;
  } catch (e) {
    if (code(e) === "EEXIST") return false;
    if (code(e) !== "EPERM" && code(e) !== "ENOTSUP" && code(e) !== "EXDEV") throw e;
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(body);
      await handle.close();
      return true;
    } catch (e2) {
      if (code(e2) === "EEXIST") return false;
      throw e2;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Removes a stale lock safely: under a guard file (`<lock>.break`, created with O_EXCL) the lock
 * is read again and removed only if it is still the same stale lock (same text, with its unique
 * token, and still stale), so a waiter that judged late never removes a lock just taken by
 * another. Returns whether it removed the lock (false at once when another process is breaking it).
 */
async function breakStale(lockPath: string, judged: LockState, staleMs: number): Promise<boolean> {
  const guard = `${lockPath}.break`;
  try {
    await (await open(guard, "wx")).close();
  } catch (e) {
    if (code(e) !== "EEXIST") throw e;
    const g = await stat(guard).catch(() => undefined);
    if (g && Date.now() - g.mtimeMs > GUARD_STALE_MS) await rm(guard, { force: true });
    return false;
  }
  try {
    const now = await readLock(lockPath);
    if (!now || now.raw !== judged.raw || !isStale(now, staleMs)) return false;
    await rm(lockPath, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

async function acquire(lockPath: string, token: string, timeoutMs: number, staleMs: number) {
  const body = `${JSON.stringify({ pid: process.pid, host: HOST, token, createdAt: new Date().toISOString() })}\n`;
  const start = Date.now();
  let delay = 2;
  for (;;) {
    if (await create(lockPath, body, token)) {
      heldHere.add(token);
      return;
    }
    const state = await readLock(lockPath);
    if (!state) continue; // released meanwhile
    if (isStale(state, staleMs) && (await breakStale(lockPath, state, staleMs))) continue;
    if (Date.now() - start > timeoutMs) throw new TimeoutError(`waiting for lock ${lockPath}`, timeoutMs);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

async function release(lockPath: string, token: string) {
  // only our own lock: if it was taken over as stale, the file now belongs to someone else
  heldHere.delete(token);
  const state = await readLock(lockPath).catch(() => undefined);
  if (state?.holder.token === token) await rm(lockPath, { force: true });
}

/**
 * Runs `fn` while holding `lockPath`: an exclusive lock file (the classic lock-file technique of
 * git's `index.lock`), created atomically with its holder's process id, host name and a unique
 * token in it, so other processes wait. Calls within one process are also queued per path.
 * While `fn` runs the lock is refreshed (its modification time) every `staleMs / 3`. A waiter
 * takes a lock over when its holder is a process of this machine that no longer exists
 * (`process.kill(pid, 0)` fails with ESRCH, e.g. after SIGKILL) or when it was not refreshed for
 * `staleMs` (a holder on another machine, or stuck); see `breakStale` for how it stays exclusive.
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
      const token = randomUUID();
      await acquire(lockPath, token, timeoutMs, staleMs);
      const heartbeat = setInterval(
        () => {
          const now = new Date();
          utimes(lockPath, now, now).catch(() => {});
        },
        Math.max(10, Math.floor(staleMs / 3)),
      );
      heartbeat.unref();
      try {
        return await fn();
      } finally {
        clearInterval(heartbeat);
        await release(lockPath, token);
      }
    });
  local.set(lockPath, run);
  try {
    return await run;
  } finally {
    if (local.get(lockPath) === run) local.delete(lockPath);
  }
}
