import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { PRODUCER_REDIS_CLIENT, REDIS_CLIENT } from '../src/state/redis.constants';
import { Api, uneven } from './support/api';
import { cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { countWrites } from './support/redis-writes';
import { waitUntil } from './support/wait';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * Webhooks never cost the request path a round trip of their own: counted where requests
 * leave the process (each write to the request-path clients' sockets), as
 * test/round-trips.e2e-spec.ts does.
 */
describe('Webhooks on the request path', () => {
  let app: INestApplication;
  let api: Api;
  let rx: WebhookReceiver;

  beforeAll(async () => {
    rx = await new WebhookReceiver().listen();
    // The consumers run elsewhere: their round trips are the workers', not the request's.
    app = await startApp({
      RATE_LIMIT_ENABLED: 'true',
      AUDIT_WORKER: 'false',
      WEBHOOK_SECRET: 'whsec_round_trips',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    });
    api = new Api(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
    await rx.close();
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

  /** The writes of each of a session's switches (the deadline moves forward, then back). */
  async function switchWrites(webhook?: { url: string }): Promise<number[]> {
    const id = uniqueId(webhook ? 'trips-hook' : 'trips-plain');
    await api.create(uneven(id, 600_000, 60_000, webhook && { webhook })).expect(201);
    await api.command(id, 'start').expect(200);
    const writes = [];
    for (let i = 0; i < 4; i++)
      writes.push(await writesDuring(() => api.command(id, 'switch').expect(200)));
    if (webhook)
      await waitUntil(
        () => Promise.resolve(rx.of(id).length),
        (n) => n === 6,
      );
    return writes;
  }

  it('a session with a webhook costs what one without costs: at most 3 per switch', async () => {
    const plain = await switchWrites();
    const hooked = await switchWrites({ url: rx.url() });
    expect(Math.max(...plain, ...hooked)).toBeLessThanOrEqual(3);
    expect(hooked).toEqual(plain);
  });
});
