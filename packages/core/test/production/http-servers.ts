/**
 * Small node:http servers for the production-layer tests:
 * - `startEmbeddingServer`: speaks the OpenAI `/v1/embeddings` protocol and computes REAL embeddings
 *   with core's transformers embedder (all-MiniLM-L6-v2, offline). The llama-cpp test server is not
 *   started with `--embedding`, so this stands in for an embedding server; the vectors are real.
 * - `startFaultServer`: injects faults (HTTP 500/429/400, hangs) by a scripted list of behaviours.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Embedder } from "../../src/index.js";

export interface TestServer {
  url: string;
  /** Bodies of the requests received so far, parsed as JSON. */
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
}

function closer(server: Server) {
  return () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** An OpenAI-compatible `/v1/embeddings` server backed by a real embedder. */
export async function startEmbeddingServer(embedder: Embedder): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/embeddings"))
      return json(res, 404, { error: "not found" });
    const body = JSON.parse(await readBody(req)) as { input: string | string[]; model: string };
    requests.push(body);
    const input = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(input) || input.some((t) => typeof t !== "string")) {
      return json(res, 400, { error: { message: "input must be a string or an array of strings" } });
    }
    const vectors = await embedder.embedDocuments(input);
    json(res, 200, {
      object: "list",
      model: body.model,
      data: vectors.map((v, index) => ({ object: "embedding", index, embedding: Array.from(v) })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
  const url = await listen(server);
  return { url, requests, close: closer(server) };
}

/** What the fault server does for one request. */
export type Fault = { status: number; body?: unknown } | { hang: true } | { reply: unknown };

/** Answers request n with `faults[n]` (the last one repeats). */
export async function startFaultServer(faults: Fault[]): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    requests.push(body ? (JSON.parse(body) as Record<string, unknown>) : {});
    const fault = faults[Math.min(requests.length - 1, faults.length - 1)]!;
    if ("hang" in fault) return; // never answers
    if ("reply" in fault) return json(res, 200, fault.reply);
    json(res, fault.status, fault.body ?? { error: { message: `injected ${fault.status}` } });
  });
  const url = await listen(server);
  return { url, requests, close: closer(server) };
}

/** A chat completion reply in the OpenAI shape. */
export function chatReply(content: string) {
  return {
    id: "x",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}
