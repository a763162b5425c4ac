import { KeyedBatcher } from './keyed-batcher';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
};
const flush = () => new Promise((r) => setImmediate(r));

/** A batcher whose first batch waits for `gate`; it records the batches and echoes the items. */
function gatedRecorder<R>(max: number, answer: (item: number) => R) {
  const gate = deferred();
  const batches: number[][] = [];
  const batcher = new KeyedBatcher<number, R>(async (_key, items) => {
    batches.push(items);
    if (batches.length === 1) await gate.promise;
    return items.map(answer);
  }, max);
  return { gate, batches, batcher };
}

describe('KeyedBatcher', () => {
  it('runs an item alone when its key is idle, and what came meanwhile as the next batch', async () => {
    const { gate, batches, batcher } = gatedRecorder(10, (i) => `done ${i}`);
    const first = batcher.submit('a', 1);
    const rest = [2, 3, 4].map((i) => batcher.submit('a', i));
    await flush();
    expect(batches).toEqual([[1]]);
    gate.resolve();
    await expect(first).resolves.toBe('done 1');
    await expect(Promise.all(rest)).resolves.toEqual(['done 2', 'done 3', 'done 4']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits what waits at `max` items, in the order submitted', async () => {
    const { gate, batches, batcher } = gatedRecorder(2, (i) => i);
    const all = [1, 2, 3, 4, 5, 6].map((i) => batcher.submit('a', i));
    gate.resolve();
    await expect(Promise.all(all)).resolves.toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it('runs the batches of different keys side by side', async () => {
    const gate = deferred();
    const batcher = new KeyedBatcher<string, string>(async (key, items) => {
      if (key === 'slow') await gate.promise;
      return items;
    }, 10);
    const slow = batcher.submit('slow', 'x');
    await expect(batcher.submit('fast', 'y')).resolves.toBe('y');
    gate.resolve();
    await expect(slow).resolves.toBe('x');
  });

  it('a batch that fails fails each of its items; the next batch still runs', async () => {
    const gate = deferred();
    let calls = 0;
    const batcher = new KeyedBatcher<number, number>(async (_key, items) => {
      calls += 1;
      if (calls === 1) {
        await gate.promise;
        throw new Error('boom');
      }
      return items;
    }, 10);
    const failing = batcher.submit('a', 1);
    const next = batcher.submit('a', 2);
    gate.resolve();
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
  });

  it('a batch that throws before its first await fails its items too', async () => {
    const batcher = new KeyedBatcher<number, number>(() => {
      throw new Error('sync');
    }, 10);
    await expect(batcher.submit('a', 1)).rejects.toThrow('sync');
    expect(batcher.busy).toBe(0);
  });

  it('forgets a key once nothing waits', async () => {
    const batcher = new KeyedBatcher<number, number>((_key, items) => Promise.resolve(items), 10);
    const both = [batcher.submit('a', 1), batcher.submit('a', 2)];
    expect(batcher.busy).toBe(1);
    await Promise.all(both);
    await flush();
    expect(batcher.busy).toBe(0);
  });
});
