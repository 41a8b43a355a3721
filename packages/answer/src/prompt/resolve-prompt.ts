import type { ChatMessage } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";
import {
  createPromptTemplate,
  type Experiments,
  type PromptContent,
  type PromptReader,
  type PromptRef,
  type ResolvedPrompt,
  type TemplateValues,
} from "@ragloom/prompts";
import type { CitationFormat } from "../citations/json-citations.js";
import type { AnswerPromptInfo } from "../types.js";
import {
  type BuiltInPrompt,
  DEFAULT_ANSWER_PROMPT,
  DEFAULT_JSON_PROMPT,
  DEFAULT_QUOTES_PROMPT,
} from "./default-prompt.js";

/**
 * Where the answerer's prompt comes from:
 * - omitted: the built-in {@link DEFAULT_ANSWER_PROMPT} (or {@link DEFAULT_QUOTES_PROMPT} with `quotes: true`,
 *   {@link DEFAULT_JSON_PROMPT} with `citationFormat: "json"`);
 * - `{ content }`: a text or chat template of your own (`name`/`version` are reported if given);
 * - `{ reader, name, ref? }`: a prompt registry or caching client (`ref`: label or version,
 *   default the reader's default label, `production`);
 * - `{ experiments, experiment }`: an A/B experiment assigns a variant per `unitId` (an answer
 *   option), records the exposure, and `feedback()` records the outcome.
 *
 * Templates get `question`, `context` (the numbered source blocks) and `sources` (`{ n, id, title,
 * text }` items); extra variables a template does not use are ignored.
 */
export type AnswerPromptOption =
  | { content: PromptContent; name?: string; version?: number }
  | { reader: PromptReader; name: string; ref?: PromptRef | string | number }
  | { experiments: Experiments; experiment: string };

/** A prompt ready to render, and what to report about it. */
export interface PreparedPrompt {
  toMessages(values: TemplateValues): ChatMessage[];
  info: AnswerPromptInfo;
  /** Set for experiment prompts: the unit to credit with feedback. */
  unitId?: string;
}

const fromResolved = (p: ResolvedPrompt) => (values: TemplateValues) =>
  p.toMessages(values, { allowExtra: true });

/** Compiles the built-in prompts once. */
const builtIn = (p: BuiltInPrompt) => {
  const template = createPromptTemplate(p.content);
  return {
    toMessages: (values: TemplateValues) => template.toMessages(values, { allowExtra: true }),
    info: { source: "default" as const, name: p.name, version: p.version },
  };
};
const DEFAULTS = {
  plain: builtIn(DEFAULT_ANSWER_PROMPT),
  quotes: builtIn(DEFAULT_QUOTES_PROMPT),
  json: builtIn(DEFAULT_JSON_PROMPT),
};

/**
 * Turns an {@link AnswerPromptOption} into a function that prepares the prompt of one answer.
 * @throws ValidationError for a malformed option or template (at once, not per answer).
 */
export function preparePrompt(
  option: AnswerPromptOption | undefined,
  quotes: boolean,
  format: CitationFormat = "markers",
): (unitId: string | undefined) => Promise<PreparedPrompt> {
  if (option === undefined) {
    const p = format === "json" ? DEFAULTS.json : quotes ? DEFAULTS.quotes : DEFAULTS.plain;
    return async () => p;
  }
  if ("content" in option) {
    const template = createPromptTemplate(option.content);
    const info: AnswerPromptInfo = {
      source: "template",
      ...(option.name !== undefined ? { name: option.name } : {}),
      ...(option.version !== undefined ? { version: option.version } : {}),
    };
    return async () => ({ toMessages: (v) => template.toMessages(v, { allowExtra: true }), info });
  }
  if ("reader" in option) {
    if (typeof option.reader?.get !== "function")
      throw new ValidationError("prompt.reader must be a PromptReader");
    if (!option.name) throw new ValidationError("prompt.name is required with a prompt reader");
    return async () => {
      const p = await option.reader.get(option.name, option.ref);
      return { toMessages: fromResolved(p), info: { source: "registry", name: p.name, version: p.version } };
    };
  }
  if ("experiments" in option) {
    if (typeof option.experiments?.assign !== "function") {
      throw new ValidationError("prompt.experiments must come from createExperiments()");
    }
    if (!option.experiment) throw new ValidationError("prompt.experiment (an experiment id) is required");
    return async (unitId) => {
      if (!unitId)
        throw new ValidationError("an answer under an experiment needs a unitId (a user or session id)");
      const a = await option.experiments.assign(option.experiment, unitId);
      if (!a.prompt) {
        throw new ValidationError(
          "the experiment assigned no prompt: pass `prompts` (a registry or prompt client) to createExperiments",
        );
      }
      return {
        toMessages: fromResolved(a.prompt),
        info: {
          source: "experiment",
          name: a.prompt.name,
          version: a.version ?? a.prompt.version,
          experiment: option.experiment,
          variant: a.variant,
        },
        unitId,
      };
    };
  }
  throw new ValidationError("prompt must be { content }, { reader, name } or { experiments, experiment }");
}
