/**
 * Where one query's embedding time goes, stage by stage, with the same calls the transformers
 * embedder makes (packages/core/src/embeddings/transformers-embedder.ts): tokenising, building the
 * three int64 input tensors, the forward pass through transformers.js (`model(feeds)`), the same
 * pass straight on the onnxruntime session (`session.run`, i.e. without transformers.js's input
 * checks and output wrapping), and mean pooling + L2 normalisation; next to the embedder's whole
 * `embedQuery`. One intra-op thread; the stages run query by query, interleaved.
 */
import { dirname } from "node:path";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { percentile } from "./metrics.js";

type Stage = "tokenise" | "tensors" | "forward (transformers.js)" | "session.run" | "pool + normalise";

/**
 * Per stage, over `queries`: mean and p50 CPU microseconds (process.cpuUsage has microsecond
 * resolution, so the shortest stages read as 0 or a few µs per call: the mean over many calls is the
 * figure to use), the fastest wall time, and the share of the embedder's own mean `embedQuery` CPU time. `modelPath` is the folder holding config.json (…/Xenova/all-MiniLM-L6-v2).
 */
export async function queryOverhead(
  modelPath: string,
  dtype: "fp32" | "q8",
  queries: string[],
  fileName = "model",
) {
  const hf = await import("@huggingface/transformers");
  hf.env.allowLocalModels = true;
  hf.env.allowRemoteModels = false;
  const session_options = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential" as const,
  };
  const tokenizer = await hf.AutoTokenizer.from_pretrained(modelPath, { local_files_only: true });
  const model = await hf.AutoModel.from_pretrained(modelPath, {
    local_files_only: true,
    dtype,
    model_file_name: fileName,
    session_options,
  });
  const session = (model as unknown as { sessions: Record<string, OrtSession> }).sessions.model!;
  const embedder = await createTransformersEmbedder({
    localModelPath: dirname(dirname(modelPath)),
    offline: true,
    dtype,
    threads: 1,
    modelFileName: fileName,
  });
  const d = 384;
  // wall and CPU (user + system of the process) microseconds per stage: CPU time is what a quiet
  // core would take when other processes compete for this one
  const times = new Map<Stage | "embedQuery", { wall: number[]; cpu: number[] }>();
  const time = async <T>(stage: Stage | "embedQuery", f: () => T | Promise<T>): Promise<T> => {
    const c = process.cpuUsage();
    const t = performance.now();
    const v = await f();
    const wall = (performance.now() - t) * 1000;
    const { user, system } = process.cpuUsage(c);
    const list = times.get(stage) ?? { wall: [], cpu: [] };
    list.wall.push(wall);
    list.cpu.push(user + system);
    times.set(stage, list);
    return v;
  };
  const once = async (text: string, record: boolean) => {
    const ids = await time("tokenise", () => tokenizer.encode(text) as number[]);
    const feeds = await time("tensors", () => {
      const n = ids.length;
      const input = new BigInt64Array(n);
      const mask = new BigInt64Array(n).fill(1n);
      for (let i = 0; i < n; i++) input[i] = BigInt(ids[i]!);
      return {
        input_ids: new hf.Tensor("int64", input, [1, n]),
        attention_mask: new hf.Tensor("int64", mask, [1, n]),
        token_type_ids: new hf.Tensor("int64", new BigInt64Array(n), [1, n]),
      };
    });
    const out = (await time("forward (transformers.js)", () => model(feeds))) as Record<
      string,
      { data: Float32Array }
    >;
    const ortFeeds = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, (v as unknown as { ort_tensor: unknown }).ort_tensor]),
    );
    await time("session.run", () => session.run(ortFeeds));
    await time("pool + normalise", () => {
      const data = out.last_hidden_state!.data;
      const v = new Float32Array(d);
      for (let c = 0; c < ids.length; c++) for (let i = 0; i < d; i++) v[i]! += data[c * d + i]!;
      let norm = 0;
      for (let i = 0; i < d; i++) {
        v[i]! /= ids.length;
        norm += v[i]! * v[i]!;
      }
      const s = 1 / Math.sqrt(norm);
      for (let i = 0; i < d; i++) v[i]! *= s;
      return v;
    });
    await time("embedQuery", () => embedder.embedQuery(text));
    if (!record) times.clear();
  };
  for (const q of queries.slice(0, 10)) await once(q, false);
  for (const q of queries) await once(q, true);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const total = mean(times.get("embedQuery")!.cpu);
  const rows = [...times].map(([stage, us]) => ({
    dtype: fileName === "model" ? dtype : `${dtype} ${fileName}`,
    stage,
    "CPU mean µs": mean(us.cpu),
    "CPU p50 µs": percentile(us.cpu, 50),
    "wall min µs": Math.min(...us.wall),
    "CPU mean / embedQuery": mean(us.cpu) / total,
  }));
  await model.dispose();
  await embedder.dispose?.();
  return rows;
}

interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<unknown>;
}
