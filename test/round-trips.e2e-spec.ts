import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { PRODUCER_REDIS_CLIENT, REDIS_CLIENT } from '../src/state/redis.constants';
import { Api, uneven } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { countWrites } from './support/redis-writes';

/**
 * What one switch costs Redis, counted where it leaves the process: each write to the state
 * and producer connections' sockets is one request sent, so one round trip.
 */
describe('Redis round trips per switch', () => {
  let app: INestApplication;
  let api: Api;

  beforeAll(async () => {
    // The defaults: rate limits on, audit and deadlines on. The audit consumer runs elsewhere:
    // its fetching and outbox trimming are the worker's round trips, not the request's.
    app = await startApp({ RATE_LIMIT_ENABLED: 'true', AUDIT_WORKER: 'false' });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  async function writesDuring(action: () => Promise<unknown>): Promise<number> {
    const stop = countWrites(app.get<Redis>(REDIS_CLIENT), app.get<Redis>(PRODUCER_REDIS_CLIENT));
    try {
      await action();
      await sleep(50); // anything the request left to the next turns of the event loop
    } catch (err) {
      stop();
      throw err;
    }
    return stop();
  }

  it('is at most 3: the client rate count, the compare-and-set, and one pipeline of jobs', async () => {
    const id = uniqueId('trips');
    // Every switch replaces the session's durable deadline entry, in the same pipeline as its
    // audit job; black has less time, so the first brings the deadline forward.
    await api.create(uneven(id, 600_000, 60_000)).expect(201);
    await api.command(id, 'start').expect(200);
    expect(await writesDuring(() => api.command(id, 'switch').expect(200))).toBeLessThanOrEqual(3);
    // Back to white: the deadline moves later.
    expect(await writesDuring(() => api.command(id, 'switch').expect(200))).toBeLessThanOrEqual(3);
  });

  it('is no more under a time control: stages, delay, byo-yomi and time odds cost no round trip', async () => {
    const id = uniqueId('trips-tc');
    await api
      .create({
        session_id: id,
        sync_mode: 'per_participant',
        participants: [
          {
            participant_id: 'white',
            time_control: {
              stages: [
                { time_ms: 600_000, increment_ms: 30_000, moves: 1 },
                { time_ms: 300_000, delay_ms: 5000 },
              ],
              delay_kind: 'bronstein',
              increment_cap_ms: 610_000,
            },
          },
          {
            participant_id: 'black',
            time_control: {
              stages: [{ time_ms: 60_000 }],
              byoyomi: { kind: 'japanese', periods: 5, period_ms: 30_000 },
            },
          },
        ],
      })
      .expect(201);
    const plain = uniqueId('trips-plain');
    await api
      .create({
        session_id: plain,
        sync_mode: 'per_participant',
        participants: [
          { participant_id: 'white', total_time_ms: 600_000 },
          { participant_id: 'black', total_time_ms: 60_000 },
        ],
      })
      .expect(201);
    // To black (an earlier flag), back to white (a stage change), to black.
    const trips = async (session: string) => {
      await api.command(session, 'start').expect(200);
      const counts: number[] = [];
      for (let i = 0; i < 3; i++)
        counts.push(await writesDuring(() => api.command(session, 'switch').expect(200)));
      return counts;
    };
    const [controlled, uncontrolled] = [await trips(id), await trips(plain)];
    controlled.forEach((n, i) => expect(n).toBeLessThanOrEqual(uncontrolled[i]));
    controlled.forEach((n) => expect(n).toBeLessThanOrEqual(3));
  });
});
