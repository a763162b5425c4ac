/**
 * Gathers what the requests of one turn of the event loop want to send and sends it together
 * (one call, one round trip, one write), each caller awaiting the outcome of its batch. Under
 * load many switches finish in the same turn; alone, a batch of one costs a setImmediate.
 */
export class TickBatcher<T> {
  private pending: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly send: (items: T[]) => Promise<unknown>) {}

  add(items: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      items.forEach((item, i) =>
        this.pending.push({ item, resolve: i === items.length - 1 ? resolve : noop, reject }),
      );
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      await this.send(batch.map((p) => p.item));
      batch.forEach((p) => p.resolve());
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    }
  }
}

const noop = () => undefined;
