/**
 * The load generator of bench/server.ts, run as a second process so that it does not share the
 * server's event loop: autocannon POSTs /v1/query with SciFact queries in turn (or GETs `path`,
 * for the baseline) and this prints
 * one JSON line: requests, errors, throughput and exact latency percentiles from every response.
 *   tsx bench/lib/load-client.ts '<json options>'
 */
import autocannon from "autocannon";

interface Options {
  url: string;
  key: string;
  queries: string[];
  k: number;
  durationSeconds: number;
  connections: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  overallRate?: number;
  /** GET this path (no body, no key) instead of POSTing queries to /v1/query. */
  getPath?: string;
}

const o = JSON.parse(process.argv[2]!) as Options;
let next = 0;
const latencies: number[] = [];
const statuses = new Map<number, number>();
let finish!: (r: autocannon.Result) => void;
let fail!: (e: unknown) => void;
const done = new Promise<autocannon.Result>((resolve, reject) => {
  finish = resolve;
  fail = reject;
});
const instance = autocannon(
  {
    url: o.url,
    connections: o.connections,
    duration: o.durationSeconds,
    ...(o.overallRate && { overallRate: o.overallRate }),
    requests: o.getPath
      ? [{ method: "GET", path: o.getPath }]
      : [
          {
            method: "POST",
            path: "/v1/query",
            headers: { "content-type": "application/json", authorization: `Bearer ${o.key}` },
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({ query: o.queries[next++ % o.queries.length], k: o.k }),
            }),
          },
        ],
  },
  (error, result) => (error ? fail(error) : finish(result)),
);
instance.on("response", (_client, statusCode, _bytes, responseTime) => {
  latencies.push(responseTime);
  statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
});
const result = await done;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    durationSeconds: result.duration,
    requestsPerSecond: latencies.length / result.duration,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    max: latencies.at(-1) ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses: Object.fromEntries(statuses),
  })}\n`,
);
