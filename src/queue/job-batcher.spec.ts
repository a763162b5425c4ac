import type { Queue } from 'bullmq';
import { JobBatcher, JobSpec, JobStream } from './job-batcher';

/** Records what would go to Redis; jobs named `fail` fail. */
class RecordingBatcher extends JobBatcher {
  readonly sent: JobSpec[][] = [];

  protected override send(jobs: JobSpec[]): Promise<PromiseSettledResult<unknown>[]> {
    this.sent.push(jobs);
    return Promise.resolve(
      jobs.map((j) =>
        j.name === 'fail' || (j.data as { items?: number[] }).items?.includes(-1)
          ? { status: 'rejected', reason: new Error(`refused ${j.name}`) }
          : { status: 'fulfilled', value: 'id' },
      ),
    );
  }
}

const queue = { name: 'q' } as Queue;
const stream: JobStream<number> = {
  queue,
  name: 'events',
  opts: {},
  max: 3,
  data: (items) => ({ items }),
};

describe('JobBatcher', () => {
  it('sends the jobs of one turn of the event loop in one batch, a stream as few jobs', async () => {
    const batcher = new RecordingBatcher();
    await Promise.all([
      batcher.append(stream, [1, 2]),
      batcher.add({ queue, name: 'deadline', data: { at: 5 }, opts: { delay: 10 } }),
      batcher.append(stream, [3, 4]),
    ]);
    await batcher.append(stream, [5]);
    expect(batcher.sent.map((batch) => batch.map((j) => [j.name, j.data]))).toEqual([
      [
        ['deadline', { at: 5 }],
        ['events', { items: [1, 2, 3] }],
        ['events', { items: [4] }],
      ],
      [['events', { items: [5] }]],
    ]);
  });

  it('fails only the callers of a job that failed', async () => {
    const batcher = new RecordingBatcher();
    const results = await Promise.allSettled([
      batcher.add({ queue, name: 'fail', data: {}, opts: {} }),
      batcher.add({ queue, name: 'deadline', data: {}, opts: {} }),
      batcher.append(stream, [1, 2, 3]),
      batcher.append(stream, [-1]),
    ]);
    // The stream's second job failed: everyone who appended this turn is told.
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'rejected']);
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
      protected override send(jobs: JobSpec[]): Promise<PromiseSettledResult<unknown>[]> {
        return down ? Promise.reject(new Error('down')) : super.send(jobs);
      }
    }
    const batcher = new Flaky();
    const results = await Promise.allSettled([
      batcher.append(stream, [1]),
      batcher.add({ queue, name: 'deadline', data: {}, opts: {} }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    down = false;
    await expect(batcher.append(stream, [2])).resolves.toBeUndefined();
  });
});
