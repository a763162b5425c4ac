import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { JobsOptions, Queue } from 'bullmq';
import { PRODUCER_REDIS_CLIENT } from '../state/redis.constants';

/** A job to add. */
export interface JobSpec {
  queue: Queue;
  name: string;
  data: unknown;
  opts: JobsOptions;
}

/** Items that travel together: one job per turn of the event loop, split at `max` items. */
export interface JobStream<T> {
  queue: Queue;
  name: string;
  opts: JobsOptions;
  max: number;
  data: (items: T[]) => unknown;
}

/**
 * A command of its own (e.g. a script defined on the producer connection), sent on that
 * connection with the turn's jobs; its promise is the outcome. It must send before it awaits.
 */
export type CommandSpec<T = unknown> = (producer: Redis) => Promise<T>;

export interface Waiter {
  resolve: (value?: unknown) => void;
  reject: (err: unknown) => void;
}

/** One item of the batch, and who waits for its outcome. */
export type Entry = ({ job: JobSpec } | { command: CommandSpec }) & { group: Waiter[] };

/**
 * Adds the queue jobs that the requests of one turn of the event loop ask for in one round
 * trip: the audit events of every change of that turn (appended to one job), and the deadline
 * entries they arm (commands of their own). Each caller awaits the outcome of its own jobs and
 * commands. Under load many requests commit in the same turn; alone, a batch of one costs a
 * setImmediate.
 *
 * Public APIs only: each job is a `Queue.add`, each command a call on the producer connection,
 * all issued in the same turn. That connection auto-pipelines (ioredis), so what one turn issues
 * leaves in one write per node (on a cluster, a queue's keys are one slot, each deadline shard
 * another). `addBulk` would not: it sends a pipeline of its own, one more write per queue.
 *
 * Every queue given here must be built on the producer connection, or its jobs cost a write.
 */
@Injectable()
export class JobBatcher {
  private jobs: (JobSpec & Waiter)[] = [];
  private commands: { command: CommandSpec; waiter: Waiter }[] = [];
  private streams = new Map<JobStream<unknown>, { items: unknown[]; waiters: Waiter[] }>();
  private scheduled = false;

  constructor(@Inject(PRODUCER_REDIS_CLIENT) private readonly producer: Redis) {}

  /** Adds a job of its own. */
  add(job: JobSpec): Promise<void> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ ...job, resolve: () => resolve(), reject });
      this.schedule();
    });
  }

  /** Sends a command with this turn's jobs; resolves with its reply. */
  run<T = unknown>(command: CommandSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.commands.push({ command, waiter: { resolve: (v) => resolve(v as T), reject } });
      this.schedule();
    });
  }

  /** Appends items to this turn's job(s) of `stream`. */
  append<T>(stream: JobStream<T>, items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const key = stream as JobStream<unknown>;
      let pending = this.streams.get(key);
      if (!pending) this.streams.set(key, (pending = { items: [], waiters: [] }));
      pending.items.push(...items);
      pending.waiters.push({ resolve: () => resolve(), reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const entries: Entry[] = this.jobs.map((job) => ({ job, group: [job] }));
    // A stream's jobs of this turn share one group, which fails if any of them failed.
    for (const [stream, pending] of this.streams) {
      for (let i = 0; i < pending.items.length; i += stream.max) {
        const data = stream.data(pending.items.slice(i, i + stream.max));
        entries.push({ job: { ...stream, data }, group: pending.waiters });
      }
    }
    for (const { command, waiter } of this.commands) entries.push({ command, group: [waiter] });
    this.jobs = [];
    this.commands = [];
    this.streams = new Map();
    this.scheduled = false;

    const outcomes = await this.send(entries).catch((err: unknown) =>
      entries.map((): PromiseSettledResult<unknown> => ({ status: 'rejected', reason: err })),
    );
    const failed = new Map<Waiter[], unknown>();
    const value = new Map<Waiter[], unknown>();
    outcomes.forEach((outcome, i) => {
      const { group } = entries[i];
      if (outcome.status === 'fulfilled') value.set(group, outcome.value);
      else if (!failed.has(group)) failed.set(group, outcome.reason);
    });
    for (const group of new Set(entries.map((e) => e.group))) {
      for (const w of group) {
        if (failed.has(group)) w.reject(failed.get(group));
        else w.resolve(value.get(group));
      }
    }
  }

  /**
   * Issues every entry at once, so that they share the producer's auto-pipeline. A job's
   * outcome is BullMQ's: `Queue.add` rejects when Redis refused the job (an error or a
   * negative code from its script).
   */
  protected send(entries: Entry[]): Promise<PromiseSettledResult<unknown>[]> {
    return Promise.allSettled(entries.map((entry) => this.issue(entry)));
  }

  /** Async so that a command that throws fails alone; it is still sent at once. */
  private async issue(entry: Entry): Promise<unknown> {
    if ('command' in entry) return entry.command(this.producer);
    const { queue, name, data, opts } = entry.job;
    return queue.add(name, data, opts);
  }
}
