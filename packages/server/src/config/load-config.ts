import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError, type ConfigIssue } from "../errors.js";
import { type ServerConfig, type ServerConfigInput, serverConfigSchema } from "./schema.js";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** A JSON or YAML file (`.json`, `.yaml`, `.yml`). @default `env.RAGLOOM_CONFIG` */
  file?: string;
  /** Environment to read the `RAGLOOM_*` variables from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Values that win over the file and the environment (e.g. from command-line flags). */
  overrides?: Partial<ServerConfigInput>;
}

/**
 * Environment variables read by {@link loadConfig}, and the setting each one sets. They win over
 * the file; `overrides` win over them.
 */
export const CONFIG_ENV = {
  RAGLOOM_HOST: "host",
  RAGLOOM_PORT: "port",
  RAGLOOM_REDIS_URL: "redis.url",
  RAGLOOM_LOG_LEVEL: "logLevel",
  RAGLOOM_MODEL_DIR: "embedder.localModelPath",
  RAGLOOM_DEFAULT_COLLECTION: "defaultCollection",
} as const;

const NUMERIC = new Set(["port"]);

function readFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(cause as Error).message}`, [], {
      cause,
    });
  }
  try {
    return extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(
      `configuration file ${file} is not valid ${extname(file) === ".json" ? "JSON" : "YAML"}: ${(cause as Error).message}`,
      [],
      { cause },
    );
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split(".");
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== "object" || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/**
 * Validates a configuration object (defaults applied).
 * @param sources - where each dotted path came from, for error messages.
 * @throws ConfigError listing every invalid value with its path.
 */
export function parseConfig(
  input: unknown,
  sources: Record<string, string> = {},
  origin?: string,
): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((i) => {
    const path = i.path.map(String).join(".");
    return { path, message: i.message, source: sources[path] ?? origin };
  });
  throw new ConfigError("invalid server configuration:", issues);
}

/**
 * Reads the server configuration from a file plus `RAGLOOM_*` environment variables
 * ({@link CONFIG_ENV}) and validates it with the zod schema.
 * @returns the configuration with every default applied.
 * @throws ConfigError for an unreadable or unparsable file and for every invalid value (with its
 *   path and whether it came from the file or a variable).
 */
export function loadConfig(options: LoadConfigOptions = {}): ServerConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.RAGLOOM_CONFIG;
  const base = (file ? readFile(file) : {}) ?? {};
  if (typeof base !== "object" || Array.isArray(base))
    throw new ConfigError(`configuration file ${file} must hold an object`);
  const merged = structuredClone(base) as Record<string, unknown>;
  const sources: Record<string, string> = {};
  for (const [name, path] of Object.entries(CONFIG_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (
      path.startsWith("embedder.") &&
      (merged.embedder as { kind?: string } | undefined)?.kind === "openai-compatible"
    )
      continue;
    if (path.startsWith("embedder.") && merged.embedder === undefined)
      merged.embedder = { kind: "transformers" };
    const value = NUMERIC.has(path) && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
    setPath(merged, path, value);
    sources[path] = name;
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    merged[key] = value;
    sources[key] = "options";
  }
  return parseConfig(merged, sources, file);
}
