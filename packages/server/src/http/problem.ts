import {
  AbortError,
  CircuitOpenError,
  DimensionMismatchError,
  FilterError,
  RagloomError,
  ServiceError,
  TimeoutError,
  ValidationError,
} from "@ragloom/core";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import { InvalidBodyError, NotFoundError } from "../errors.js";

/** RFC 9457 problem details, sent as `application/problem+json`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** A problem ready to send: status, body and extra headers. */
export interface ProblemResponse {
  problem: Problem;
  headers: Record<string, string>;
  /** True for errors the server did not expect (logged with their stack, never sent). */
  unexpected: boolean;
}

/** Builds a problem for a status with an optional detail. */
export function problemOf(status: number, detail?: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    ...(detail && { detail }),
    ...extra,
  };
}

/** Turns zod issues into `{ path, message }` pairs with JSON-pointer-like paths. */
export function zodErrors(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues
    .slice(0, 20)
    .map((i) => ({ path: `/${i.path.map(String).join("/")}`, message: i.message }));
}

/**
 * Maps an error to a problem: validation and filter errors → 400, unknown collections and
 * documents → 404, HTTP exceptions keep their status, an open breaker or a failing dependency
 * → 503 (with `Retry-After` for a breaker), a timeout → 504, anything else → 500 with a generic
 * detail. Never includes a stack trace or an internal message of an unexpected error.
 */
export function toProblem(error: unknown): ProblemResponse {
  const none = { headers: {}, unexpected: false };
  if (error instanceof HTTPException) {
    const detail = error.status >= 500 ? undefined : error.message || undefined;
    return { ...none, problem: problemOf(error.status, detail), unexpected: error.status >= 500 };
  }
  if (error instanceof ZodError)
    return { ...none, problem: problemOf(400, "request validation failed", { errors: zodErrors(error) }) };
  if (error instanceof FilterError)
    return {
      ...none,
      problem: problemOf(400, error.message, {
        type: "urn:ragloom:error:filter",
        errors: [{ path: `/filter${error.path}`, message: error.message }],
      }),
    };
  if (error instanceof InvalidBodyError)
    return {
      ...none,
      problem: problemOf(400, error.message, { type: "urn:ragloom:error:validation", errors: error.errors }),
    };
  if (error instanceof ValidationError || error instanceof DimensionMismatchError)
    return { ...none, problem: problemOf(400, error.message, { type: "urn:ragloom:error:validation" }) };
  if (error instanceof NotFoundError) return { ...none, problem: problemOf(404, error.message) };
  if (error instanceof CircuitOpenError)
    return {
      problem: problemOf(503, `${error.service} is unavailable (circuit breaker open)`, {
        type: "urn:ragloom:error:circuit-open",
      }),
      headers: { "Retry-After": "5" },
      unexpected: false,
    };
  if (error instanceof TimeoutError) return { ...none, problem: problemOf(504, "a dependency timed out") };
  if (error instanceof ServiceError)
    return {
      ...none,
      problem: problemOf(503, `${error.service.split(":")[0]} is unavailable`, {
        type: "urn:ragloom:error:service",
      }),
    };
  if (error instanceof AbortError) return { ...none, problem: problemOf(503, "the request was aborted") };
  if (error instanceof RagloomError && error.code === "ERR_CONFIG")
    return { headers: {}, unexpected: true, problem: problemOf(500, "the server is misconfigured") };
  return { headers: {}, unexpected: true, problem: problemOf(500, "an unexpected error occurred") };
}
