import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TimeoutError } from "@ragloom/core";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../test/services.js";
import { createFileSystemPromptStore, createPromptRegistry } from "../src/index.js";
import { withFileLock } from "../src/stores/file-lock.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ragloom-lock-"));
  dirs.push(d);
  return d;
};

/** Starts a real child process that takes `lockPath` and holds it; resolves once it holds it. */
async function holdInChild(lockPath: string, staleMs?: number): Promise<ChildProcess> {
  // node itself with tsx's loader (not the tsx CLI, which runs the script in a second process
  // that would survive a SIGKILL sent to the first)
  const args = ["--import", "tsx", resolve(import.meta.dirname, "lock-holder.ts"), lockPath];
  if (staleMs) args.push(String(staleMs));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`lock holder did not start: ${stderr}`)), 30_000);
    child.stdout!.on("data", (d) => {
      if (String(d).includes("locked")) {
        clearTimeout(timer);
        ok();
      }
    });
    child.on("exit", (c) => fail(new Error(`lock holder exited (${c}): ${stderr}`)));
  });
  return child;
}

async function sigkill(child: ChildProcess) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

describe("withFileLock and abandoned locks", () => {
  it("takes over at once a lock whose holder was killed with SIGKILL", async () => {
    const lockPath = join(tempDir(), "p.yaml.lock");
    const child = await holdInChild(lockPath);
    expect(readFileSync(lockPath, "utf8")).toContain(String(child.pid));
    await sigkill(child);
    expect(existsSync(lockPath)).toBe(true); // the killed holder could not clean up
    // far below staleMs: only the dead pid can explain the takeover
    const got = await withFileLock(lockPath, async () => "ran", { timeoutMs: 5000, staleMs: 120_000 });
    expect(got).toBe("ran");
    expect(existsSync(lockPath)).toBe(false);
  });

  it("publishes through a file-system store after a publisher was killed holding the prompt's lock", async () => {
    const dir = tempDir();
    const store = createFileSystemPromptStore({
      directory: dir,
      lock: { timeoutMs: 5000, staleMs: 120_000 },
    });
    const registry = createPromptRegistry({ store });
    await registry.publish({ name: "qa", content: { type: "text", template: "v1 {{q}}" } });
    const child = await holdInChild(join(dir, "qa.yaml.lock"));
    await sigkill(child);
    const r = await registry.publish({ name: "qa", content: { type: "text", template: "v2 {{q}}" } });
    expect(r.version.version).toBe(2);
  });

  it("waits for a live holder, even one holding longer than staleMs, and times out with a typed error", async () => {
    const lockPath = join(tempDir(), "live.lock");
    const child = await holdInChild(lockPath, 300);
    // the holder refreshes the lock every 100 ms and its process runs: never stale
    await expect(
      withFileLock(lockPath, async () => "stolen", { timeoutMs: 1500, staleMs: 300 }),
    ).rejects.toThrowError(TimeoutError);
    await sigkill(child);
    expect(await withFileLock(lockPath, async () => "after", { timeoutMs: 5000, staleMs: 300 })).toBe(
      "after",
    );
  });

  it("stays exclusive when several processes race to take over one abandoned lock", async () => {
    const dir = tempDir();
    const child = await holdInChild(join(dir, "shared.yaml.lock"));
    await sigkill(child);
    const worker = resolve(import.meta.dirname, "publish-worker.ts");
    const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const outputs = await Promise.all(
      Array.from(
        { length: 3 },
        (_, w) =>
          new Promise<number[]>((ok, fail) => {
            const p = spawn(tsx, [worker, "fs", dir, "shared", "6", String(w)], { cwd: REPO_ROOT });
            children.push(p);
            let out = "";
            let err = "";
            p.stdout.on("data", (d) => {
              out += d;
            });
            p.stderr.on("data", (d) => {
              err += d;
            });
            p.on("exit", (c) => (c === 0 ? ok(JSON.parse(out)) : fail(new Error(`worker ${w}: ${err}`))));
          }),
      ),
    );
    expect(outputs.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
  });

  it("reads lock files of older versions (a bare pid) and takes them over when that process is gone", async () => {
    const lockPath = join(tempDir(), "old.lock");
    const child = await holdInChild(join(tempDir(), "other.lock"));
    const pid = child.pid!;
    await sigkill(child);
    writeFileSync(lockPath, `${pid}\n`);
    expect(await withFileLock(lockPath, async () => 1, { timeoutMs: 3000, staleMs: 120_000 })).toBe(1);
  });
});
