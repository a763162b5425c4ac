import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TimeSource } from '../common/time/time-source';
import { DeadlinePoller } from './deadline-poller';
import { DeadlineRunner } from './deadline-runner';
import { Claimed, DeadlineStore } from '../deadlines/deadline-store';

/** A store with `due` entries waiting; each claim takes at most the limit asked. */
function storeWith(due: string[]) {
  const limits: number[] = [];
  const store = {
    claimDue: (_now: number, limit: number): Promise<Claimed> => {
      limits.push(limit);
      const sessionIds = due.splice(0, limit);
      return Promise.resolve({ sessionIds, more: due.length > 0 });
    },
  } as unknown as DeadlineStore;
  return { store, limits };
}

/** A runner whose fires stay in flight until released. */
function heldRunner() {
  const fired: string[] = [];
  const releases: (() => void)[] = [];
  const runner = {
    fire: (id: string) => {
      fired.push(id);
      return new Promise<void>((resolve, reject) =>
        releases.push(() => (id.startsWith('bad') ? reject(new Error('no')) : resolve())),
      );
    },
  } as unknown as DeadlineRunner;
  return { runner, fired, releaseAll: () => releases.splice(0).forEach((r) => r()) };
}

const poller = (store: DeadlineStore, runner: DeadlineRunner, worker = true) =>
  new DeadlinePoller(
    store,
    runner,
    { now: () => Date.now() } as TimeSource,
    new ConfigService({ DEADLINE_CONCURRENCY: 3, DEADLINE_POLL_MS: 200, DEADLINE_WORKER: worker }),
  );

describe('DeadlinePoller', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));

  it('never has more fires in flight than DEADLINE_CONCURRENCY, and says when more is due', async () => {
    const { store, limits } = storeWith(['a', 'b', 'c', 'd', 'e']);
    const { runner, fired, releaseAll } = heldRunner();
    const p = poller(store, runner);
    await expect(p.poll()).resolves.toEqual({ claimed: 3, more: true });
    // Full: no claim at all until a fire ends.
    await expect(p.poll()).resolves.toEqual({ claimed: 0, more: true });
    expect(limits).toEqual([3]);
    releaseAll();
    await p.beforeApplicationShutdown();
    await expect(p.poll()).resolves.toEqual({ claimed: 2, more: false });
    expect(fired).toEqual(['a', 'b', 'c', 'd', 'e']);
    releaseAll();
  });

  it('a fire that fails frees its room (its entry comes back by its lease)', async () => {
    const { store } = storeWith(['bad-1', 'ok-1', 'ok-2', 'ok-3']);
    const { runner, releaseAll } = heldRunner();
    const p = poller(store, runner);
    await p.poll();
    releaseAll();
    await p.beforeApplicationShutdown();
    await expect(p.poll()).resolves.toEqual({ claimed: 1, more: false });
    releaseAll();
  });

  it('shutdown waits for the fires in flight', async () => {
    const { store } = storeWith(['a']);
    const { runner, releaseAll } = heldRunner();
    const p = poller(store, runner);
    await p.poll();
    let stopped = false;
    const stopping = p.beforeApplicationShutdown().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    releaseAll();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('does not look at all with DEADLINE_WORKER=false', async () => {
    const { store, limits } = storeWith(['a']);
    const p = poller(store, heldRunner().runner, false);
    p.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(limits).toEqual([]);
    await p.beforeApplicationShutdown();
  });
});
