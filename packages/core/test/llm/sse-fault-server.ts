/**
 * A tiny HTTP server that replays scripted server-sent-event replies, to inject stream faults a
 * real server will not produce on demand (a body that breaks off, an error event, usage chunks).
 */
import { createServer, type IncomingMessage } from "node:http";

/** One scripted reply: an HTTP status, or SSE `data` payloads written in order. */
export type SseScript =
  | { status: number; body?: string }
  | {
      events: string[];
      /** destroy the socket after the events instead of ending the body */
      breakOff?: boolean;
      /** keep the connection open after the events, sending nothing */
      stall?: boolean;
    };

export interface SseServer {
  url: string;
  /** Parsed JSON bodies of the requests received. */
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
}

/** Starts the server on 127.0.0.1; request i gets `scripts[min(i, last)]`. */
export async function startSseServer(scripts: SseScript[]): Promise<SseServer> {
  const requests: Array<Record<string, unknown>> = [];
  const server = createServer(async (req, res) => {
    const i = requests.length;
    requests.push(await readBody(req));
    const script = scripts[Math.min(i, scripts.length - 1)]!;
    if ("status" in script) {
      res.writeHead(script.status, { "content-type": "application/json" });
      res.end(script.body ?? '{"error":{"message":"scripted failure"}}');
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const data of script.events) res.write(`data: ${data}\n\n`);
    if (script.breakOff) setTimeout(() => res.socket?.destroy(), 20);
    else if (!script.stall) res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An OpenAI chat-completion chunk carrying `content` (and a finish reason when given). */
export function chunk(content: string | null, finish: string | null = null): string {
  return JSON.stringify({
    choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }],
  });
}
