import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { RagloomError } from "@ragloom/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  configureTemplates,
  createPromptTemplate,
  DEFAULT_TEMPLATE_SETTINGS,
  TemplateVariablesError,
} from "../src/index.js";
import { seededRandom } from "./seeded-random.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
afterEach(() => {
  configureTemplates(DEFAULT_TEMPLATE_SETTINGS);
});

const NAMES = [
  "a",
  "question",
  "user.name",
  "constructor",
  "toString",
  "__proto__",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "x-y",
  "1abc",
  "",
  " ",
  "a b",
  "é",
  "$where",
  ".",
  "a..b",
  "a.",
  "{",
  "}",
  "length",
];
const TEXT = ["hello ", "\n", "  ", "é", "😀", "\u202e", "\u0000", "{", "}", "{ {", "} }", "<%", "%>", "\\"];

/** A random template source: tags of every kind with odd names, nesting, delimiters, huge sizes. */
function randomTemplate(r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  let open = "{{";
  let close = "}}";
  const parts: string[] = [];
  const stack: string[] = [];
  const n = 1 + Math.floor(r() * 16);
  for (let i = 0; i < n; i++) {
    const k = r();
    const name = pick(NAMES);
    if (k < 0.25) parts.push(pick(TEXT));
    else if (k < 0.45) parts.push(`${open}${r() < 0.2 ? " " : ""}${name}${close}`);
    else if (k < 0.5) parts.push(`${open}{${name}}${close}`, `${open}&${name}${close}`);
    else if (k < 0.65) {
      const depth = 1 + Math.floor(r() * (r() < 0.1 ? 80 : 6));
      for (let d = 0; d < depth; d++) {
        const s = pick(NAMES);
        stack.push(s);
        parts.push(`${open}${r() < 0.5 ? "#" : "^"}${s}${close}`, pick(TEXT));
      }
    } else if (k < 0.8 && stack.length) parts.push(`${open}/${r() < 0.9 ? stack.pop() : name}${close}`);
    else if (k < 0.84) parts.push(`${open}! ${pick(TEXT)} ${close}`);
    else if (k < 0.88) {
      const [o, c] = r() < 0.5 ? ["<%", "%>"] : ["{{", "}}"];
      parts.push(`${open}=${o} ${c}=${close}`);
      [open, close] = [o, c];
    } else if (k < 0.9) parts.push(`${open}> ${name}${close}`);
    else if (k < 0.93) parts.push(pick(["{{", "}}", "{{{", "}}}", "{{#", "{{/", "{{="]));
    else if (k < 0.96) parts.push(`${open}${name}${" ".repeat(Math.floor(r() * 200))}${close}`);
    else parts.push(pick(TEXT).repeat(Math.floor(r() * 300_000)));
  }
  while (r() < 0.9 && stack.length) parts.push(`${open}/${stack.pop()}${close}`);
  return parts.join("");
}

describe("fuzzing templates", () => {
  it("random template sources give a working template or a typed error, never a crash or a prototype value", () => {
    const r = seededRandom(99);
    let built = 0;
    let rendered = 0;
    for (let i = 0; i < 600; i++) {
      const template = randomTemplate(r);
      let t: ReturnType<typeof createPromptTemplate>;
      try {
        t = createPromptTemplate({ type: "text", template });
        built++;
      } catch (e) {
        expect(e, template.slice(0, 200)).toBeInstanceOf(RagloomError);
        continue;
      }
      const values = Object.fromEntries(t.inputVariables.map((v) => [v, "v"]));
      let out: string;
      try {
        out = t.format(values);
      } catch (e) {
        expect(e, template.slice(0, 200)).toBeInstanceOf(RagloomError);
        continue;
      }
      rendered++;
      // values are strings: an object or a function in the output came from a prototype
      expect(out).not.toContain("[object ");
      expect(out).not.toContain("function ");
      if (t.inputVariables.length) expect(() => t.format({})).toThrowError(TemplateVariablesError);
    }
    expect(built).toBeGreaterThan(100);
    expect(rendered).toBeGreaterThan(80);
  }, 120_000);

  it("parses hostile sources in linear time (20,000 vs 200,000 characters)", async () => {
    configureTemplates({ cacheMaxBytes: 0 });
    const patterns = [
      "x",
      "{{a}} ",
      "{{#a}}x{{/a}}",
      "{{",
      "{{{a}}}",
      "{{! a b }}",
      "{{a        ",
      "{{#a}}",
      "{ ",
      "{{=<% %>=}}<%a%> ",
    ];
    const cpu = (template: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 2; k++) {
        gc();
        const t = process.cpuUsage();
        try {
          createPromptTemplate({ type: "text", template });
        } catch (e) {
          expect(e).toBeInstanceOf(RagloomError);
        }
        const used = process.cpuUsage(t);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    cpu("warm {{up}} ".repeat(1000));
    for (const p of patterns) {
      const of = (n: number) => p.repeat(Math.ceil(n / p.length)).slice(0, n);
      const small = cpu(of(20_000));
      const large = cpu(of(200_000));
      // 10× the input: ~10× the time when linear, ~100× when quadratic
      expect(large / Math.max(small, 20), `${JSON.stringify(p)}: ${small} ms, ${large} ms`).toBeLessThan(35);
      await new Promise((res) => setImmediate(res));
    }
  }, 180_000);
});
