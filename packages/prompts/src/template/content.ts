import { createHash } from "node:crypto";
import { ValidationError } from "@ragloom/core";

/** Role of a chat message template (the roles of the OpenAI-compatible chat API). */
export type ChatRole = "system" | "user" | "assistant";

/** One message of a chat prompt; `content` is a mustache template. */
export interface ChatMessageTemplate {
  role: ChatRole;
  content: string;
}

/** Fields shared by text and chat prompt content. */
export interface PromptContentBase {
  /**
   * Required input variables. When given, the template may use only these (plus `optionalVariables`);
   * when omitted, they are inferred from the template by mustache's parser.
   * @default inferred from the template
   */
  inputVariables?: string[];
  /** Declared variables that may be left out at render time (e.g. a `{{#context}}...{{/context}}` block). @default [] */
  optionalVariables?: string[];
  /** Free-form model settings versioned with the prompt (model id, temperature, ...), JSON only. @default undefined */
  config?: Record<string, unknown>;
}

/** A plain-text prompt: one mustache template. */
export interface TextPromptContent extends PromptContentBase {
  type: "text";
  template: string;
}

/** A chat prompt: a list of system/user/assistant message templates. */
export interface ChatPromptContent extends PromptContentBase {
  type: "chat";
  messages: ChatMessageTemplate[];
}

/** What a prompt version holds: the JSON-serialisable definition of a text or chat template. */
export type PromptContent = TextPromptContent | ChatPromptContent;

const ROLES = new Set<string>(["system", "user", "assistant"]);
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkNames(list: unknown, what: string): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new ValidationError(`${what} must be an array of names`);
  for (const v of list) {
    if (typeof v !== "string" || !VARIABLE.test(v)) {
      throw new ValidationError(`${what} holds an invalid variable name: ${JSON.stringify(v)}`);
    }
  }
  if (new Set(list).size !== list.length) throw new ValidationError(`${what} has duplicate names`);
  return [...list] as string[];
}

/**
 * Checks the shape of prompt content and returns a normalised copy (only known keys, in a fixed
 * order, so that equal content hashes equally). Template syntax is checked by `createPromptTemplate`.
 * @throws ValidationError for an unknown `type`, a non-string template, an unknown role, an empty
 *   message list, invalid variable names or a non-JSON `config`.
 */
export function normalizeContent(content: PromptContent): PromptContent {
  if (!content || typeof content !== "object") throw new ValidationError("prompt content must be an object");
  const inputVariables = checkNames(content.inputVariables, "inputVariables");
  const optionalVariables = checkNames(content.optionalVariables, "optionalVariables");
  if (inputVariables && optionalVariables) {
    const both = optionalVariables.filter((v) => inputVariables.includes(v));
    if (both.length) throw new ValidationError(`variables both required and optional: ${both.join(", ")}`);
  }
  let config: Record<string, unknown> | undefined;
  if (content.config !== undefined) {
    if (content.config === null || typeof content.config !== "object" || Array.isArray(content.config)) {
      throw new ValidationError("config must be a plain object");
    }
    try {
      config = JSON.parse(JSON.stringify(content.config));
    } catch (cause) {
      throw new ValidationError("config must be JSON-serialisable", { cause });
    }
  }
  const extras = {
    ...(inputVariables ? { inputVariables } : {}),
    ...(optionalVariables ? { optionalVariables } : {}),
    ...(config ? { config } : {}),
  };
  if (content.type === "text") {
    if (typeof content.template !== "string")
      throw new ValidationError("text prompt needs a string template");
    return { type: "text", template: content.template, ...extras };
  }
  if (content.type === "chat") {
    if (!Array.isArray(content.messages) || content.messages.length === 0) {
      throw new ValidationError("chat prompt needs a non-empty messages array");
    }
    const messages = content.messages.map((m, i) => {
      if (!m || !ROLES.has(m.role)) {
        throw new ValidationError(`messages[${i}].role must be system, user or assistant`);
      }
      if (typeof m.content !== "string") throw new ValidationError(`messages[${i}].content must be a string`);
      return { role: m.role, content: m.content };
    });
    return { type: "chat", messages, ...extras };
  }
  throw new ValidationError(`unknown prompt type ${JSON.stringify((content as { type?: unknown }).type)}`);
}

/** JSON with object keys sorted recursively (a canonical form for hashing). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/**
 * Content hash of a prompt: `sha256:` + hex SHA-256 (FIPS 180-4, node:crypto) of the canonical JSON
 * (sorted keys) of the normalised content. Author, message and time are not part of it.
 */
export function hashContent(content: PromptContent): string {
  return `sha256:${createHash("sha256")
    .update(canonicalJson(normalizeContent(content)))
    .digest("hex")}`;
}
