/**
 * The LLM parser against the real SmolLM2-135M model, through both grammar converters:
 * llama-cpp-python's server (JSON Schema to GBNF in Python) and node-llama-cpp in process.
 * Structure only: every answer parses against the generated JSON Schema, uses only operators the
 * attribute allows, and the parser returns a validated filter or an explicit fallback.
 */
import {
  type ChatMessage,
  createOpenAICompatibleModel,
  type Filter,
  type GenerateOptions,
  type GenerateResult,
  type LanguageModel,
} from "@ragloom/core";
import { createLlamaCppModel, type LlamaCppModel } from "@ragloom/core/llama-cpp";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LLM_MODEL_FILE, LLM_MODEL_ID, startLlmServer, stopAllServices } from "../../../test/services.js";
import { compileSchema } from "../src/compiled-schema.js";
import {
  ALLOWED_OPERATORS,
  answerJsonSchema,
  createLlmParser,
  enumValues,
  ISO_DATE_PATTERN,
  type SelfQuerySchema,
  validateSchemaFilter,
} from "../src/index.js";
import { NOW, schemas } from "./accuracy.js";

const ajv = new Ajv({ strict: true });
ajv.addFormat("date", new RegExp(ISO_DATE_PATTERN));

/** Generic requests built from a schema's own values (not from any labelled set). */
function requestsFor(schema: SelfQuerySchema): string[] {
  const withValues = schema.attributes.find((a) => a.type === "string" && a.values);
  const value = withValues ? String(enumValues(withValues)[0]!.value) : "popular";
  return [`${value} from last year, not too long`, "what is the difference between the two"];
}

function recording(model: LanguageModel, seen: GenerateResult[]): LanguageModel {
  return {
    modelId: model.modelId,
    async generate(messages: ChatMessage[], opts?: GenerateOptions) {
      const res = await model.generate(messages, opts);
      seen.push(res);
      return res;
    },
  };
}

function leaves(node: unknown, out: Array<{ field: string; op: string }> = []) {
  const n = node as { op: string; field?: string; filters?: unknown[]; filter?: unknown } | null;
  if (!n) return out;
  if (n.filters) for (const c of n.filters) leaves(c, out);
  else if (n.filter) leaves(n.filter, out);
  else out.push({ field: n.field!, op: n.op });
  return out;
}

async function checkBackend(model: LanguageModel) {
  for (const schema of Object.values(schemas)) {
    const compiled = compileSchema(schema);
    const validate = ajv.compile(answerJsonSchema(compiled));
    const seen: GenerateResult[] = [];
    // maxTokens above the longest answer the schema allows for these schemas' short values
    const parser = createLlmParser({ model: recording(model, seen), now: () => NOW, maxTokens: 400 });
    for (const request of requestsFor(schema)) {
      const before = seen.length;
      const out = await parser.parse(request, schema);
      expect(out.fallback?.reason, JSON.stringify(out.fallback)).not.toBe("model_error");
      for (const res of seen.slice(before)) {
        expect(res.finishReason).toBe("stop");
        const answer = JSON.parse(res.text) as { filter: Filter | null };
        expect(validate(answer), `${res.text}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        for (const leaf of leaves(answer.filter)) {
          const attr = compiled.byName.get(leaf.field)!;
          expect(ALLOWED_OPERATORS[attr.type]).toContain(leaf.op);
        }
      }
      if (out.parser === "llm") {
        if (out.filter) expect(validateSchemaFilter(out.filter, schema, { now: NOW })).toEqual(out.filter);
      } else {
        expect(out.fallback?.errors.length).toBeGreaterThanOrEqual(1);
        expect(out.warnings.some((w) => w.includes("fell back"))).toBe(true);
      }
    }
  }
}

describe("LLM parser, SmolLM2-135M through llama-cpp-python's server", () => {
  let url = "";
  beforeAll(async () => {
    try {
      url = (await startLlmServer()).url;
    } catch (e) {
      throw new Error(
        `the local LLM server is needed (run \`bash scripts/setup.sh\`): ${(e as Error).message}`,
      );
    }
  });
  afterAll(() => stopAllServices());

  it("answers parse against the generated schema and use only allowed operators", async () => {
    const model = createOpenAICompatibleModel({
      baseURL: url,
      model: LLM_MODEL_ID,
      timeoutMs: 120_000,
      maxRetries: 0,
    });
    await checkBackend(model);
  }, 900_000);
});

describe("LLM parser, SmolLM2-135M in process (node-llama-cpp)", () => {
  let model: LlamaCppModel;
  beforeAll(async () => {
    model = await createLlamaCppModel({ modelPath: LLM_MODEL_FILE, threads: 1 });
  });
  afterAll(() => model?.dispose());

  it("answers parse against the generated schema and use only allowed operators", async () => {
    await checkBackend(model);
  }, 900_000);
});
