/**
 * Serialises tasks per key: a task runs once every earlier task sharing one of its keys has
 * settled; tasks on disjoint keys run concurrently. A task takes all its keys in one step, so
 * two tasks can never wait for each other (no deadlock), and tasks on one key run in call order.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Number of keys currently held or waited for. */
  get size(): number {
    return this.tails.size;
  }

  /** Runs `task` holding every key of `keys`; resolves or rejects with its outcome. */
  async run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before: Promise<void>[] = [];
    for (const key of unique) {
      const tail = this.tails.get(key);
      if (tail) before.push(tail);
      this.tails.set(key, held);
    }
    try {
      await Promise.all(before);
      return await task();
    } finally {
      release();
      for (const key of unique) if (this.tails.get(key) === held) this.tails.delete(key);
    }
  }
}
