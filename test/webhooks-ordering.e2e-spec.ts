import { DelayedError, Job } from 'bullmq';
import Redis from 'ioredis';
import { createSession } from '@synckairos/clock';
import { SessionKeys } from '../src/state/session-keys';
import { parseAllowedHosts } from '../src/webhooks/allowed-hosts';
import { SsrfGuard } from '../src/webhooks/ssrf-guard';
import { orderOf, prevOf, WebhookEvent } from '../src/webhooks/webhook.constants';
import { GAP_WAIT_MS, WebhookDeliverer } from '../src/webhooks/webhook-deliverer';
import { DeliveryRow, WebhookDeliveryLog } from '../src/webhooks/webhook-delivery-log';
import { WebhookEventType } from '../src/webhooks/webhook-event-types';
import { WebhookMailbox } from '../src/webhooks/webhook-mailbox';
import { RETRY_WINDOW_MS } from '../src/webhooks/webhook-retry';
import { SendResult, WebhookSender } from '../src/webhooks/webhook-sender';
import { WebhookSettings } from '../src/webhooks/webhook-settings';
import { cleanRedis, uniqueId } from './support/e2e-app';

/**
 * The mailbox and the deliverer against the real Redis, with a clock moved by hand and a fake
 * receiver: the ordering rules over a day of retries, in milliseconds of test time.
 */
