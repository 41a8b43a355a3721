/**
 * Child process of the experiment tests: assigns units `0..count-1` of an experiment stored in
 * Redis and prints `{ unit: variant }` as JSON. Usage: tsx assign-worker.ts <url> <namespace> <experiment> <count>
 */
import { createExperiments } from "../src/index.js";
import { createRedisExperimentStore } from "../src/redis.js";

const [url, namespace, id, count] = process.argv.slice(2) as [string, string, string, string];
const store = await createRedisExperimentStore({ url, namespace });
const experiments = createExperiments({ store });
const out: Record<string, string> = {};
for (let u = 0; u < Number(count); u++) out[`u${u}`] = (await experiments.assign(id, `u${u}`)).variant;
await store.close();
process.stdout.write(JSON.stringify(out));
