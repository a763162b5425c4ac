interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Takes turns per key, a batch at a time: an item submitted while its key is idle runs at once,
 * alone; the items submitted while a batch of their key runs wait, and run together as the
 * next batch (at most `max`, in the order submitted). Keys run side by side. A batch answers
 * each of its items; if it fails as a whole, each of its items fails with it. Nothing is kept
 * for a key once nothing waits.
 */
export class KeyedBatcher<T, R> {
  private readonly waiting = new Map<string, Waiting<T, R>[]>();

  constructor(
    private readonly runBatch: (key: string, items: T[]) => Promise<R[]>,
    private readonly max: number,
  ) {}

  submit(key: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queued = this.waiting.get(key);
      if (queued) {
        queued.push({ item, resolve, reject });
        return;
      }
      this.waiting.set(key, []);
      void this.drain(key, [{ item, resolve, reject }]);
    });
  }

  /** Keys with a batch running (for tests). */
  get busy(): number {
    return this.waiting.size;
  }

  private async drain(key: string, batch: Waiting<T, R>[]): Promise<void> {
    for (;;) {
      try {
        const results = await this.runBatch(
          key,
          batch.map((w) => w.item),
        );
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
      const queued = this.waiting.get(key) ?? [];
      if (queued.length === 0) {
        this.waiting.delete(key);
        return;
      }
      batch = queued.splice(0, this.max);
    }
  }
}
