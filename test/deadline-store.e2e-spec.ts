import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DEADLINE_JOB, DEADLINES_QUEUE } from '../src/deadlines/deadline.constants';
import {
  DEADLINE_LEASE_MS,
  DEADLINE_SHARDS,
  DeadlineStore,
  shardOf,
} from '../src/deadlines/deadline-store';
import { DeadlineTimers } from '../src/deadlines/deadline-timers';
import { JobBatcher } from '../src/queue/job-batcher';
import { SessionKeys } from '../src/state/session-keys';
import { SessionStore } from '../src/state/session-store';
import { Api, chess } from './support/api';
import { cleanRedis, startApp, uniqueId } from './support/e2e-app';
import { countWrites } from './support/redis-writes';
import { waitUntil } from './support/wait';

const GRACE_MS = 250;

describe('DeadlineStore scripts on a real Redis', () => {
  let producer: Redis;
  let poll: Redis;
  let store: DeadlineStore;
  let batcher: JobBatcher;

  beforeAll(() => {
    // As the service's producer connection: auto-pipelined, so that a turn is one write.
    producer = new Redis(process.env.REDIS_URL as string, { enableAutoPipelining: true });
    poll = new Redis(process.env.REDIS_URL as string);
    const config = new ConfigService({ DEADLINE_BACKSTOP_GRACE_MS: GRACE_MS });
    const keys = new SessionKeys(process.env.REDIS_KEY_PREFIX as string);
    batcher = new JobBatcher(producer);
    store = new DeadlineStore(producer, poll, keys, batcher, config);
  });

  afterAll(async () => {
    producer.disconnect();
    poll.disconnect();
    await cleanRedis();
  });

  it('keeps one entry per session, at the instant + grace, the newest version winning', async () => {
    const id = uniqueId('ds');
    await store.arm(id, 3, 10_000);
    await store.arm(id, 4, 8_000);
    expect(await store.entryOf(id)).toEqual({ at: 8_000 + GRACE_MS, version: 4 });
    // An older arm arriving late changes nothing; the same version again replaces.
    await store.arm(id, 3, 5_000);
    expect(await store.entryOf(id)).toEqual({ at: 8_000 + GRACE_MS, version: 4 });
    await store.arm(id, 4, 9_000);
    expect(await store.entryOf(id)).toEqual({ at: 9_000 + GRACE_MS, version: 4 });
    // No running clock: the entry goes, but not for an older version.
    await store.arm(id, 2, null);
    expect(await store.entryOf(id)).not.toBeNull();
    await store.arm(id, 5, null);
    expect(await store.entryOf(id)).toBeNull();
    await store.arm(id, 6, 1_000);
    await store.remove(id);
    expect(await store.entryOf(id)).toBeNull();
  });

  it('arms in the same write as the rest of the turn, and reports each outcome', async () => {
    const ids = [uniqueId('ds-turn'), uniqueId('ds-turn')];
    const notANumber = `${process.env.REDIS_KEY_PREFIX}:ds-string`;
    await producer.set(notANumber, 'x');
    const queue = new Queue('ds-turn', {
      connection: producer,
      prefix: `{${process.env.REDIS_KEY_PREFIX}}`,
    });
    // Past the queue's own first write (its meta), which the constructor leaves pending.
    await queue.getWaitingCount();
    const writes = countWrites(producer);
    const outcomes = await Promise.allSettled([
      ...ids.map((id, i) => store.arm(id, 1, 1000 * (i + 1))),
      batcher.run((p) => p.incr(notANumber)),
      batcher.add({ queue, name: 'job', data: { n: 1 }, opts: {} }),
    ]);
    expect(writes()).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await queue.getWaitingCount()).toBe(1);
    await queue.obliterate({ force: true });
    await queue.close();
    expect((await store.entryOf(ids[1]))?.at).toBe(2000 + GRACE_MS);
    await Promise.all(ids.map((id) => store.remove(id)));
  });

  it('claims only what is due, at most about the limit, and leases it until it comes back', async () => {
    const now = 1_000_000;
    const due = Array.from({ length: 40 }, () => uniqueId('ds-claim'));
    const later = uniqueId('ds-later');
    for (const id of due) await store.arm(id, 1, now - 1000);
    await store.arm(later, 1, now + 1000);

    const first = await store.claimDue(now, 16);
    // One per shard at this limit: as many as there are shards with a due entry.
    const shards = new Set(due.map(shardOf));
    expect(first.sessionIds).toHaveLength(shards.size);
    const taken = new Set(first.sessionIds);
    const rest: string[] = [];
    for (let i = 0; i < 40 && taken.size < due.length; i++) {
      const next = await store.claimDue(now, 1000);
      next.sessionIds.forEach((id) => taken.add(id));
      rest.push(...next.sessionIds);
      if (!next.more) break;
    }
    expect([...taken].sort()).toEqual([...due].sort());
    expect(taken.has(later)).toBe(false);
    // Leased: nothing more now; all back once the lease ends.
    expect((await store.claimDue(now + 1, 1000)).sessionIds).toEqual([]);
    expect((await store.entryOf(due[0]))?.at).toBe(now + DEADLINE_LEASE_MS);
    const back = await store.claimDue(now + DEADLINE_LEASE_MS, 1000);
    expect(back.sessionIds.sort()).toEqual([...due, later].sort());
  });

  it('puts each shard on one slot: its keys share a hash tag, and shards differ', () => {
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    const tags = new Set<string | undefined>();
    for (let shard = 0; shard < DEADLINE_SHARDS; shard++) {
      expect(tag(store.dueKey(shard))).toBe(tag(store.versionsKey(shard)));
      tags.add(tag(store.dueKey(shard)));
    }
    expect(tags.size).toBe(DEADLINE_SHARDS);
    const used = new Set(Array.from({ length: 1000 }, (_, i) => shardOf(`game-${i}`)));
    expect(used.size).toBe(DEADLINE_SHARDS);
  });
});

