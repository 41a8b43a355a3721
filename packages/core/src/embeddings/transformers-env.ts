type TransformersEnv = typeof import("@huggingface/transformers")["env"];

/** The process-wide transformers.js settings a model load may change for its own duration. */
export type TransformersEnvPatch = Partial<
  Pick<TransformersEnv, "allowLocalModels" | "allowRemoteModels" | "localModelPath" | "cacheDir">
>;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `load` with `patch` applied to transformers.js's process-wide `env`, one load at a time in
 * this module (a FIFO async lock), and restores the previous values afterwards, whether `load`
 * succeeds or fails. transformers.js reads `env` while it loads files, so two embedders with
 * different settings would otherwise see each other's; once loaded, a session no longer reads it.
 */
export function withTransformersEnv<T>(
  env: TransformersEnv,
  patch: TransformersEnvPatch,
  load: () => Promise<T>,
): Promise<T> {
  const run = async (): Promise<T> => {
    const keys = Object.keys(patch) as Array<keyof TransformersEnvPatch>;
    const saved = keys.map((k) => [k, env[k]] as const);
    Object.assign(env, patch);
    try {
      return await load();
    } finally {
      for (const [k, v] of saved) (env as Record<string, unknown>)[k] = v;
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
