import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ValidationError } from "@ragloom/core";
import { configSchema, formatZodError, type PartialSettings } from "./settings.js";

/** Config files looked for in the working directory, in this order. */
export const CONFIG_FILES = [
  "ragloom.config.json",
  "ragloom.config.ts",
  "ragloom.config.mjs",
  "ragloom.config.js",
];

/**
 * Reads a config file: JSON, or a TypeScript/JavaScript module whose default export is the
 * config object (loaded with jiti). Without `path`, the first of {@link CONFIG_FILES} found in
 * `cwd` is read; none is fine.
 * @throws ValidationError when the file is missing (an explicit `path`), unreadable, or has
 *   unknown keys or bad values.
 */
export async function loadConfigFile(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<{ path?: string; config: PartialSettings }> {
  const file = path
    ? resolve(cwd, path)
    : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (!file) return { config: {} };
  if (!existsSync(file)) throw new ValidationError(`config file ${path} not found`);
  let raw: unknown;
  try {
    if (file.endsWith(".json")) raw = JSON.parse(await readFile(file, "utf8"));
    else {
      const { createJiti } = await import("jiti");
      raw = await createJiti(import.meta.url, { moduleCache: false }).import(file, { default: true });
    }
  } catch (cause) {
    throw new ValidationError(`cannot read config file ${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`config file ${file}: ${formatZodError(parsed.error)}`);
  return { path: file, config: parsed.data };
}
