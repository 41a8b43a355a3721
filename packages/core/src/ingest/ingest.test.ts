import { describe, expect, it } from "vitest";
import { VersionVisibility } from "../retriever/visibility.js";
import { KeyedLock } from "./keyed-lock.js";
import { emptyManifest, isDirty } from "./manifest.js";
import { InMemoryManifestStore } from "./manifest-store.js";
import { createWriteProtocol } from "./write-protocol.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("KeyedLock", () => {
  it("runs tasks of one key in call order, of disjoint keys at once, and survives a failing task", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await tick();
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const runs = [
      lock.run(["a"], task("a1", true)),
      lock.run(["b"], task("b1")),
      lock.run(["a", "b"], task("ab")),
      lock.run(["a"], task("a2")),
    ];
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled"]);
    expect(log.slice(0, 2).sort()).toEqual(["a1:start", "b1:start"]); // disjoint keys overlap
    expect(log.indexOf("ab:start")).toBeGreaterThan(Math.max(log.indexOf("a1:end"), log.indexOf("b1:end")));
    expect(log.indexOf("a2:start")).toBeGreaterThan(log.indexOf("ab:end"));
    expect(lock.size).toBe(0);
  });
});

describe("InMemoryManifestStore", () => {
  it("copies manifests in and out and drops empty ones", async () => {
    const store = new InMemoryManifestStore();
    const m = {
      ...emptyManifest("d", ["chunkIds"] as const),
      committed: { version: "v1", chunkIds: ["c1"] },
    };
    await store.putMany([m]);
    m.committed.chunkIds.push("changed");
    const [got] = await store.getMany(["d"]);
    expect(got!.committed!.chunkIds).toEqual(["c1"]);
    got!.committed!.chunkIds.push("again");
    expect((await store.getMany(["d"]))[0]!.committed!.chunkIds).toEqual(["c1"]);
    await store.putMany([emptyManifest("d", ["chunkIds"])]);
    expect(store.size).toBe(0);
  });
});

describe("createWriteProtocol", () => {
  function setup() {
    const stored = new Set<string>();
    const plan = { failRemove: false };
    const warnings: string[] = [];
    const manifests = new InMemoryManifestStore();
    const protocol = createWriteProtocol({
      manifests,
      groups: ["chunkIds"],
      remove: async ({ chunkIds }) => {
        if (plan.failRemove) throw new Error("store down");
        for (const id of chunkIds) stored.delete(id);
      },
      warn: (m) => warnings.push(m),
    });
    const write = async (version: string, ids: string[], fail = false) => {
      const [manifest] = await protocol.load(["d"]);
      return protocol.write([{ manifest: manifest!, entry: { version, chunkIds: ids } }], async () => {
        for (const id of ids.slice(0, fail ? 1 : ids.length)) stored.add(id);
        if (fail) throw new Error("write failed");
      });
    };
    return { stored, plan, warnings, manifests, protocol, write };
  }

  it("commits a new version next to the old one and collects the old one", async () => {
    const { stored, protocol, write, manifests } = setup();
    await protocol.collect(await write("v1", ["d@v1#0", "d@v1#1"]));
    const committed = await write("v2", ["d@v2#0"]);
    expect(committed[0]!.garbage.chunkIds).toEqual(["d@v1#0", "d@v1#1"]);
    expect([...stored].sort()).toEqual(["d@v1#0", "d@v1#1", "d@v2#0"]);
    await protocol.collect(committed);
    expect([...stored]).toEqual(["d@v2#0"]);
    const [m] = await manifests.getMany(["d"]);
    expect(m!.committed!.version).toBe("v2");
    expect(isDirty(m!)).toBe(false);
  });

  it("rolls a failed write back, or keeps it listed for repair when the rollback fails too", async () => {
    const { stored, plan, warnings, manifests, protocol, write } = setup();
    await protocol.collect(await write("v1", ["d@v1#0"]));
    await expect(write("v2", ["d@v2#0", "d@v2#1"], true)).rejects.toThrow("write failed");
    expect([...stored]).toEqual(["d@v1#0"]);
    expect((await manifests.getMany(["d"]))[0]!.committed!.version).toBe("v1");
    plan.failRemove = true;
    await expect(write("v2", ["d@v2#0", "d@v2#1"], true)).rejects.toThrow("write failed");
    expect(warnings.join()).toMatch(/rolling it back failed too/);
    const [dirty] = await manifests.getMany(["d"]);
    expect(dirty!.pending!.chunkIds).toEqual(["d@v2#0", "d@v2#1"]);
    plan.failRemove = false;
    expect(await protocol.repair(10)).toBe(1);
    expect([...stored]).toEqual(["d@v1#0"]);
    await protocol.retire(await manifests.getMany(["d"]));
    expect(stored.size).toBe(0);
    expect(manifests.size).toBe(0);
  });
});

describe("VersionVisibility", () => {
  it("gives each reader a snapshot and drains only the readers that started before an update", async () => {
    const vis = new VersionVisibility();
    const chunk = (v: string) => ({ parentId: "d", parentVersion: v });
    const early = vis.view();
    vis.update([["d", { hide: new Set(["v2"]), hidden: 2 }]]);
    const late = vis.view();
    expect(early.visible(chunk("v2"))).toBe(true);
    expect(late.visible(chunk("v2"))).toBe(false);
    expect(late.hidden).toBe(2);
    let drained = false;
    const drain = vis.drain().then(() => {
      drained = true;
    });
    await tick();
    expect(drained).toBe(false);
    early.close();
    await drain;
    expect(drained).toBe(true);
    vis.update([["d", { only: "v2", hidden: 1 }]]);
    const after = vis.view();
    expect([
      after.visible(chunk("v1")),
      after.visible(chunk("v2")),
      after.visible({ parentId: "e" }),
    ]).toEqual([false, true, true]);
    late.close();
    after.close();
    await vis.drain();
  });
});
