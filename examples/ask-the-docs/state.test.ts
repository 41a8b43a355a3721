import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCurrent, readManifest, statePaths, storeKey, writeManifest } from "./state.js";

const dir = mkdtempSync(join(tmpdir(), "ragloom-ask-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("per-store state", () => {
  it("keys state by store identity: memory, or Chroma URL + collection", () => {
    const a = { kind: "chroma", url: "http://127.0.0.1:8000", collection: "ask_the_docs" } as const;
    expect(storeKey({ kind: "memory" })).toBe("memory");
    expect(storeKey(a)).toMatch(/^chroma-[0-9a-f]{12}$/);
    expect(storeKey({ ...a, url: "http://127.0.0.1:8000/" })).toBe(storeKey(a));
    expect(storeKey({ ...a, url: "http://127.0.0.1:8001" })).not.toBe(storeKey(a));
    expect(storeKey({ ...a, collection: "other" })).not.toBe(storeKey(a));
    expect(statePaths(dir, { kind: "memory" }).manifest).not.toBe(statePaths(dir, a).manifest);
  });

  it("a Chroma manifest leaves the memory manifest as it was", () => {
    const memory = { kind: "memory" } as const;
    const chroma = { kind: "chroma", url: "http://127.0.0.1:9", collection: "c" } as const;
    writeManifest(dir, { store: memory, fingerprint: "f1", chunks: 3, indexedAt: new Date().toISOString() });
    writeManifest(dir, { store: chroma, fingerprint: "f2", chunks: 4, indexedAt: new Date().toISOString() });
    expect(isCurrent(readManifest(dir, memory), "f1")).toBe(true);
    expect(isCurrent(readManifest(dir, chroma), "f2")).toBe(true);
    expect(isCurrent(readManifest(dir, chroma), "f1")).toBe(false);
    expect(
      readManifest(dir, { kind: "chroma", url: "http://127.0.0.1:10", collection: "c" }),
    ).toBeUndefined();
  });
});
