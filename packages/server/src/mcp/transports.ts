import type { OpenAPIHono } from "@hono/zod-openapi";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { ServerEnv } from "../http/context.js";
import type { AnswerHandler } from "../http/routes/answer.js";
import { limitBody } from "../http/routes/query.js";
import type { Runtime } from "../runtime/create-runtime.js";
import { createMcpServer } from "./mcp-server.js";

/**
 * Serves MCP over Streamable HTTP at `path` (stateless: a new server and transport per request,
 * JSON responses), behind the same API keys, rate limits and body limit as the HTTP API; the
 * tools see only the collections the key may read.
 */
export function mountMcpHttp(
  app: OpenAPIHono<ServerEnv>,
  runtime: Runtime,
  options: { path?: string; answer?: AnswerHandler } = {},
): void {
  const path = options.path ?? "/mcp";
  app.all(path, limitBody(runtime.config.bodyLimitBytes), async (c) => {
    const server = createMcpServer(runtime, { principal: c.get("principal"), answer: options.answer });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: runtime.config.bodyLimitBytes,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
}

/**
 * Serves MCP over stdio (for desktop and CLI agents that spawn the server). Tools see every
 * collection. Logs must go to stderr: stdout carries the protocol.
 * @returns a function that closes the transport.
 */
export async function connectMcpStdio(
  runtime: Runtime,
  options: { answer?: AnswerHandler; stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<() => Promise<void>> {
  const server = createMcpServer(runtime, { answer: options.answer });
  const transport = new StdioServerTransport(
    options.stdin as NodeJS.ReadStream | undefined,
    options.stdout as NodeJS.WriteStream | undefined,
  );
  await server.connect(transport);
  return () => server.close();
}