describe('Webhook ordering: a session waits for its earlier events', () => {
  const prefix = process.env.REDIS_KEY_PREFIX as string;
  let redis: Redis;
  let mailbox: WebhookMailbox;
  let now: number;
  let sent: { version: number; type: string }[];
  let rows: DeliveryRow[];
  /** What the receiver answers to each event id (2xx unless told). */
  let answer: (version: number) => number;

  const time = { now: () => now } as never;
  const sender = {
    post: (_target: unknown, body: string): Promise<SendResult> => {
      const { version, type } = JSON.parse(body) as { version: number; type: string };
      sent.push({ version, type });
      const status = answer(version);
      return Promise.resolve({
        ok: status < 300,
        status,
        excerpt: null,
        error: null,
        durationMs: 1,
      });
    },
  } as unknown as WebhookSender;
  const log = {
    record: (row: DeliveryRow) => {
      rows.push(row);
      return Promise.resolve();
    },
  } as unknown as WebhookDeliveryLog;
  const settings = {
    enabled: true,
    retryBaseMs: 1000,
    signingSecret: () => 'secret',
    guard: new SsrfGuard(parseAllowedHosts('hooks.test'), () =>
      Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    ),
  } as unknown as WebhookSettings;
  const counter = { inc: () => undefined };
  let deliverer: WebhookDeliverer;

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL as string);
    mailbox = new WebhookMailbox(redis, new SessionKeys(prefix));
    deliverer = new WebhookDeliverer(
      mailbox,
      sender,
      log,
      settings,
      time,
      counter as never,
      {
        observe: () => undefined,
      } as never,
    );
  });

  beforeEach(() => {
    now = 1_797_000_000_000;
    sent = [];
    rows = [];
    answer = () => 200;
  });

  afterAll(async () => {
    redis.disconnect();
    await cleanRedis();
  });

  const state = (id: string) =>
    JSON.stringify(
      createSession(
        {
          session_id: id,
          sync_mode: 'global',
          participants: [{ participant_id: 'a' }],
          total_time_ms: 60_000,
        },
        now,
      ).state,
    );
  const event = (
    id: string,
    version: number,
    type: WebhookEventType,
    wanted = true,
  ): WebhookEvent => ({
    session_id: id,
    version,
    type,
    occurred_at_ms: now,
    seq: orderOf(version, type),
    prev: version === 1 && type !== 'low_time' ? null : prevOf(version, type),
    ...(wanted && { url: 'http://hooks.test/in', state: state(id) }),
  });

  /** Runs the owner's job once: 'done' when the mailbox is empty, else when it asked to wait until. */
  const run = async (id: string, owner: string): Promise<'done' | number> => {
    let until = -1;
    const job = {
      id: owner,
      data: { session_id: id },
      moveToDelayed: (at: number) => {
        until = at;
        return Promise.resolve();
      },
    } as unknown as Job;
    try {
      await deliverer.run(job, 'token');
      return 'done';
    } catch (err) {
      if (!(err instanceof DelayedError)) throw err;
      return until;
    }
  };

  it('holds every later event while the first is retried, for a day, then sends them in order', async () => {
    const id = uniqueId('ord-day');
    answer = (v) => (v === 1 ? 503 : 200);
    const owner = (await mailbox.take(id, [event(id, 1, 'session_created')])) as string;
    expect(owner).toEqual(expect.any(String));
    // Later events arrive while the first is failing.
    expect(
      await mailbox.take(id, [event(id, 2, 'session_started'), event(id, 3, 'cycle_switched')]),
    ).toBe(owner);
    const first = now;
    let tries = 0;
    for (let next = await run(id, owner); next !== 'done'; next = await run(id, owner)) {
      expect(sent.every((s) => s.version === 1)).toBe(true);
      expect(await mailbox.oldestPending()).toBe(first);
      now = next;
      if (++tries > 100) throw new Error('never gave up');
    }
    expect(now - first).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(sent.slice(-2)).toEqual([
      { version: 2, type: 'session_started' },
      { version: 3, type: 'cycle_switched' },
    ]);
    const statuses = rows.map((r) => `${r.version}:${r.status}`);
    expect(statuses.slice(-3)).toEqual(['1:given_up', '2:succeeded', '3:succeeded']);
    expect(statuses.slice(0, -3).every((s) => s === '1:failed')).toBe(true);
    expect(rows.map((r) => r.attempt).slice(0, -2)).toEqual(rows.slice(0, -2).map((_, i) => i + 1));
    expect(await mailbox.oldestPending()).toBeNull();
  });

  it('lets an event wait for a predecessor still on its way, and gives up waiting after a while', async () => {
    const id = uniqueId('ord-gap');
    const owner = (await mailbox.take(id, [event(id, 1, 'session_created')])) as string;
    expect(await run(id, owner)).toBe('done');
    // Version 3 reached the mailbox before version 2 (two instances, two jobs).
    const again = (await mailbox.take(id, [event(id, 3, 'cycle_switched')])) as string;
    expect(await run(id, again)).toBeGreaterThan(now);
    expect(sent.map((s) => s.version)).toEqual([1]);
    expect(await mailbox.take(id, [event(id, 2, 'session_started')])).toBe(again);
    expect(await run(id, again)).toBe('done');
    expect(sent.map((s) => s.version)).toEqual([1, 2, 3]);

    // Version 5 waits for a version 4 that never comes, then goes.
    const late = (await mailbox.take(id, [event(id, 5, 'session_paused')])) as string;
    expect(await run(id, late)).toBeGreaterThan(now);
    now += GAP_WAIT_MS;
    expect(await run(id, late)).toBe('done');
    expect(sent.map((s) => s.version)).toEqual([1, 2, 3, 5]);
  });

  it('keeps markers in the order without sending them, and sends a low-time warning after its version', async () => {
    const id = uniqueId('ord-marker');
    // A marker with nothing before it is settled at once: no deliverer is needed.
    expect(await mailbox.take(id, [event(id, 1, 'session_created', false)])).toBeNull();
    answer = (v) => (v === 2 && sent.length === 1 ? 500 : 200);
    const owner = (await mailbox.take(id, [
      event(id, 2, 'session_started'),
      event(id, 3, 'cycle_switched', false),
      event(id, 3, 'low_time'),
      event(id, 4, 'cycle_switched'),
    ])) as string;
    expect(await run(id, owner)).toBeGreaterThan(now);
    now += 1000;
    expect(await run(id, owner)).toBe('done');
    expect(sent).toEqual([
      { version: 2, type: 'session_started' },
      { version: 2, type: 'session_started' },
      { version: 3, type: 'low_time' },
      { version: 4, type: 'cycle_switched' },
    ]);
  });

  it('takes an event twice as once, and one already sent not at all', async () => {
    const id = uniqueId('ord-dup');
    const batch = [event(id, 1, 'session_created'), event(id, 2, 'session_started')];
    const owner = (await mailbox.take(id, batch)) as string;
    expect(await mailbox.take(id, batch)).toBe(owner);
    expect(await run(id, owner)).toBe('done');
    expect(await mailbox.take(id, batch)).toBeNull();
    expect(sent.map((s) => s.version)).toEqual([1, 2]);
  });

  it('lets only the owner deliver: a stale job sends nothing', async () => {
    const id = uniqueId('ord-owner');
    const owner = (await mailbox.take(id, [event(id, 1, 'session_created')])) as string;
    expect(await run(id, `${owner}-stale`)).toBe('done');
    expect(sent).toEqual([]);
    expect(await run(id, owner)).toBe('done');
    expect(sent).toHaveLength(1);
    // Once the mailbox is empty the owner lets go; the next events get a new one.
    const next = await mailbox.take(id, [event(id, 2, 'session_started')]);
    expect(next).not.toBe(owner);
    expect(await run(id, owner)).toBe('done');
    expect(sent).toHaveLength(1);
  });
});
