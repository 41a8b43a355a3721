import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { isAllowed, type Principal } from "../auth/api-keys.js";
import type { Permission } from "../config/schema.js";
import type { Runtime } from "../runtime/create-runtime.js";
import type { Tenant } from "../runtime/tenant.js";
import { ProblemSchema } from "./schemas.js";

/** Hono environment of the server: what middleware puts on the context. */
export interface ServerEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}

/** The collection of a request, once the caller's key is allowed `permission` on it. */
export function access(
  runtime: Runtime,
  c: Context<ServerEnv>,
  collection: string | undefined,
  permission: Permission,
): Tenant {
  const principal = c.get("principal");
  const name = collection ?? runtime.defaultCollection;
  if (!isAllowed(principal, name, permission))
    throw new HTTPException(403, { message: `this API key may not ${permission} collection "${name}"` });
  return runtime.tenant(name);
}

/** The caller's key must have `permission` (for endpoints outside any collection). */
export function requirePermission(c: Context<ServerEnv>, permission: Permission): void {
  if (!c.get("principal").permissions.has(permission))
    throw new HTTPException(403, { message: `this API key lacks the "${permission}" permission` });
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request (problem details list the offending paths)",
  401: "Missing or unknown API key",
  403: "The API key may not do this on this collection",
  404: "Unknown collection or document",
  413: "Request body too large",
  415: "Unsupported content type",
  429: "Rate limit exceeded (see Retry-After)",
  500: "Unexpected server error (no details are sent)",
  503: "A dependency is unavailable or the server is shutting down",
  504: "A dependency timed out",
};

/** OpenAPI responses of problem statuses, `application/problem+json`. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: DESCRIPTIONS[s] ?? "Error",
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  );
}

/** Statuses any authenticated endpoint may answer with. */
export const AUTHED = [400, 401, 403, 404, 429, 500, 503, 504];
/** Statuses any authenticated endpoint with a JSON body may answer with. */
export const AUTHED_BODY = [...AUTHED, 413, 415];
/** Security requirement of authenticated endpoints. */
export const SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
