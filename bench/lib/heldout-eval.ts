/**
 * Record-set accuracy on the held-out self-query set: a request is correct when its filter
 * selects exactly the records its labelled filter selects, in a synthetic collection built for
 * that request from the literal values of both filters (each value, and values just below and
 * above it, so a wrong operator or a wrong boundary shows) plus values of the whole set.
 * `filter: null` is graded the same way (a filter that selects every record counts as none).
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
} from "../../packages/self-query/src/index.js";
import { rng } from "../../packages/self-query/test/accuracy.js";
import { adaptSchema, type HeldoutSchema } from "./heldout-schema.js";

/** Which frozen set: `SELF_QUERY_HELDOUT=self-query-heldout-2` selects the second one. @default self-query-heldout */
export const HELDOUT_SET = process.env.SELF_QUERY_HELDOUT ?? "self-query-heldout";
const dir = join(import.meta.dirname, "..", "data", HELDOUT_SET);

export interface HeldoutRequest {
  schema: string;
  category: string;
  request: string;
  filter: unknown;
}

/** The held-out set's fixed "today". */
export const HELDOUT_NOW = new Date("2026-06-15T12:00:00Z");
/**
 * The third set writes the list of an `in`/`nin` node as `values` (its README says so); the filter
 * IR calls it `value`. Renaming the key on load changes no meaning and leaves the frozen file as is.
 */
function listKey(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(listKey);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    out[k === "values" && !("value" in node) ? "value" : k] = listKey(v);
  return out;
}
export const heldoutRequests = (
  JSON.parse(readFileSync(join(dir, "requests.json"), "utf8")) as HeldoutRequest[]
).map((r) => ({ ...r, filter: listKey(r.filter) }));
const raw = JSON.parse(readFileSync(join(dir, "schemas.json"), "utf8")) as Record<string, HeldoutSchema>;
/**
 * Attributes a set declares `integer`, per schema. The parser's schema has no integer type (they
 * are numbers), but the synthetic collection holds only integers for them, as real records do:
 * `lte 1999` and `lt 2000` select the same integer years.
 */
const integerAttributes = new Map(
  Object.entries(raw).map(([k, v]) => [
    k,
    new Set(v.attributes.filter((a) => a.type === "integer").map((a) => a.name)),
  ]),
);
export const heldoutSchemas: Record<string, SelfQuerySchema> = Object.fromEntries(
  Object.entries(raw).map(([k, v]) => [k, defineSchema(adaptSchema(v))]),
);

type Lit = string | number | boolean;
function literals(f: Filter | null, out: Map<string, Lit[]>): Map<string, Lit[]> {
  if (!f) return out;
  const node = f as unknown as {
    op: string;
    field?: string;
    value?: unknown;
    filters?: Filter[];
    filter?: Filter;
  };
  if (node.filters) for (const c of node.filters) literals(c, out);
  else if (node.filter) literals(node.filter, out);
  else if (node.field !== undefined) {
    const vs = Array.isArray(node.value) ? node.value : [node.value];
    const list = out.get(node.field) ?? [];
    for (const v of vs) if (v !== undefined && v !== null) list.push(v as Lit);
    out.set(node.field, list);
  }
  return out;
}

const DAY = 86_400_000;
const expectedOf = new Map<HeldoutRequest, Filter | null>();
function expected(item: HeldoutRequest): Filter | null {
  if (!expectedOf.has(item)) {
    const schema = heldoutSchemas[item.schema]!;
    expectedOf.set(
      item,
      item.filter === null ? null : validateSchemaFilter(item.filter, schema, { now: HELDOUT_NOW }),
    );
  }
  return expectedOf.get(item)!;
}

/** Literal values of every expected filter of a schema, per field (the set-wide pool). */
const pools = new Map<string, Map<string, Lit[]>>();
function pool(name: string): Map<string, Lit[]> {
  let p = pools.get(name);
  if (!p) {
    p = new Map();
    for (const r of heldoutRequests) if (r.schema === name) literals(expected(r), p);
    pools.set(name, p);
  }
  return p;
}

function collection(name: string, local: Map<string, Lit[]>, n = 400): Metadata[] {
  const schema = heldoutSchemas[name]!;
  const global = pool(name);
  const r = rng(11);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const m: Metadata = {};
    for (const a of schema.attributes) {
      const lits = [
        ...(local.get(a.name) ?? []),
        ...(local.get(a.name) ?? []),
        ...(global.get(a.name) ?? []),
      ];
      if (a.type === "boolean") m[a.name] = r() < 0.5;
      else if (a.type === "number" || a.type === "date") {
        const step = a.type === "date" ? DAY : 1;
        const nums = lits.filter((v): v is number => typeof v === "number");
        const whole = integerAttributes.get(name)?.has(a.name) ?? false;
        const cands = nums.flatMap((v) =>
          whole
            ? [Math.floor(v) - 1, Math.floor(v), Math.ceil(v), Math.ceil(v) + 1]
            : [v - step, v, v + step, v - 0.5 * step, v + 0.5 * step],
        );
        const lo = Math.min(...nums, a.type === "date" ? Date.parse("1950-01-01") : 0);
        const hi = Math.max(...nums, a.type === "date" ? Date.parse("2030-01-01") : 100);
        m[a.name] =
          cands.length && r() < 0.7
            ? pick(cands)
            : a.type === "date"
              ? Math.floor((lo + r() * (hi - lo)) / DAY) * DAY
              : Math.round(lo + r() * (hi - lo));
      } else {
        const values = enumValues(a).map((v) => String(v.value));
        const strs = [...new Set([...values, ...lits.map(String), "zz-other-1", "zz-other-2"])];
        if (a.type === "string") m[a.name] = pick(strs);
        else {
          const k = 1 + Math.floor(r() * 3);
          const set = new Set<string>();
          for (let i = 0; i < k; i++) set.add(pick(strs));
          m[a.name] = [...set];
        }
      }
    }
    return m;
  });
}

function matching(filter: Filter | null, records: Metadata[]): string {
  if (!filter) return records.map((_, i) => i).join(",");
  const f = compileFilter(filter);
  return records.flatMap((x, i) => (f(x) ? [i] : [])).join(",");
}

export interface HeldoutOutcome {
  item: HeldoutRequest;
  correct: boolean;
  predicted: Filter | null;
  query: string;
  error?: string;
}

/** Runs `parse` on every held-out request and compares matching record sets. */
export async function evaluateHeldout(
  parse: (request: string, schema: SelfQuerySchema) => SelfQueryResult | Promise<SelfQueryResult>,
  items: HeldoutRequest[] = heldoutRequests,
): Promise<HeldoutOutcome[]> {
  const out: HeldoutOutcome[] = [];
  for (const item of items) {
    const exp = expected(item);
    try {
      const res = await parse(item.request, heldoutSchemas[item.schema]!);
      const local = literals(res.filter, literals(exp, new Map()));
      const records = collection(item.schema, local);
      out.push({
        item,
        correct: matching(res.filter, records) === matching(exp, records),
        predicted: res.filter,
        query: res.query,
      });
    } catch (e) {
      out.push({ item, correct: false, predicted: null, query: "", error: (e as Error).message });
    }
  }
  return out;
}
