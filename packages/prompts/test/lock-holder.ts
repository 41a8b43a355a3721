/**
 * Child process of the lock tests: takes the lock at argv[2] (withFileLock, staleMs argv[3]),
 * prints "locked" and holds it until killed.
 */
import { withFileLock } from "../src/stores/file-lock.js";

const [lockPath, staleMs] = process.argv.slice(2) as [string, string?];
const keepAlive = setInterval(() => {}, 1000);
await withFileLock(
  lockPath,
  async () => {
    process.stdout.write("locked\n");
    await new Promise(() => {});
  },
  { staleMs: staleMs ? Number(staleMs) : undefined },
);
clearInterval(keepAlive);
