/**
 * A fixed set of interchangeable resources (here: onnxruntime sessions of one model), each used by
 * one task at a time. Tasks wait in arrival order for a free one.
 */
export interface Pool<T> {
  readonly items: readonly T[];
  /** Runs `task` on a free item, waiting for one when all are busy. */
  use<R>(task: (item: T) => Promise<R>): Promise<R>;
}

/** A {@link Pool} over `items` (at least one). */
export function createPool<T>(items: T[]): Pool<T> {
  const free = [...items];
  const waiting: Array<(item: T) => void> = [];
  const release = (item: T) => {
    const next = waiting.shift();
    if (next) next(item);
    else free.push(item);
  };
  return {
    items,
    async use(task) {
      const item = free.pop() ?? (await new Promise<T>((resolve) => waiting.push(resolve)));
      try {
        return await task(item);
      } finally {
        release(item);
      }
    },
  };
}

/**
 * Runs jobs `0 … count-1`, at most `parallel` at a time, started in index order; `beforeEach` runs
 * before each job (e.g. an abort check). After the first failure (of a job or of `beforeEach`) no
 * job starts and the promise rejects with that failure.
 */
export async function runJobs(
  count: number,
  parallel: number,
  job: (index: number) => Promise<void>,
  beforeEach?: () => void,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const i = next++;
      try {
        beforeEach?.();
        await job(i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}
