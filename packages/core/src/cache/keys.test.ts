import { describe, expect, it } from "vitest";
import { FilterError } from "../errors/errors.js";
import { F } from "../filter/builders.js";
import { canonicalFilter, collapseWhitespace, hashText, normalizeQuery, stableStringify } from "./keys.js";

describe("cache keys", () => {
  it("normalises queries: NFKC, lower case, collapsed whitespace", () => {
    expect(normalizeQuery("  What is\tRAG?  ")).toBe("what is rag?");
    expect(normalizeQuery("Ｆｕｌｌ width")).toBe("full width");
  });

  it("collapses whitespace for result-cache keys and keeps case and Unicode form", () => {
    expect(collapseWhitespace("  What is\t\n RAG?  ")).toBe("What is RAG?");
    expect(collapseWhitespace("US")).not.toBe(collapseWhitespace("us"));
    expect(collapseWhitespace("Ｆｕｌｌ")).toBe("Ｆｕｌｌ");
  });

  it("gives equal filters one canonical form and rejects invalid ones", () => {
    expect(canonicalFilter(F.not(F.eq("a", 1)))).toBe(canonicalFilter(F.ne("a", 1)));
    expect(canonicalFilter(F.and(F.eq("a", 1), F.eq("b", 2)))).not.toBe(canonicalFilter(F.eq("a", 1)));
    expect(canonicalFilter(null)).toBe("null");
    expect(() => canonicalFilter({ op: "bogus" } as never)).toThrow(FilterError);
  });

  it("stringifies with sorted keys and hashes to base64url SHA-256", () => {
    expect(stableStringify({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
    expect(hashText("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  });
});
