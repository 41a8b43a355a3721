import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createPromptTemplate } from "../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("memory held by parsed templates", () => {
  it("stays bounded when many distinct large templates are parsed and rendered", () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) {
      // 200,000 characters each, 4 MB of templates in all, every one distinct
      const template = `${i} ${"{{q}} and some prompt text ".repeat(200_000 / 27)}`;
      createPromptTemplate({ type: "text", template }).format({ q: "x" });
    }
    gc();
    const grownMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // unbounded caches keep ~4 MB per template (~85 MB here); the default budget is 32 MiB
    expect(grownMb).toBeLessThan(56);
  }, 120_000);
});
