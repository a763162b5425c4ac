import { Injectable } from '@nestjs/common';
import { Job, JobsOptions, Queue } from 'bullmq';

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

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Adds the queue jobs that the requests of one turn of the event loop ask for in one pipeline,
 * so one round trip: the audit events of every change of that turn (appended to one job) and
 * the deadlines they arm. Each caller awaits the outcome of its own jobs. Under load many
 * requests commit in the same turn; alone, a batch of one costs a setImmediate.
 *
 * Every queue given here must be built on the same ioredis client (the producer connection).
 */
@Injectable()
export class JobBatcher {
  private jobs: (JobSpec & Waiter)[] = [];
  private streams = new Map<JobStream<unknown>, { items: unknown[]; waiters: Waiter[] }>();
  private scheduled = false;

  /** Adds a job of its own. */
  add(job: JobSpec): Promise<void> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ ...job, resolve, reject });
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
      pending.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    // Each job with the callers waiting for it; a stream's jobs of this turn share one group,
    // which fails if any of them failed.
    const jobs: { spec: JobSpec; group: Waiter[] }[] = this.jobs.map((job) => ({
      spec: job,
      group: [job],
    }));
    for (const [stream, pending] of this.streams) {
      for (let i = 0; i < pending.items.length; i += stream.max) {
        const data = stream.data(pending.items.slice(i, i + stream.max));
        jobs.push({ spec: { ...stream, data }, group: pending.waiters });
      }
    }
    this.jobs = [];
    this.streams = new Map();
    this.scheduled = false;

    const specs = jobs.map((j) => j.spec);
    const outcomes = await this.send(specs).catch((err: unknown) =>
      specs.map((): PromiseSettledResult<unknown> => ({ status: 'rejected', reason: err })),
    );
    const failed = new Map<Waiter[], unknown>();
    outcomes.forEach((outcome, i) => {
      const { group } = jobs[i];
      if (outcome.status === 'rejected' && !failed.has(group)) failed.set(group, outcome.reason);
    });
    for (const group of new Set(jobs.map((j) => j.group))) {
      for (const w of group) {
        if (failed.has(group)) w.reject(failed.get(group));
        else w.resolve();
      }
    }
  }

  /** One pipeline for all the jobs; the outcome of each. */
  protected async send(jobs: JobSpec[]): Promise<PromiseSettledResult<unknown>[]> {
    const client = await jobs[0].queue.client;
    const pipeline = client.pipeline();
    const added: Promise<unknown>[] = [];
    for (const job of jobs) {
      if ((await job.queue.client) !== client)
        throw new Error(`queue ${job.queue.name} is not on the producer connection`);
      added.push(new Job(job.queue, job.name, job.data, job.opts, job.opts.jobId).addJob(pipeline));
    }
    // Each command's promise carries its own outcome (and a lost connection fails them all).
    await pipeline.exec().catch(() => undefined);
    return Promise.allSettled(added);
  }
}
