/**
 * Labelled-set accuracy of a self-query parser: a request counts as correct when its filter
 * selects exactly the same records of a synthetic collection as the labelled filter (so
 * equivalent filter trees count as equal). Shared by the accuracy test and bench/self-query.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileFilter, type Filter, type Metadata } from "@ragloom/core";
import {
  defineSchema,
  enumValues,
  type SelfQueryResult,
  type SelfQuerySchema,
  validateSchemaFilter,
} from "../src/index.js";

const here = import.meta.dirname;

export interface LabelledRequest {
  schema: string;
  category: string;
  request: string;
  filter: unknown;
}

interface Fixture {
  now: string;
  schemas: Record<string, SelfQuerySchema>;
  generators: Record<string, Record<string, [number | string, number | string, number?] | string[]>>;
}

export const fixture = JSON.parse(readFileSync(join(here, "fixtures", "schemas.json"), "utf8")) as Fixture;
export const requests = JSON.parse(
  readFileSync(join(here, "fixtures", "requests.json"), "utf8"),
) as LabelledRequest[];
export const NOW = new Date(fixture.now);
export const schemas: Record<string, SelfQuerySchema> = Object.fromEntries(
  Object.entries(fixture.schemas).map(([k, v]) => [k, defineSchema(v)]),
);

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic collection of `n` records covering every attribute of a fixture schema. */
export function syntheticRecords(name: string, n = 600, seed = 7): Array<{ id: string; metadata: Metadata }> {
  const schema = schemas[name]!;
  const gen = fixture.generators[name] ?? {};
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const metadata: Metadata = {};
    for (const a of schema.attributes) {
      const g = gen[a.name];
      const values = enumValues(a).map((v) => v.value);
      if (a.type === "string")
        metadata[a.name] = values.length ? (pick(values) as string) : pick(g as string[]);
      else if (a.type === "string[]") {
        const k = 1 + Math.floor(r() * 3);
        const set = new Set<string>();
        while (set.size < k) set.add(pick(values) as string);
        metadata[a.name] = [...set];
      } else if (a.type === "boolean") metadata[a.name] = r() < 0.5;
      else if (a.type === "number") {
        const [lo, hi, dec] = g as [number, number, number];
        const f = 10 ** (dec ?? 0);
        metadata[a.name] = Math.round((lo + r() * (hi - lo)) * f) / f;
      } else {
        const [lo, hi] = (g as [string, string]).map((d) => Date.parse(d));
        const day = 86_400_000;
        metadata[a.name] = Math.floor((lo! + r() * (hi! - lo!)) / day) * day;
      }
    }
    return { id: `${name}-${i}`, metadata };
  });
}

const collections = new Map<string, Array<{ id: string; metadata: Metadata }>>();

function matching(filter: Filter | null, records: Array<{ id: string; metadata: Metadata }>): string {
  if (!filter) return records.map((x) => x.id).join(",");
  const f = compileFilter(filter);
  return records
    .filter((x) => f(x.metadata))
    .map((x) => x.id)
    .join(",");
}

export interface Outcome {
  item: LabelledRequest;
  correct: boolean;
  predicted: Filter | null;
  query: string;
  error?: string;
}

/** Runs `parse` on every labelled request and compares matching record sets. */
export async function evaluate(
  parse: (request: string, schema: SelfQuerySchema) => SelfQueryResult | Promise<SelfQueryResult>,
  items: LabelledRequest[] = requests,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const item of items) {
    const schema = schemas[item.schema]!;
    let records = collections.get(item.schema);
    if (!records) {
      records = syntheticRecords(item.schema);
      collections.set(item.schema, records);
    }
    const expected = item.filter === null ? null : validateSchemaFilter(item.filter, schema, { now: NOW });
    try {
      const res = await parse(item.request, schema);
      out.push({
        item,
        correct: matching(res.filter, records) === matching(expected, records),
        predicted: res.filter,
        query: res.query,
      });
    } catch (e) {
      out.push({ item, correct: false, predicted: null, query: "", error: (e as Error).message });
    }
  }
  return out;
}

/** Accuracy per category plus `all`. */
export function byCategory(
  outcomes: Outcome[],
): Array<{ category: string; n: number; correct: number; accuracy: number }> {
  const cats = [...new Set(outcomes.map((o) => o.item.category))].sort();
  const row = (category: string, os: Outcome[]) => {
    const correct = os.filter((o) => o.correct).length;
    return { category, n: os.length, correct, accuracy: os.length ? correct / os.length : 0 };
  };
  return [
    ...cats.map((c) =>
      row(
        c,
        outcomes.filter((o) => o.item.category === c),
      ),
    ),
    row("all", outcomes),
  ];
}
