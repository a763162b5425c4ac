import type { Queue } from 'bullmq';
import Redis, { ChainableCommander } from 'ioredis';
import { keySlot } from '../redis/key-slot';
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

/** What a command puts on the pipeline: here, its tag. */
const tagOf = (command: CommandSpec) => {
  let tag = '';
  command.queue({ tag: (t: string) => (tag = t) } as unknown as ChainableCommander);
  return tag;
};
const command = (tag: string): CommandSpec => ({
  key: tag,
  queue: (p) => (p as unknown as { tag(t: string): void }).tag(tag),
});

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

describe('JobBatcher on a Redis Cluster', () => {
  /** Two nodes: the lower half of the slots on n1, the upper half on n2. */
  const fakeCluster = () => {
    const pipelines: string[][] = [];
    const slots = Array.from({ length: 16384 }, (_, slot) => [slot < 8192 ? 'n1:1' : 'n2:2']);
    const pipeline = () => {
      const tags: string[] = [];
      pipelines.push(tags);
      const p = {
        length: 0,
        tag(t: string) {
          tags.push(t);
          p.length += 1;
          return p;
        },
        exec: () => Promise.resolve(tags.map((t) => [null, `reply of ${t}`])),
      };
      return p;
    };
    return { pipelines, client: { isCluster: true, slots, pipeline } as unknown as Redis };
  };
  const keyOn = (low: boolean, from = 0) => {
    for (let i = from; ; i++) if (keySlot(`k${i}`) < 8192 === low) return `k${i}`;
  };
  const on = (key: string, tag: string): CommandSpec => ({
    key,
    queue: (p) => (p as unknown as { tag(t: string): void }).tag(tag),
  });

  it('sends one pipeline per node (a pipeline may not span nodes), each caller its own reply', async () => {
    const { pipelines, client } = fakeCluster();
    const batcher = new JobBatcher(client);
    const [low, high] = [keyOn(true), keyOn(false)];
    const replies = await Promise.all([
      batcher.run(on(low, 'a')),
      batcher.run(on(high, 'b')),
      batcher.run(on(low, 'c')),
    ]);
    expect(replies).toEqual(['reply of a', 'reply of b', 'reply of c']);
    expect(pipelines).toEqual([['a', 'c'], ['b']]);
  });
});
