import type { ChatMessage } from "@ragloom/core";
import { TemplateVariablesError } from "../errors.js";
import {
  type ChatPromptContent,
  normalizeContent,
  type PromptContent,
  type TextPromptContent,
} from "./content.js";
import { parseTemplate, renderMustache } from "./parse.js";

/** Values of a template's variables; `undefined` counts as missing. */
export type TemplateValues = Record<string, unknown>;

/** Options of a render call. */
export interface RenderOptions {
  /** Accept (and ignore) values for names the template does not declare instead of throwing. @default false */
  allowExtra?: boolean;
}

interface TemplateBase {
  /** Required input variables (declared, or inferred from the template). */
  readonly inputVariables: string[];
  /** Variables that may be omitted. */
  readonly optionalVariables: string[];
  /** The normalised content this template was built from. */
  readonly content: PromptContent;
  /**
   * Checks `values` against the declaration.
   * @throws TemplateVariablesError listing `missing` required and `extra` undeclared names.
   */
  validate(values: TemplateValues, options?: RenderOptions): void;
  /** The prompt as chat messages (a text prompt becomes one `user` message). Validates first. */
  toMessages(values: TemplateValues, options?: RenderOptions): ChatMessage[];
}

/** A plain-text template. `format` returns the rendered string. */
export interface TextPromptTemplate extends TemplateBase {
  readonly type: "text";
  readonly content: TextPromptContent;
  /** Renders the template (no HTML escaping). @throws TemplateVariablesError */
  format(values: TemplateValues, options?: RenderOptions): string;
}

/** A chat template. `format` returns one rendered message per message template, in order. */
export interface ChatPromptTemplate extends TemplateBase {
  readonly type: "chat";
  readonly content: ChatPromptContent;
  /** Renders every message (no HTML escaping). @throws TemplateVariablesError */
  format(values: TemplateValues, options?: RenderOptions): ChatMessage[];
}

/** A text or chat template. */
export type PromptTemplate = TextPromptTemplate | ChatPromptTemplate;

/**
 * Builds a template from prompt content. Variables are found with mustache's parser
 * (see `parseTemplate`); when `inputVariables` is declared, the template may use only declared
 * names (`inputVariables` + `optionalVariables`).
 * @example
 * const t = createPromptTemplate({ type: "text", template: "Answer {{question}} using {{{context}}}" });
 * t.inputVariables; // ["question", "context"]
 * t.format({ question: "why?", context: "<b>because</b>" }); // no HTML escaping
 * @throws TemplateSyntaxError for a malformed template (with `position` and the section `variable`).
 * @throws TemplateVariablesError (`undeclared`) when the template uses names the declaration lacks.
 * @throws ValidationError for malformed content.
 */
export function createPromptTemplate(content: TextPromptContent): TextPromptTemplate;
export function createPromptTemplate(content: ChatPromptContent): ChatPromptTemplate;
export function createPromptTemplate(content: PromptContent): PromptTemplate;
export function createPromptTemplate(input: PromptContent): PromptTemplate {
  const content = normalizeContent(input);
  const sources = content.type === "text" ? [content.template] : content.messages.map((m) => m.content);
  const used: string[] = [];
  for (const source of sources) {
    for (const v of parseTemplate(source).variables) if (!used.includes(v)) used.push(v);
  }
  const optionalVariables = content.optionalVariables ?? [];
  let inputVariables: string[];
  if (content.inputVariables) {
    inputVariables = content.inputVariables;
    const declared = new Set([...inputVariables, ...optionalVariables]);
    const undeclared = used.filter((v) => !declared.has(v));
    if (undeclared.length)
      throw new TemplateVariablesError("template does not match its declaration", { undeclared });
  } else {
    inputVariables = used.filter((v) => !optionalVariables.includes(v));
  }
  const allowed = new Set([...inputVariables, ...optionalVariables]);

  const validate = (values: TemplateValues, options: RenderOptions = {}) => {
    if (!values || typeof values !== "object" || Array.isArray(values)) {
      throw new TemplateVariablesError("values must be an object", { missing: inputVariables });
    }
    // own properties only: `constructor` or `toString` on a plain object is missing, not a value
    const missing = inputVariables.filter((v) => !Object.hasOwn(values, v) || values[v] === undefined);
    const extra = options.allowExtra ? [] : Object.keys(values).filter((k) => !allowed.has(k));
    if (missing.length || extra.length) {
      throw new TemplateVariablesError("cannot render prompt", { missing, extra });
    }
  };
  const view = (values: TemplateValues) => {
    // only declared names reach mustache, so an allowed extra value can never change the output
    // a null-prototype view: mustache finds no Object.prototype member in it
    const out: TemplateValues = Object.create(null);
    for (const k of allowed) if (Object.hasOwn(values, k) && values[k] !== undefined) out[k] = values[k];
    return out;
  };

  if (content.type === "text") {
    const format = (values: TemplateValues, options?: RenderOptions) => {
      validate(values, options);
      return renderMustache(content.template, view(values));
    };
    return {
      type: "text",
      content,
      inputVariables,
      optionalVariables,
      validate,
      format,
      toMessages: (values, options) => [{ role: "user", content: format(values, options) }],
    };
  }
  const format = (values: TemplateValues, options?: RenderOptions): ChatMessage[] => {
    validate(values, options);
    const v = view(values);
    return content.messages.map((m) => ({ role: m.role, content: renderMustache(m.content, v) }));
  };
  return { type: "chat", content, inputVariables, optionalVariables, validate, format, toMessages: format };
}
