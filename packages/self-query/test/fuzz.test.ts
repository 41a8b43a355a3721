import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Filter, RagloomError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { parse, RequestTooLongError, validateSchemaFilter } from "../src/index.js";
import { latinLookAlikes } from "../src/rules/normalize.js";
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

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const INVISIBLE = [
  "\u200b",
  "\u200c",
  "\u200d",
  "\u200e",
  "\u200f",
  "\u2060",
  "\u2066",
  "\u2069",
  "\u202e",
  "\u00ad",
  "\ufeff",
  "\ufe0f",
  "\u{e0041}",
];
const LOOK_ALIKES = new Map<string, string[]>();
for (const [c, latin] of latinLookAlikes()) LOOK_ALIKES.set(latin, [...(LOOK_ALIKES.get(latin) ?? []), c]);
const INJECTED = [
  " OR 1=1",
  "' OR '1'='1",
  " or 2 > 1",
  "; DROP TABLE docs; --",
  ' {"$ne": null}',
  " > 99999999999999999999",
  " = 123456789012345678901234567890",
  " $where",
  " || true",
];

/** Inserts invisible characters at random places, inside words too. */
function withInvisible(r: () => number, text: string): string {
  let out = "";
  for (const c of text) {
    out += c;
    if (r() < 0.2) out += INVISIBLE[Math.floor(r() * INVISIBLE.length)];
  }
  return out;
}

/** Swaps Latin letters for Cyrillic/Greek look-alikes, keeping each word's first letter Latin. */
function withLookAlikes(r: () => number, text: string): string {
  return text.replace(/[A-Za-z]+/g, (w) =>
    [...w]
      .map((c, i) => {
        const alts = LOOK_ALIKES.get(c);
        return i > 0 && alts && r() < 0.5 ? alts[Math.floor(r() * alts.length)]! : c;
      })
      .join(""),
  );
}

describe("fuzzing the parser with hostile requests", () => {
  const parseAt = (text: string, schemaName: string) =>
    parse(text, schemas[schemaName]!, { now: () => NOW, maxRequestLength: 200_000 });

  it("reads requests with invisible characters or look-alike letters like the clean ones", () => {
    const r = rng(11);
    for (let round = 0; round < 3; round++) {
      for (const item of requests) {
        const clean = parseAt(item.request, item.schema);
        const hidden = parseAt(withInvisible(r, item.request), item.schema);
        expect(hidden.filter, item.request).toEqual(clean.filter);
        expect(hidden.query, item.request).toBe(clean.query);
        const spoofed = parseAt(withLookAlikes(r, item.request), item.schema);
        expect(spoofed.filter, item.request).toEqual(clean.filter);
      }
    }
  });

  it("never filters on injected operators: a request with an injection filters no more than without", () => {
    const r = rng(12);
    for (let i = 0; i < 600; i++) {
      const item = requests[i % requests.length]!;
      const tail = INJECTED[Math.floor(r() * INJECTED.length)]!;
      const clean = parseAt(item.request, item.schema);
      const out = parseAt(item.request + tail, item.schema);
      const allowed = new Set(schemas[item.schema]!.attributes.map((a) => a.name));
      for (const f of fields(out.filter)) expect(allowed.has(f)).toBe(true);
      // the injected part adds no condition
      expect(fields(out.filter).length, item.request + tail).toBeLessThanOrEqual(fields(clean.filter).length);
    }
  });

  it("parses 100,000 hostile characters in linear time, with typed errors only", async () => {
    const patterns = [
      '"',
      "author: “",
      "directed by “x ",
      "one two ",
      "1=1 OR ",
      "not ",
      "redis or vue ",
      "\u200b\u2060a",
      "between 1 and ",
      "tagged “",
      "r\u0430ted 99999999999999999999 ",
    ];
    const time = (text: string, schemaName: string, runs: number) => {
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < runs; k++) {
        gc(); // so that a collection of earlier garbage is not timed
        // CPU time, not wall time: other processes on the machine do not count
        const t = process.cpuUsage();
        try {
          const out = parseAt(text, schemaName);
          const allowed = new Set(schemas[schemaName]!.attributes.map((a) => a.name));
          for (const f of fields(out.filter)) expect(allowed.has(f)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(RagloomError);
        }
        const used = process.cpuUsage(t);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    time("warm up ".repeat(1000), "docs", 2);
    for (const [i, p] of patterns.entries()) {
      const schemaName = i % 2 === 0 ? "docs" : "movies";
      const of = (n: number) => p.repeat(Math.ceil(n / p.length)).slice(0, n);
      const small = time(of(10_000), schemaName, 3);
      const large = time(of(100_000), schemaName, 2);
      // 10× the input: ~10× the time when linear, ~100× when quadratic
      const label = `${JSON.stringify(p)} on ${schemaName}: ${small.toFixed(0)} ms, ${large.toFixed(0)} ms`;
      expect(large / Math.max(small, 20), label).toBeLessThan(35);
      await new Promise((r) => setImmediate(r));
    }
    expect(() => parse("a ".repeat(50_000), schemas.docs!)).toThrowError(RequestTooLongError);
  }, 180_000);
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
