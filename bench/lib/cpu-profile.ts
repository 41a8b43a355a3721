/**
 * In-process V8 CPU profiling for benchmarks (`node:inspector`, the profiler behind
 * `node --cpu-prof`), limited to one phase of a run, and a summary of where the time went: self
 * time per function and per area (a workspace package's source, a dependency, Node internals, GC).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
/** A V8 `.cpuprofile`. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/** Starts the profiler (sampling every `intervalUs` microseconds); `stop` returns the profile. */
export async function startProfile(intervalUs = 200): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: intervalUs });
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      return profile as unknown as CpuProfile;
    },
  };
}

/** Where a function lives: `ours:<package>`, `dep:<package>`, `node`, or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep && !dep[1]!.startsWith("@ragloom/")) return `dep:${dep[1]}`;
  const ours = /packages\/([^/]+)\/(?:src|dist)\//.exec(url);
  if (ours) return `ours:${ours[1]}`;
  if (url.includes("/bench/")) return "bench";
  return "other";
}

/** Self time in milliseconds by function and by area, largest first; `total` excludes `(idle)`. */
export function summarise(profile: CpuProfile, top = 25) {
  const samples = profile.samples?.length ?? profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const msPerSample = samples ? (profile.endTime - profile.startTime) / 1000 / samples : 0;
  const byFn = new Map<string, { ms: number; area: string }>();
  const byArea = new Map<string, number>();
  let busy = 0;
  for (const n of profile.nodes) {
    const ms = (n.hitCount ?? 0) * msPerSample;
    if (!ms) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const area = areaOf(url, functionName);
    const file = url.replace(/^.*\/(node_modules|packages)\//, "$1/");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    const e = byFn.get(key) ?? { ms: 0, area };
    e.ms += ms;
    byFn.set(key, e);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    if (functionName !== "(idle)") busy += ms;
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  const share = (ms: number) => round((100 * ms) / (busy || 1));
  return {
    busyMs: round(busy),
    areas: [...byArea]
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, ms: round(ms), "% busy": area === "(idle)" ? 0 : share(ms) })),
    functions: [...byFn]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([fn, e]) => ({ function: fn, area: e.area, ms: round(e.ms), "% busy": share(e.ms) })),
  };
}

/** Writes the profile as a `.cpuprofile` (Chrome DevTools, speedscope) and returns the path. */
export function saveProfile(profile: CpuProfile, path: string): string {
  writeFileSync(path, JSON.stringify(profile));
  return path;
}
