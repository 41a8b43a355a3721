import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../errors/errors.js";
import type { RowStorage } from "../math/row-storage.js";
import { simdModule } from "../math/segment.js";

/**
 * The worker's code, plain CommonJS with no imports but Node's: it instantiates the kernel
 * module (passed in `workerData`) once per segment memory (shared, so the same rows the main
 * thread writes) and runs the scan a task describes. Instances are cached by segment key (a
 * shared memory grows in place, so an instance stays valid).
 */
const WORKER_SOURCE = `"use strict";
const { workerData } = require("node:worker_threads");
const cache = new Map();
function kernel(seg) {
  let k = cache.get(seg.key);
  if (!k) {
    k = new WebAssembly.Instance(workerData.module, { env: { memory: seg.memory } }).exports;
    cache.set(seg.key, k);
    if (cache.size > 256) cache.delete(cache.keys().next().value);
  }
  return k;
}
module.exports = function scan(task) {
  for (const seg of task.segments) {
    const k = kernel(seg);
    if (task.queryScale === null) k.scores(task.queryOffset, task.rowsOffset, seg.count, task.d, seg.out);
    else k.scores_i8(task.codesOffset, seg.i8Offset, seg.count, task.stride, task.bytes, task.queryScale, seg.out);
  }
  return task.segments.length;
};
`;

let workerFile: string | undefined;
/** Writes the worker's code to a private temporary directory, once per process. */
function workerFilename(): string {
  if (workerFile) return workerFile;
  const dir = mkdtempSync(join(tmpdir(), "ragloom-scan-"));
  const file = join(dir, "scan-worker.cjs");
  writeFileSync(file, WORKER_SOURCE, { mode: 0o600 });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  workerFile = file;
  return file;
}

interface PiscinaLike {
  run(task: unknown, options?: { signal?: AbortSignal }): Promise<unknown>;
  destroy(): Promise<void>;
}

/**
 * A pool of worker threads (piscina) that run the scan kernel over a store's shared-memory
 * rows, so the event loop stays free while a large store is scanned.
 */
export class ScanPool {
  private constructor(private readonly pool: PiscinaLike) {}

  /**
   * Starts `threads` workers.
   * @throws ValidationError when the optional peer dependency `piscina` is not installed.
   */
  static async create(threads: number): Promise<ScanPool> {
    let Piscina: new (options: Record<string, unknown>) => PiscinaLike;
    try {
      ({ Piscina } = (await import("piscina")) as unknown as { Piscina: typeof Piscina });
    } catch (cause) {
      throw new ValidationError("workers need the optional peer dependency piscina (npm install piscina)", {
        cause,
      });
    }
    const pool = new Piscina({
      filename: workerFilename(),
      minThreads: threads,
      maxThreads: threads,
      workerData: { module: simdModule(true) },
    });
    return new ScanPool(pool);
  }

  /**
   * Scores rows [0, n) of `storage` against the query already in slot `slot` of each segment:
   * exact, or int8 when `queryScale` is given. Resolves when the scores are in the slot.
   */
  async scan(
    storage: RowStorage,
    key: string,
    slot: number,
    n: number,
    queryScale: number | undefined,
  ): Promise<void> {
    const { layout } = storage;
    const segments = [];
    for (let s = 0; s < storage.segments.length; s++) {
      const count = storage.rowsIn(s, n);
      if (count === 0) break;
      const seg = storage.segments[s]!;
      segments.push({
        key: `${key}:${s}`,
        memory: seg.memory,
        count,
        i8Offset: layout.i8Offset(seg.capacity),
        out: layout.scoresOffset(seg.capacity) + slot * seg.capacity * 4,
      });
    }
    if (segments.length === 0) return;
    await this.pool.run(
      {
        segments,
        queryScale: queryScale ?? null,
        queryOffset: layout.queryOffset(slot),
        codesOffset: layout.codesQueryOffset(slot),
        rowsOffset: layout.rowsOffset,
        d: layout.dimensions,
        stride: layout.stride,
        bytes: layout.bytes,
      },
      // no abort signal: a task cancelled while it runs could still be writing into the slot
    );
  }

  /** Stops the workers. */
  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Scratch slots of a store's segments, handed to one scan at a time; waiters queue in order. */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];
  /** Slots `[first, first + count)`. */
  constructor(first: number, count: number) {
    this.free = Array.from({ length: count }, (_, i) => first + i);
  }
  acquire(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(slot: number) {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}
