import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import Redis, { Cluster } from 'ioredis';
import { Job, JobsOptions, Queue } from 'bullmq';
import { keySlot } from '../redis/key-slot';
import { clusterOf } from '../redis/redis-connections';
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

/** Commands of their own (e.g. a script defined on the producer connection) for the pipeline. */
export interface CommandSpec {
  /** A key the command(s) touch: on a cluster, the batch is split by the node of its slot. */
  key: string;
  /** Puts the command(s) on the pipeline; the outcome is the last one's reply. */
  queue(pipeline: ChainableCommander): void;
}

export interface Waiter {
  resolve: (value?: unknown) => void;
  reject: (err: unknown) => void;
}

/** One item of the batch, and who waits for its outcome. */
export type Entry = ({ job: JobSpec } | { command: CommandSpec }) & { group: Waiter[] };

/**
 * Adds the queue jobs that the requests of one turn of the event loop ask for in one pipeline,
 * so one round trip: the audit events of every change of that turn (appended to one job), and
 * the deadline entries they arm (commands of their own). Each caller awaits the outcome of its
 * own jobs and commands. Under load many requests commit in the same turn; alone, a batch of one
 * costs a setImmediate.
 *
 * Every queue given here must be built on the producer connection, which the commands use too.
 */
@Injectable()
export class JobBatcher {
  private jobs: (JobSpec & Waiter)[] = [];
  private commands: (CommandSpec & Waiter)[] = [];
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

  /** Sends a command in this turn's pipeline; resolves with its reply. */
  run<T = unknown>(command: CommandSpec): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = (pipeline: ChainableCommander) => command.queue(pipeline);
      this.commands.push({ key: command.key, queue, resolve: (v) => resolve(v as T), reject });
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
    for (const command of this.commands) entries.push({ command, group: [command] });
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
   * One pipeline for every entry on a standalone Redis. A cluster refuses a pipeline whose keys
   * live on different nodes (a queue's keys are one slot, each deadline shard another): there the
   * entries are split by the node of their slot, one pipeline per node, sent together, so still
   * one round trip.
   */
  protected async send(entries: Entry[]): Promise<PromiseSettledResult<unknown>[]> {
    const queues = entries.flatMap((e) => ('job' in e ? [e.job.queue] : []));
    const client = (queues.length > 0 ? await queues[0].client : this.producer) as Redis | Cluster;
    for (const queue of queues) {
      if ((await queue.client) !== (client as unknown))
        throw new Error(`queue ${queue.name} is not on the producer connection`);
    }
    const cluster = clusterOf(client);
    if (!cluster) return sendPipeline(client, entries);
    const groups = new Map<string, number[]>();
    entries.forEach((entry, i) => {
      const node = nodeOf(cluster, keyOf(entry));
      const group = groups.get(node);
      if (group) group.push(i);
      else groups.set(node, [i]);
    });
    const outcomes: PromiseSettledResult<unknown>[] = new Array<PromiseSettledResult<unknown>>(
      entries.length,
    );
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        const replies = await sendPipeline(
          cluster,
          indexes.map((i) => entries[i]),
        ).catch((err: unknown) =>
          indexes.map((): PromiseSettledResult<unknown> => ({ status: 'rejected', reason: err })),
        );
        indexes.forEach((i, j) => (outcomes[i] = replies[j]));
      }),
    );
    return outcomes;
  }
}

/** The entries in one pipeline; the outcome of each, read from the pipeline's replies. */
async function sendPipeline(
  client: Redis | Cluster,
  entries: Entry[],
): Promise<PromiseSettledResult<unknown>[]> {
  const pipeline = client.pipeline();
  const ranges = entries.map((e) => {
    const from = pipeline.length;
    let refused: Promise<unknown>;
    try {
      // BullMQ's own promise of a job added to a pipeline settles before it is sent, and
      // says nothing: only whether it could be put there.
      refused = Promise.resolve(put(e, pipeline)).then(
        () => null,
        (err: unknown) => err,
      );
    } catch (err) {
      refused = Promise.resolve(err);
    }
    return { from, to: pipeline.length, refused };
  });
  const replies = await pipeline.exec();
  return Promise.all(
    ranges.map(async ({ from, to, refused }): Promise<PromiseSettledResult<unknown>> => {
      const reason = await refused;
      if (reason) return { status: 'rejected', reason };
      return outcomeOf(replies, from, to);
    }),
  );
}

/** A key of the entry: a queue's keys share its hash-tagged prefix, so one slot. */
function keyOf(entry: Entry): string {
  return 'job' in entry ? entry.job.queue.qualifiedName : entry.command.key;
}

/** The nodes serving the key's slot (the slot itself while the map is not known yet). */
function nodeOf(cluster: Cluster, key: string): string {
  const slot = keySlot(key);
  return cluster.slots[slot]?.join(',') ?? `slot:${slot}`;
}

function put(entry: Entry, pipeline: ChainableCommander): unknown {
  if ('command' in entry) return entry.command.queue(pipeline);
  const { queue, name, data, opts } = entry.job;
  // Made by the queue's client (BullMQ's wrapper of the producer connection), so it is one.
  const transaction = pipeline as unknown as Parameters<Job['addJob']>[0];
  return new Job(queue, name, data, opts, opts.jobId).addJob(transaction);
}

/** The replies of one entry's commands: its first error, else the last reply. */
function outcomeOf(
  replies: [Error | null, unknown][] | null,
  from: number,
  to: number,
): PromiseSettledResult<unknown> {
  if (!replies) return { status: 'rejected', reason: new Error('pipeline was not sent') };
  if (to === from) return { status: 'rejected', reason: new Error('nothing was queued') };
  for (let i = from; i < to; i++) {
    const [err, reply] = replies[i];
    if (err) return { status: 'rejected', reason: err };
    // BullMQ's scripts answer a negative code for a job they refused.
    if (typeof reply === 'number' && reply < 0)
      return { status: 'rejected', reason: new Error(`refused with code ${reply}`) };
  }
  return { status: 'fulfilled', value: replies[to - 1][1] };
}
