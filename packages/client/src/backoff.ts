/**
 * Exponential backoff with jitter for reconnecting: the n-th retry waits between half and all
 * of min(max, initial * 2^n), so that clients cut off together do not come back together.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts += 1;
    return ceiling / 2 + (ceiling / 2) * this.random();
  }

  reset(): void {
    this.attempts = 0;
  }
}
