/**
 * Child process of the concurrency tests: publishes `count` distinct contents to one prompt and
 * prints the version numbers it got as JSON. Usage: tsx publish-worker.ts <redis|fs> <url|dir> <name> <count> <worker> [redis namespace]
 */
import { createFileSystemPromptStore, createPromptRegistry, type PromptStore } from "../src/index.js";
import { createRedisPromptStore } from "../src/redis.js";

const [kind, target, name, count, worker, namespace] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string?,
];
let store: PromptStore;
if (kind === "redis") {
  const redis = await createRedisPromptStore({ url: target, namespace });
  // start barrier: report ready, then wait for the test to say go, so all publishers overlap
  await redis.client.incr(`${namespace}ready`);
  while ((await redis.client.get(`${namespace}go`)) !== "1") await new Promise((r) => setTimeout(r, 2));
  store = redis;
} else {
  store = createFileSystemPromptStore({ directory: target, format: "yaml" });
}
const registry = createPromptRegistry({ store });
const got = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    registry
      .publish({
        name,
        content: { type: "text", template: `worker ${worker} item ${i} {{q}}` },
        author: `w${worker}`,
      })
      .then((r) => r.version.version),
  ),
);
await store.close?.();
process.stdout.write(JSON.stringify(got));