describe('Durable deadlines in Redis stay one per running session', () => {
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    app = await startApp({ RATE_LIMIT_ENABLED: 'false' });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  /** Participants with less time each: every switch brings the deadline forward. */
  const shrinking = (id: string, n: number) => ({
    session_id: id,
    sync_mode: 'per_participant',
    participants: Array.from({ length: n }, (_, i) => ({
      participant_id: `p${i}`,
      total_time_ms: 600_000 - i * 10_000,
    })),
  });

  it('after many switches that move the deadline earlier: one entry per running session, none else', async () => {
    const store = app.get(DeadlineStore);
    const before = await store.size();
    const running = Array.from({ length: 5 }, () => uniqueId('dl-bound'));
    for (const id of running) {
      await api.create(shrinking(id, 12)).expect(201);
      await api.command(id, 'start').expect(200);
    }
    const paused = uniqueId('dl-paused');
    const ended = uniqueId('dl-ended');
    for (const id of [paused, ended]) {
      await api.create(shrinking(id, 12)).expect(201);
      await api.command(id, 'start').expect(200);
    }
    let last: Record<string, { version: number; deadline: number }> = {};
    for (let round = 0; round < 11; round++) {
      const answers = await Promise.all(
        [...running, paused, ended].map((id) => api.command(id, 'switch').expect(200)),
      );
      last = Object.fromEntries(
        answers.map(({ body: { data } }) => {
          const active = data.participants.find(
            (p: { participant_id: string }) => p.participant_id === data.active_participant_id,
          );
          return [
            data.session_id,
            { version: data.version, deadline: data.server_time_ms + active.time_remaining_ms },
          ];
        }),
      );
    }
    await api.command(paused, 'pause').expect(200);
    await api.command(ended, 'cancel').expect(200);

    expect((await store.size()) - before).toBe(running.length);
    for (const id of running) {
      const entry = await store.entryOf(id);
      expect(entry).toEqual({ at: last[id].deadline + GRACE_MS, version: last[id].version });
    }
    expect(await store.entryOf(paused)).toBeNull();
    expect(await store.entryOf(ended)).toBeNull();
    // Nothing goes to the old queue any more.
    const queue = app.get<Queue>(getQueueToken(DEADLINES_QUEUE));
    const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed');
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it('a deleted session leaves no entry', async () => {
    const id = uniqueId('dl-deleted');
    await api.create(chess(id)).expect(201);
    await api.command(id, 'start').expect(200);
    expect(await app.get(DeadlineStore).entryOf(id)).not.toBeNull();
    await api.delete(id).expect(204);
    expect(await app.get(DeadlineStore).entryOf(id)).toBeNull();
  });

  describe('deadline jobs queued before the upgrade are still drained', () => {
    /**
     * A running session whose timer and entry are gone, and an old-style job for it that fires
     * in `inMs`: only the job can end its clock.
     */
    async function onlyAnOldJob(bank: number, inMs: number) {
      const id = uniqueId('dl-legacy');
      await api.create(chess(id, bank)).expect(201);
      const started = (await api.command(id, 'start').expect(200)).body.data;
      app.get(DeadlineTimers).clear(id);
      await app.get(DeadlineStore).remove(id);
      const due = Date.parse(started.cycle_started_at) + bank;
      await app
        .get<Queue>(getQueueToken(DEADLINES_QUEUE))
        .add(
          DEADLINE_JOB,
          { session_id: id, version: started.version, due_ms: due },
          { jobId: `${id}@${started.version}`, delay: inMs, removeOnComplete: true },
        );
      return { id, due };
    }

    it('one that comes due settles the session at the exact instant', async () => {
      const { id, due } = await onlyAnOldJob(1000, 1100);
      // Read as stored: a read through the API would settle the session itself.
      const stored = () => app.get(SessionStore).get(id);
      const state = await waitUntil(
        stored,
        (s) => s.kind === 'live' && s.state.status === 'expired',
        5000,
      );
      expect(state.kind === 'live' && state.state.session_completed_at).toBe(due);
    });

    it('one that finds nothing due re-arms the session in the store', async () => {
      const { id, due } = await onlyAnOldJob(60_000, 0);
      const entry = await waitUntil(
        () => app.get(DeadlineStore).entryOf(id),
        (e) => e !== null,
        5000,
      );
      expect(entry).toEqual({ at: due + GRACE_MS, version: 2 });
      expect(await app.get(SessionStore).get(id)).toMatchObject({
        state: { status: 'running', version: 2 },
      });
    });
  });
});
