import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CommandSpec, Entry, JobBatcher, JobStream } from './job-batcher';

type Sent = [string, unknown];

/** Records what would go to Redis; jobs named `fail` and commands tagged `fail` fail. */
class RecordingBatcher extends JobBatcher {
  readonly sent: Sent[][] = [];

  constructor() {
    super({} as Redis);
  }

  protected override send(entries: Entry[]): Promise<PromiseSettledResult<unknown>[]> {
    this.sent.push(
      entries.map((e): Sent =>
        'job' in e ? [e.job.name, e.job.data] : ['command', tagOf(e.command)],
      ),
    );
    return Promise.resolve(
      entries.map((e): PromiseSettledResult<unknown> => {
        const failing =
          'job' in e
            ? e.job.name === 'fail' || (e.job.data as { items?: number[] }).items?.includes(-1)
            : tagOf(e.command) === 'fail';
        if (failing) return { status: 'rejected', reason: new Error('refused') };
        return { status: 'fulfilled', value: 'job' in e ? 'id' : `reply of ${tagOf(e.command)}` };
      }),
    );
  }
}

/** A client whose one command is `tag`. */
type Tagger = { tag(t: string): Promise<string> };

/** What a command sends: here, its tag. */
const tagOf = (command: CommandSpec) => {
  let tag = '';
  void command({ tag: (t: string) => Promise.resolve((tag = t)) } as unknown as Redis);
  return tag;
};
const command =
  (tag: string): CommandSpec =>
  (p) =>
    (p as unknown as Tagger).tag(tag);

const queue = { name: 'q' } as Queue;
const stream: JobStream<number> = {
  queue,
  name: 'events',
  opts: {},
  max: 3,
  data: (items) => ({ items }),
};

describe('JobBatcher', () => {
  it('sends the jobs and commands of one turn of the event loop in one batch, a stream as few jobs', async () => {
    const batcher = new RecordingBatcher();
    const replies = await Promise.all([
      batcher.append(stream, [1, 2]),
      batcher.add({ queue, name: 'deadline', data: { at: 5 }, opts: { delay: 10 } }),
      batcher.run(command('arm')),
      batcher.append(stream, [3, 4]),
    ]);
    expect(replies[2]).toBe('reply of arm');
    await batcher.append(stream, [5]);
    expect(batcher.sent).toEqual([
      [
        ['deadline', { at: 5 }],
        ['events', { items: [1, 2, 3] }],
        ['events', { items: [4] }],
        ['command', 'arm'],
      ],
      [['events', { items: [5] }]],
    ]);
  });

  it('fails only the callers of a job or command that failed', async () => {
    const batcher = new RecordingBatcher();
    const results = await Promise.allSettled([
      batcher.add({ queue, name: 'fail', data: {}, opts: {} }),
      batcher.add({ queue, name: 'deadline', data: {}, opts: {} }),
      batcher.append(stream, [1, 2, 3]),
      batcher.append(stream, [-1]),
      batcher.run(command('fail')),
      batcher.run(command('arm')),
    ]);
    // The stream's second job failed: everyone who appended this turn is told.
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    await expect(batcher.append(stream, [7])).resolves.toBeUndefined();
  });

  it('answers an empty append at once, without a round trip', async () => {
    const batcher = new RecordingBatcher();
    await expect(batcher.append(stream, [])).resolves.toBeUndefined();
    expect(batcher.sent).toEqual([]);
  });

  it('fails every caller of a batch that could not be sent, and goes on with the next', async () => {
    let down = true;
    class Flaky extends RecordingBatcher {
      protected override send(entries: Entry[]): Promise<PromiseSettledResult<unknown>[]> {
        return down ? Promise.reject(new Error('down')) : super.send(entries);
      }
    }
    const batcher = new Flaky();
    const results = await Promise.allSettled([
      batcher.append(stream, [1]),
      batcher.add({ queue, name: 'deadline', data: {}, opts: {} }),
      batcher.run(command('arm')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    down = false;
    await expect(batcher.append(stream, [2])).resolves.toBeUndefined();
  });
});

describe('JobBatcher sending on the producer connection', () => {
  /**
   * A producer that sends like ioredis' auto-pipelining: what is issued before the turn after
   * its first command leaves in one write; commands tagged `fail` are refused.
   */
  const autoPipelined = () => {
    const writes: string[][] = [];
    type Sent = { tag: string; settle: () => void };
    let pending: Sent[] | null = null;
    const tag = (t: string) =>
      new Promise<string>((resolve, reject) => {
        if (!pending) {
          const write: Sent[] = [];
          pending = write;
          setImmediate(() => {
            pending = null;
            writes.push(write.map((c) => c.tag));
            write.forEach((c) => c.settle());
          });
        }
        const settle = () =>
          t === 'fail' ? reject(new Error(`refused ${t}`)) : resolve(`reply of ${t}`);
        pending.push({ tag: t, settle });
      });
    return { writes, producer: { tag } as unknown as Redis };
  };
  /** A queue that, like BullMQ's, awaits its client before it sends the job's script. */
  const queueOn = (producer: Redis, name: string): Queue =>
    ({
      name,
      add: async (job: string, data: unknown) => {
        const client = await Promise.resolve(producer as unknown as Tagger);
        return client.tag(`${name}:${job}:${JSON.stringify(data)}`);
      },
    }) as unknown as Queue;

  it("issues the turn's jobs of every queue and its commands together: one write", async () => {
    const { writes, producer } = autoPipelined();
    const batcher = new JobBatcher(producer);
    const audit = { ...stream, queue: queueOn(producer, 'audit') };
    const hooks = { ...stream, queue: queueOn(producer, 'hooks') };
    const replies = await Promise.all([
      batcher.append(audit, [1, 2]),
      batcher.run(command('arm')),
      batcher.append(hooks, [3]),
      batcher.append(audit, [4]),
    ]);
    expect(replies[1]).toBe('reply of arm');
    expect(writes).toEqual([
      ['arm', 'audit:events:{"items":[1,2,4]}', 'hooks:events:{"items":[3]}'],
    ]);
  });

  it('fails the callers of a job the queue refused, or of a command that failed or threw', async () => {
    const { producer } = autoPipelined();
    const batcher = new JobBatcher(producer);
    const refusing = {
      name: 'q',
      add: () => Promise.reject(new Error('refused')),
    } as unknown as Queue;
    const results = await Promise.allSettled([
      batcher.append({ ...stream, queue: refusing }, [1]),
      batcher.append({ ...stream, queue: queueOn(producer, 'audit') }, [2]),
      batcher.run(command('fail')),
      batcher.run(() => {
        throw new Error('no such command');
      }),
      batcher.run(command('arm')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
  });
});
