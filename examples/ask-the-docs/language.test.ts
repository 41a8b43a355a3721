import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { collectDocs, installedPackages } from "./collect-docs.js";
import { detectLanguage, proseOf, selectLanguages, skippedLine } from "./language.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const biome = join(ROOT, "node_modules", "@biomejs", "biome");
const readme = (name: string) => readFileSync(join(biome, name), "utf8");

describe("language detection", () => {
  it("detects the language of real translated READMEs, including Chinese full of Latin-script names", () => {
    expect(detectLanguage(readme("README.md"))).toBe("en");
    expect(detectLanguage(readme("README.zh-CN.md"))).toBe("zh");
    expect(detectLanguage(readme("README.ja.md"))).toBe("ja");
    expect(detectLanguage(readme("README.ru.md"))).toBe("ru");
    expect(detectLanguage(readme("README.es.md"))).toBe("es");
  });

  it("ignores code, links and markup, and answers und for too little prose", () => {
    const md =
      "# Título\n\n```js\nconst retry = require('p-retry'); // the function is retried\n```\n\nSee [the docs](https://example.com/docs).";
    expect(proseOf(md)).not.toMatch(/require|https|```/);
    expect(detectLanguage("```js\nconsole.log('hello world, this is only code')\n```")).toBe("und");
  });

  it("stores `language` metadata and skips non-English documents by default, saying so", () => {
    const docs = collectDocs(installedPackages([join(ROOT, "node_modules")])).filter(
      (d) => d.metadata.package === "@biomejs/biome",
    );
    expect(docs.length).toBeGreaterThan(5);
    const zh = docs.find((d) => String(d.metadata.path) === "README.zh-CN.md");
    expect(zh?.metadata.language).toBe("zh");
    const selection = selectLanguages(docs, ["en"]);
    expect(selection.kept.map((d) => d.metadata.path)).toEqual(["README.md"]);
    expect(selection.skipped.get("zh")).toBe(2);
    const line = skippedLine(selection, ["en"]);
    expect(line).toMatch(
      new RegExp(`^Skipped ${docs.length - 1} of ${docs.length} Markdown files not detected as en \\(zh 2, `),
    );
    expect(line).toMatch(/pass --languages all/);
    expect(selectLanguages(docs, "all").kept).toHaveLength(docs.length);
    expect(skippedLine(selectLanguages(docs, "all"), "all")).toBeUndefined();
  });
});
