import { KeyedSerializer } from './keyed-serializer';

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const flush = () => new Promise((r) => setImmediate(r));

describe('KeyedSerializer', () => {
  it('runs the tasks of one key one at a time, in order', async () => {
    const serial = new KeyedSerializer();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, i) =>
      serial.run('a', async () => {
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
        return i;
      }),
    );
    await flush();
    expect(log).toEqual(['start 0']);
    gates[2].resolve();
    gates[1].resolve();
    await flush();
    expect(log).toEqual(['start 0']);
    gates[0].resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('runs the tasks of different keys side by side', async () => {
    const serial = new KeyedSerializer();
    const gate = deferred();
    const started: string[] = [];
    const a = serial.run('a', async () => {
      started.push('a');
      await gate.promise;
    });
    const b = serial.run('b', () => {
      started.push('b');
      return Promise.resolve('b done');
    });
    await expect(b).resolves.toBe('b done');
    expect(started).toEqual(['a', 'b']);
    gate.resolve();
    await a;
  });

  it('a failed task fails only its own caller; the next one still runs', async () => {
    const serial = new KeyedSerializer();
    const failing = serial.run('a', () => Promise.reject(new Error('boom')));
    const next = serial.run('a', () => Promise.resolve('next'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('a task that throws before its first await is a rejection, not a throw', async () => {
    const serial = new KeyedSerializer();
    const first = serial.run('a', () => {
      throw new Error('sync');
    });
    await expect(first).rejects.toThrow('sync');
  });

  it('forgets a key once its last task has settled', async () => {
    const serial = new KeyedSerializer();
    const gate = deferred();
    const a = serial.run('a', () => gate.promise);
    const b = serial.run('a', () => Promise.resolve());
    expect(serial.size).toBe(1);
    gate.resolve();
    await Promise.all([a, b]);
    await flush();
    expect(serial.size).toBe(0);
  });
});
