import { ValidationError } from "@ragloom/core";
import { describe, expect, it } from "vitest";
import { TemplateSyntaxError, TemplateVariablesError } from "../errors.js";
import { hashContent } from "./content.js";
import { parseTemplate } from "./parse.js";
import { createPromptTemplate } from "./prompt-template.js";

describe("parseTemplate", () => {
  it("finds top-level, dotted, triple-mustache, section and inverted-section variables", () => {
    const r = parseTemplate(
      "Hi {{name}} {{{raw}}} {{&amp}} {{user.email}} {{#docs}}- {{title}}: {{.}}{{/docs}}{{^docs}}none for {{topic}}{{/docs}}{{! note}}",
    );
    expect(r.variables).toEqual(["name", "raw", "amp", "user", "docs", "topic"]);
    expect(r.nested).toEqual(["title"]);
  });

  it("throws a typed error with position and section name for malformed templates", () => {
    const e1 = (() => {
      try {
        parseTemplate("Hello {{#items}}x");
      } catch (e) {
        return e;
      }
    })() as TemplateSyntaxError;
    expect(e1).toBeInstanceOf(TemplateSyntaxError);
    expect(e1).toBeInstanceOf(ValidationError);
    expect(e1.variable).toBe("items");
    expect(e1.position).toBe(17);
    expect(() => parseTemplate("{{a}")).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate("{{#a}}{{/b}}")).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate("{{> header}}")).toThrow(/partials are not supported/);
    expect(() => parseTemplate("{{.}}")).toThrow(TemplateSyntaxError);
  });
});

describe("createPromptTemplate", () => {
  it("renders text without HTML escaping and infers input variables", () => {
    const t = createPromptTemplate({ type: "text", template: "Q: {{question}}\nContext: {{context}}" });
    expect(t.type).toBe("text");
    expect(t.inputVariables).toEqual(["question", "context"]);
    expect(t.format({ question: "a < b & 'c'?", context: "<p>x</p>" })).toBe(
      "Q: a < b & 'c'?\nContext: <p>x</p>",
    );
    expect(t.toMessages({ question: "q", context: "c" })).toEqual([
      { role: "user", content: "Q: q\nContext: c" },
    ]);
  });

  it("reports missing and extra variables by name", () => {
    const t = createPromptTemplate({ type: "text", template: "{{a}} {{b}} {{c}}" });
    let err: TemplateVariablesError | undefined;
    try {
      t.format({ a: 1, d: 2, e: 3 });
    } catch (e) {
      err = e as TemplateVariablesError;
    }
    expect(err).toBeInstanceOf(TemplateVariablesError);
    expect(err!.missing).toEqual(["b", "c"]);
    expect(err!.extra).toEqual(["d", "e"]);
    expect(err!.message).toMatch(/missing variables: b, c; extra variables: d, e/);
    // allowExtra ignores extra names, and they never reach the template
    expect(t.format({ a: 1, b: 2, c: 3, d: 4 }, { allowExtra: true })).toBe("1 2 3");
    // null and 0 are values; undefined is missing
    expect(t.format({ a: 0, b: null, c: false })).toBe("0  false");
    expect(() => t.format({ a: 1, b: 2, c: undefined })).toThrow(TemplateVariablesError);
  });

  it("checks the template against declared variables and supports optional ones", () => {
    expect(() =>
      createPromptTemplate({ type: "text", template: "{{a}} {{secret}}", inputVariables: ["a"] }),
    ).toThrowError(expect.objectContaining({ undeclared: ["secret"] }));
    const t = createPromptTemplate({
      type: "text",
      template: "Q: {{q}}{{#context}}\nUse: {{context}}{{/context}}",
      inputVariables: ["q", "unused"],
      optionalVariables: ["context"],
    });
    expect(t.inputVariables).toEqual(["q", "unused"]);
    expect(() => t.format({ q: "x" })).toThrowError(expect.objectContaining({ missing: ["unused"] }));
    expect(t.format({ q: "x", unused: 1 })).toBe("Q: x");
    expect(t.format({ q: "x", unused: 1, context: "doc" })).toBe("Q: x\nUse: doc");
    // inferred + optional
    const t2 = createPromptTemplate({
      type: "text",
      template: "{{q}}{{#c}}!{{/c}}",
      optionalVariables: ["c"],
    });
    expect(t2.inputVariables).toEqual(["q"]);
  });

  it("renders chat messages with sections over lists", () => {
    const t = createPromptTemplate({
      type: "chat",
      messages: [
        { role: "system", content: "You answer in {{language}}." },
        { role: "user", content: "{{#docs}}[{{id}}] {{text}}\n{{/docs}}Question: {{question}}" },
        { role: "assistant", content: "Sure." },
      ],
    });
    expect(t.inputVariables).toEqual(["language", "docs", "question"]);
    expect(
      t.format({
        language: "French",
        docs: [
          { id: 1, text: "a & b" },
          { id: 2, text: "<c>" },
        ],
        question: "?",
      }),
    ).toEqual([
      { role: "system", content: "You answer in French." },
      { role: "user", content: "[1] a & b\n[2] <c>\nQuestion: ?" },
      { role: "assistant", content: "Sure." },
    ]);
  });

  it("validates content shape", () => {
    expect(() => createPromptTemplate({ type: "chat", messages: [] })).toThrow(ValidationError);
    expect(() =>
      createPromptTemplate({ type: "chat", messages: [{ role: "tool" as "user", content: "x" }] }),
    ).toThrow(/role/);
    expect(() => createPromptTemplate({ type: "html" } as never)).toThrow(/unknown prompt type/);
    expect(() => createPromptTemplate({ type: "text", template: "x", inputVariables: ["a b"] })).toThrow(
      ValidationError,
    );
  });

  it("hashes content canonically (key order does not matter, content does)", () => {
    const a = hashContent({ type: "text", template: "x", config: { t: 1, m: "a" } });
    const b = hashContent({ config: { m: "a", t: 1 }, template: "x", type: "text" } as never);
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashContent({ type: "text", template: "y" })).not.toBe(a);
  });
});
