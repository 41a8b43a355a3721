/**
 * A loopback HTTP proxy in front of a real Chroma server that injects the faults a real
 * server will not produce on demand: an error status instead of forwarding (a failure between
 * two requests of one operation, a 401 of a token-protected deployment), or forwarding and
 * then dropping the connection before the answer (the write happened, the client never
 * heard). Chroma 1.5's own server has no token authentication, so this stands in for the
 * authenticating reverse proxy of such a deployment.
 */
import { createServer, type IncomingMessage } from "node:http";

/** What the proxy does with one request. */
export type ProxyAction = "forward" | "forward-then-drop" | { status: number; body?: unknown };

/** One request as the rule sees it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/api/v2/tenants/default_tenant/.../upsert`. */
  path: string;
  headers: IncomingMessage["headers"];
}

export interface FaultProxy {
  url: string;
  /** Every request received, with what was done with it. */
  log: Array<ProxiedRequest & { action: string }>;
  /** Replaces the rule deciding each request's fate (default: forward everything). */
  setRule(rule: (request: ProxiedRequest) => ProxyAction): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a fault proxy on 127.0.0.1 forwarding to `target` (e.g. `http://127.0.0.1:8000`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let rule: (request: ProxiedRequest) => ProxyAction = () => "forward";
  const log: FaultProxy["log"] = [];
  const server = createServer(async (req, res) => {
    const request: ProxiedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      headers: req.headers,
    };
    const body = await readBody(req);
    const action = rule(request);
    log.push({ ...request, action: typeof action === "string" ? action : `status ${action.status}` });
    if (typeof action === "object") {
      res.writeHead(action.status, { "content-type": "application/json" });
      res.end(JSON.stringify(action.body ?? { error: `injected ${action.status}` }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && !["host", "connection", "content-length"].includes(k)) headers[k] = v;
    }
    try {
      const upstream = await fetch(`${target}${request.path}`, {
        method: request.method,
        headers,
        body: body.length ? body : undefined,
      });
      const bytes = Buffer.from(await upstream.arrayBuffer());
      if (action === "forward-then-drop") {
        req.socket.destroy(); // the server did the work; the client never hears back
        return;
      }
      res.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
      });
      res.end(bytes);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setRule(next) {
      rule = next;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
