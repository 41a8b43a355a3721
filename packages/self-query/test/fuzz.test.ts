import { type Filter, RagloomError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { parse, validateSchemaFilter } from "../src/index.js";
import { NOW, requests, rng, schemas } from "./accuracy.js";

const HOSTILE = [
  "$where",
  "__proto__",
  "constructor",
  "prototype",
  '{"$where": "sleep(1000)"}',
  "'; DROP TABLE docs; --",
  "{{7*7}}",
  `$${"{"}process.exit()}`,
  "\u0000\u0001\u001b[31m",
  "\ud800",
  "\u202e",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "9".repeat(400),
  "0x1F",
  "between and",
  "more than",
  "not not not",
  "or or or",
  "the 90s 80s 70s",
  "2023-13-45",
  "after after before since",
  "$1,000,000,000,000,000,000",
  "tagged",
  '"unclosed quote',
  "k8s".repeat(50),
  "<script>alert(1)</script>",
  "published > 2020 OR 1=1",
  "field: __proto__",
  'author: "__proto__"',
  "by Constructor",
];
const WORDS = [
  ...new Set(requests.flatMap((r) => r.request.split(/\s+/))),
  ...HOSTILE,
  "between",
  "and",
  "or",
  "not",
  "last",
  "year",
  "months",
  "ago",
  "the",
  "90s",
  "k",
  "$",
  "+",
  "-",
  ",",
  ":",
  "=",
];

function fields(f: Filter | null, out: string[] = []): string[] {
  if (!f) return out;
  if (f.op === "and" || f.op === "or") for (const c of f.filters) fields(c, out);
  else if (f.op === "not") fields(f.filter, out);
  else out.push((f as { field: string }).field);
  return out;
}

function randomText(r: () => number): string {
  const kind = r();
  if (kind < 0.5) {
    const n = 1 + Math.floor(r() * 25);
    return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(
      r() < 0.5 ? " " : "  ",
    );
  }
  if (kind < 0.8) {
    const n = Math.floor(r() * 200);
    return Array.from({ length: n }, () =>
      String.fromCharCode(Math.floor(r() * (r() < 0.8 ? 128 : 0xffff))),
    ).join("");
  }
  const base = requests[Math.floor(r() * requests.length)]!.request;
  return base
    .split("")
    .map((c) => (r() < 0.1 ? String.fromCharCode(32 + Math.floor(r() * 95)) : c))
    .join("");
}

describe("fuzzing the parser", () => {
  it("never crashes and never filters outside the schema on 5,000 random and hostile requests", () => {
    const r = rng(42);
    const names = Object.keys(schemas);
    let filtered = 0;
    for (let i = 0; i < 5000; i++) {
      const schema = schemas[names[i % names.length]!]!;
      const text = i < HOSTILE.length ? HOSTILE[i]! : randomText(r);
      const allowed = new Set(schema.attributes.map((a) => a.name));
      let out: ReturnType<typeof parse>;
      try {
        out = parse(text, schema, { now: () => NOW });
      } catch (e) {
        expect(e).toBeInstanceOf(RagloomError);
        continue;
      }
      expect(typeof out.query).toBe("string");
      for (const f of fields(out.filter)) expect(allowed.has(f)).toBe(true);
      if (out.filter) {
        filtered++;
        // the parser's own output always re-validates
        expect(validateSchemaFilter(out.filter, schema, { now: NOW })).toEqual(out.filter);
      }
    }
    expect(filtered).toBeGreaterThan(500);
  });

  it("handles very long requests in linear time and rejects those over the limit", () => {
    const schema = schemas.docs!;
    const long = "redis guides not tagged hooks or state after 2020 ".repeat(39);
    const t = performance.now();
    const out = parse(long, schema, { now: () => NOW });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(out.filter).not.toBeNull();
    expect(() => parse("a".repeat(1_000_000), schema)).toThrowError(RagloomError);
    expect(parse("a".repeat(1_000_000), schema, { maxRequestLength: 2_000_000 }).filter).toBeNull();
  });
});

describe("fuzzing the validator", () => {
  const schema = schemas.products!;
  const attrs = [
    ...schema.attributes.map((a) => a.name),
    "__proto__",
    "constructor",
    "$where",
    "$document",
    "",
    "x".repeat(300),
    "tags",
  ];
  const ops = [
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "nin",
    "contains",
    "and",
    "or",
    "not",
    "$where",
    "$and",
    "__proto__",
    7,
  ];
  const values: unknown[] = [
    1,
    -1,
    0,
    1e308,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "1",
    "1,200",
    "$5",
    "apple",
    "APPLE",
    "red",
    true,
    "yes",
    null,
    undefined,
    [],
    ["apple"],
    ["apple", 1],
    [[1]],
    { $gt: 1 },
    "2023-03-01",
    "March 2023",
    "\u0000",
    "__proto__",
    "x".repeat(5000),
  ];

  function randomNode(r: () => number, depth: number): unknown {
    const op = ops[Math.floor(r() * ops.length)];
    if ((op === "and" || op === "or") && depth < 6) {
      return { op, filters: Array.from({ length: Math.floor(r() * 4) }, () => randomNode(r, depth + 1)) };
    }
    if (op === "not" && depth < 6) return { op, filter: randomNode(r, depth + 1) };
    const node: Record<string, unknown> = {
      op,
      field: attrs[Math.floor(r() * attrs.length)],
      value: values[Math.floor(r() * values.length)],
    };
    if (r() < 0.05) node.extra = 1;
    if (r() < 0.05) return JSON.parse(`{"op":"eq","field":"price","value":1,"__proto__":{"polluted":true}}`);
    if (r() < 0.03) return [node];
    return node;
  }

  it("throws only typed errors and keeps every accepted filter inside the schema (5,000 trees)", () => {
    const r = rng(7);
    const allowed = new Set(schema.attributes.map((a) => a.name));
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const input = randomNode(r, 0);
      try {
        const f = validateSchemaFilter(input, schema, { now: NOW });
        accepted++;
        for (const name of fields(f)) expect(allowed.has(name)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(RagloomError);
      }
    }
    expect(accepted).toBeGreaterThan(50);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
