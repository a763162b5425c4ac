const settled = (): void => undefined;

/** Starts at once (no waiting when the key is free); a throw becomes a rejection. */
async function start<T>(task: () => Promise<T>): Promise<T> {
  return await task();
}

/**
 * Runs the tasks given for one key one after another, in the order given, and the tasks of
 * different keys side by side. A task starts when the one before it on its key has settled,
 * whether it succeeded or failed; nothing is kept for a key once its last task has settled.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before ? before.then(task) : start(task);
    const tail = result.then(settled, settled);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
