import { RagloomError, ValidationError } from "@ragloom/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  configureTemplates,
  createPromptTemplate,
  DEFAULT_TEMPLATE_SETTINGS,
  parseTemplate,
  TemplateLimitError,
  TemplateSyntaxError,
  TemplateVariablesError,
  templateCacheStats,
} from "../src/index.js";

afterEach(() => {
  configureTemplates(DEFAULT_TEMPLATE_SETTINGS);
});

const text = (template: string) => createPromptTemplate({ type: "text", template });

describe("variable lookup uses own properties only", () => {
  const names = ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty", "isPrototypeOf"];

  it("reports Object.prototype names as missing instead of rendering [object Object]", () => {
    for (const name of names) {
      const t = text(`x={{${name}}}`);
      expect(t.inputVariables).toEqual([name]);
      expect(() => t.format({})).toThrowError(TemplateVariablesError);
      expect(() => t.format({})).toThrowError(expect.objectContaining({ missing: [name] }));
    }
  });

  it("renders those names when the values really hold them", () => {
    expect(text("{{constructor}}/{{toString}}").format({ constructor: "c", toString: "s" })).toBe("c/s");
    expect(text("{{__proto__}}").format(JSON.parse('{"__proto__": "p"}'))).toBe("p");
  });

  it("never reaches prototypes in dotted names or sections", () => {
    const t = createPromptTemplate({
      type: "text",
      template: "[{{user.constructor}}|{{user.name.length}}|{{#items}}{{toString}}{{.}};{{/items}}]",
    });
    expect(t.format({ user: { name: "Ada" }, items: ["a", "b"] })).toBe("[|3|a;b;]");
    expect(t.format({ user: Object.create({ constructor: "inherited" }), items: [] })).toBe("[||]");
  });
});

describe("template limits", () => {
  it("rejects sources over maxLength before parsing, with a typed error", () => {
    const max = DEFAULT_TEMPLATE_SETTINGS.maxLength;
    expect(() => parseTemplate("x".repeat(max + 1))).toThrowError(TemplateLimitError);
    try {
      text(`{{a}}${"x".repeat(max)}`);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateSyntaxError);
      expect(e).toBeInstanceOf(ValidationError);
      expect(e).toMatchObject({ limit: "length", max, actual: max + 5 });
    }
    expect(parseTemplate(`{{a}}${"x".repeat(max - 5)}`).variables).toEqual(["a"]);
  });

  it("rejects deep section nesting with a typed error instead of overflowing the stack", () => {
    const nest = (n: number, open = "{{", close = "}}") =>
      `${`${open}#a${close}`.repeat(n)}x${`${open}/a${close}`.repeat(n)}`;
    for (const n of [33, 1000, 10_000]) {
      expect(() => parseTemplate(nest(n))).toThrowError(expect.objectContaining({ limit: "depth" }));
      expect(() => text(nest(n)).format({ a: true })).toThrowError(TemplateLimitError);
    }
    expect(text(nest(32)).format({ a: true })).toBe("x");
    // the same with spaces in tags, inverted sections and custom delimiters
    expect(() => parseTemplate(`${"{{ ^b }}".repeat(40)}${"{{ /b }}".repeat(40)}`)).toThrowError(
      TemplateLimitError,
    );
    expect(() => parseTemplate(`{{=<% %>=}}${nest(5000, "<%", "%>")}`)).toThrowError(TemplateLimitError);
    configureTemplates({ maxSectionDepth: 2 });
    expect(() => parseTemplate(nest(3))).toThrowError(TemplateLimitError);
  });

  it("rejects long whitespace runs inside a tag (quadratic in mustache) quickly", () => {
    for (const t of [
      `{{a${" ".repeat(100_000)}b`,
      `{{a${" ".repeat(100_000)}b}}`,
      `{{!${"\n".repeat(50_000)}x}}`,
    ]) {
      expect(() => parseTemplate(t)).toThrowError(expect.objectContaining({ limit: "whitespace" }));
    }
    expect(parseTemplate(`{{ a }}${" ".repeat(100_000)}`).variables).toEqual(["a"]);
  });

  it("bounds the parsed-template cache in bytes and can turn it off", () => {
    configureTemplates({ cacheMaxBytes: 4 * 1024 * 1024 });
    for (let i = 0; i < 40; i++) parseTemplate(`${i} ${"{{q}} text ".repeat(2000)}`);
    const stats = templateCacheStats();
    expect(stats.maxBytes).toBe(4 * 1024 * 1024);
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats.entries).toBeGreaterThan(0);
    expect(stats.entries).toBeLessThan(40);
    configureTemplates({ cacheMaxBytes: 0 });
    parseTemplate("{{q}} again");
    expect(templateCacheStats().entries).toBe(0);
    expect(() => configureTemplates({ maxLength: -1 })).toThrowError(ValidationError);
    expect(() => configureTemplates({ maxSectionDepth: 1.5 })).toThrowError(RagloomError);
  });
});
