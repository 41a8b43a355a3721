import { ValidationError } from "@ragloom/core";

/**
 * A template that mustache cannot parse (unclosed tag or section, unsupported partial, ...).
 * `position` is the character offset mustache reported, when it reported one.
 */
export class TemplateSyntaxError extends ValidationError {
  /** Character offset of the problem in the template, when known. */
  readonly position?: number;
  /** The offending variable or section name, when there is one. */
  readonly variable?: string;
  constructor(message: string, options: { position?: number; variable?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.position = options.position;
    this.variable = options.variable;
  }
}

/**
 * Values given to a template do not match its declared input variables.
 * `missing`: declared required variables without a value; `extra`: values for undeclared names;
 * `undeclared`: names the template uses that its declaration does not list (at creation time).
 */
export class TemplateVariablesError extends ValidationError {
  readonly missing: string[];
  readonly extra: string[];
  readonly undeclared: string[];
  constructor(what: string, variables: { missing?: string[]; extra?: string[]; undeclared?: string[] }) {
    const missing = variables.missing ?? [];
    const extra = variables.extra ?? [];
    const undeclared = variables.undeclared ?? [];
    const parts: string[] = [];
    if (missing.length) parts.push(`missing variables: ${missing.join(", ")}`);
    if (extra.length) parts.push(`extra variables: ${extra.join(", ")}`);
    if (undeclared.length) parts.push(`undeclared variables used by the template: ${undeclared.join(", ")}`);
    super(`${what}: ${parts.join("; ")}`);
    this.missing = missing;
    this.extra = extra;
    this.undeclared = undeclared;
  }
}

/** A prompt, version or label that does not exist in the store. */
export class PromptNotFoundError extends ValidationError {
  readonly promptName: string;
  readonly ref?: string;
  constructor(name: string, ref?: string) {
    super(ref ? `prompt "${name}" has no ${ref}` : `prompt "${name}" does not exist`);
    this.promptName = name;
    this.ref = ref;
  }
}

/** Which bound a template exceeded (see `configureTemplates`). */
export type TemplateLimit = "length" | "depth" | "whitespace";

/**
 * A template over one of the bounds that keep parsing and rendering linear and the stack safe:
 * `length` (characters of source), `depth` (nested sections), `whitespace` (a run of whitespace
 * inside one tag). A {@link TemplateSyntaxError}, so code that handles bad templates handles it.
 */
export class TemplateLimitError extends TemplateSyntaxError {
  readonly limit: TemplateLimit;
  /** The measured value (characters, nesting levels). */
  readonly actual: number;
  /** The bound it exceeded. */
  readonly max: number;
  constructor(limit: TemplateLimit, actual: number, max: number, position?: number) {
    const what =
      limit === "length"
        ? `template is ${actual} characters, more than the limit of ${max}`
        : limit === "depth"
          ? `sections are nested more than ${max} deep`
          : `a tag holds a run of ${actual} whitespace characters, more than ${max}`;
    super(position === undefined ? what : `${what} (at ${position})`, { position });
    this.limit = limit;
    this.actual = actual;
    this.max = max;
  }
}
