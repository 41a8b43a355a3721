import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Manifest } from "@ragloom/core";
import { afterAll, describe, expect, it } from "vitest";
import { FileManifestStore } from "../src/manifest-log.js";

const dir = mkdtempSync(join(tmpdir(), "ragloom-manifests-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (id: string, version: string): Manifest => ({
  sourceId: id,
  committed: { version, chunkIds: [`${id}@${version}#0`] } as unknown as Manifest["committed"],
  pending: null,
  garbage: { chunkIds: [] },
});

describe("FileManifestStore", () => {
  it("keeps manifests across processes, ignores a torn last line, drops empty ones, compacts", async () => {
    const path = join(dir, "manifests.jsonl");
    const a = await FileManifestStore.open(path);
    await a.putMany([manifest("a", "v1"), manifest("b", "v1")]);
    await a.putMany([manifest("a", "v2")]);
    await a.putMany([{ sourceId: "b", committed: null, pending: null, garbage: { chunkIds: [] } }]);
    await a.close();
    appendFileSync(path, '{"id":"c","manifest":{"sourceId"'); // a crash mid-append

    const b = await FileManifestStore.open(path);
    const [ma, mb, mc] = await b.getMany(["a", "b", "c"]);
    expect(ma).toEqual(manifest("a", "v2"));
    expect(mb!.committed).toBeNull();
    expect(mc!.committed).toBeNull();
    const ids: string[] = [];
    for await (const id of b.sourceIds()) ids.push(id);
    expect(ids).toEqual(["a"]);
    await b.compact();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(1);
    await b.putMany([manifest("d", "v1")]);
    await b.close();
    const c = await FileManifestStore.open(path);
    expect((await c.getMany(["a", "d"])).map((m) => m.committed !== null)).toEqual([true, true]);
    await c.close();
  });
});
