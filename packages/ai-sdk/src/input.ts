import { type Filter, FilterError, ValidationError } from "@ragloom/core";
import { z } from "zod/v4";
import { FILTER_DESCRIPTION, filterShapeSchema, refineFilter } from "./filter-schema.js";

/** What the model may pass to a tool built here, once validated; `F` names the text field. */
export type ToolInput<F extends string> = { [K in F]: string } & {
  /** Number of documents, when the tool lets the model choose it. */
  k?: number;
  /** The model's metadata filter, when the tool accepts one (validated filter IR). */
  filter?: Filter;
};

/** How to build an input schema. */
export interface InputSchemaOptions<F extends string> {
  /** Name of the text field (`query`, `question`). */
  field: F;
  /** Description of the text field, for the model. */
  describe: string;
  /** Longest accepted text, in UTF-16 code units (after trimming). */
  maxLength: number;
  /** Largest `k` the model may ask for; no `k` field when absent. */
  maxK?: number;
  /** Whether the model may pass a `filter`. */
  allowFilter: boolean;
}

/**
 * A zod object schema for a tool's input: `{ [field]: string, k?: integer in [1, maxK], filter? }`.
 * Parsing trims the text, rejects an empty or too long one, a `k` that is not an integer in
 * range, and a filter that ragloom's `validateFilter` refuses; it yields a {@link ToolInput}.
 * Keys the schema does not declare are dropped (a `filter` too, when filters are not allowed).
 */
export function inputSchema<F extends string>(options: InputSchemaOptions<F>) {
  const shape: Record<string, z.ZodType> = {
    [options.field]: z.string().trim().min(1).max(options.maxLength).describe(options.describe),
  };
  if (options.maxK !== undefined) {
    shape.k = z
      .number()
      .int()
      .min(1)
      .max(options.maxK)
      .optional()
      .describe(`How many documents to return (1 to ${options.maxK})`);
  }
  if (options.allowFilter) shape.filter = filterShapeSchema.optional().describe(FILTER_DESCRIPTION);
  const field = options.field;
  return z.object(shape).transform((value, ctx): ToolInput<F> => {
    const input = { [field]: value[field] as string } as ToolInput<F>;
    if (value.k !== undefined) input.k = value.k as number;
    const filter = refineFilter(value.filter, ctx);
    if (filter) input.filter = filter;
    return input;
  });
}

/** The schema {@link inputSchema} returns. */
export type InputSchema<F extends string> = ReturnType<typeof inputSchema<F>>;

/**
 * Parses `input` with `schema` for a direct `execute` call (the AI SDK parses the model's input
 * itself before it calls `execute`).
 * @throws FilterError when the filter is invalid; ValidationError for any other invalid field.
 */
export function parseInput<F extends string>(schema: InputSchema<F>, input: unknown): ToolInput<F> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const message = issues.map((i) => `${i.path.length ? i.path.join(".") : "input"}: ${i.message}`).join("; ");
  const filterIssue = issues.find((i) => i.path[0] === "filter");
  if (filterIssue) {
    const path = filterIssue.path.slice(1).map((p) => `/${String(p)}`);
    throw new FilterError(message, path.join(""), { cause: parsed.error });
  }
  throw new ValidationError(`invalid tool input: ${message}`, { cause: parsed.error });
}
