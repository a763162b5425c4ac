import { INestApplication } from '@nestjs/common';
import { Api, chess } from './support/api';
import { baseUrl, cleanRedis, sleep, startApp, uniqueId } from './support/e2e-app';
import { Watcher } from './support/socket-client';
import { waitUntil } from './support/wait';
import { WebhookReceiver } from './support/webhook-receiver';
import { readmeVerifySignature } from './support/webhook-recipe';

/** Every warning here: 1 s before a 2.5 s clock runs out. */
const LOW = 1000;
const anchorOf = (state: { cycle_started_at: string }) => Date.parse(state.cycle_started_at);
const pair = (extra: Record<string, unknown> = {}) => [
  { participant_id: 'x', ...extra },
  { participant_id: 'y', ...extra },
];

/** Contract section 9: session:low_time, pushed at the instant, once. */
describe('Low-time warnings', () => {
  let app: INestApplication;
  let api: Api;
  const watchers: Watcher[] = [];

  const watch = async (target: INestApplication, id: string) => {
    const w = new Watcher(baseUrl(target), { query: { sessionId: id } });
    watchers.push(w);
    await w.next('session:state');
    return w;
  };

  beforeAll(async () => {
    app = await startApp();
    api = new Api(app.getHttpServer());
  });

  afterEach(() => watchers.splice(0).forEach((w) => w.close()));

  afterAll(async () => {
    await app.close();
    await cleanRedis();
  });

  it.each([
    ['per_participant', chess('', 2500), { participant_id: 'white' }],
    [
      'per_cycle',
      {
        sync_mode: 'per_cycle',
        participants: pair(),
        time_per_cycle_ms: 2500,
        auto_advance: false,
      },
      { participant_id: 'x' },
    ],
    [
      'per_group',
      {
        sync_mode: 'per_group',
        participants: [
          { participant_id: 'x', group_id: 'red', total_time_ms: 2500 },
          { participant_id: 'y', group_id: 'blue', total_time_ms: 2500 },
        ],
      },
      { participant_id: 'x', group_id: 'red' },
    ],
    ['global', { sync_mode: 'global', participants: pair(), total_time_ms: 2500 }, {}],
    ['count_up with a cap', { sync_mode: 'count_up', participants: pair(), max_time_ms: 2500 }, {}],
    [
      'section 7, simple delay (the main bank only)',
      {
        sync_mode: 'per_participant',
        participants: pair(),
        time_control: { stages: [{ time_ms: 2000, delay_ms: 500 }], delay_kind: 'simple' },
      },
      { participant_id: 'x' },
    ],
  ])('%s: pushed at the exact instant, once', async (_mode, body, who) => {
    const id = uniqueId('low');
    await api.create({ ...body, session_id: id, low_time_ms: LOW }).expect(201);
    const w = await watch(app, id);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    expect(started.low_time_ms).toBe(LOW);
    const warning = await w.next('session:low_time', () => true, 4000);
    expect(warning).toEqual({
      session_id: id,
      ...who,
      remaining_ms: LOW,
      at_ms: anchorOf(started) + 1500,
      version: 2,
    });
    await w.next('session:state', (s) => s.state.status === 'expired', 4000);
    await sleep(400); // past the backstop of the warning, which must not push it again
    expect(w.of('session:low_time')).toEqual([warning]);
    // It came before the flag, as the instants say.
    const events = w.received.map((r) => r.event);
    expect(events.indexOf('session:low_time')).toBeLessThan(events.indexOf('session:timeout'));
  });

  it('once per turn, and not for a clock that starts its turn below the threshold', async () => {
    const id = uniqueId('low-turns');
    await api.create({ ...chess(id, 2500), low_time_ms: LOW }).expect(201);
    const w = await watch(app, id);
    await api.command(id, 'start').expect(200);
    await w.next('session:low_time', (p) => p.participant_id === 'white', 4000);
    const black = (await api.command(id, 'switch').expect(200)).body.data; // white: < 1 s left
    await w.next('session:low_time', (p) => p.participant_id === 'black', 4000);
    await api.command(id, 'switch').expect(200);
    await w.next('session:state', (s) => s.state.status === 'expired', 4000);
    await sleep(300);
    expect(w.of('session:low_time').map((p) => [p.participant_id, p.version, p.at_ms])).toEqual([
      ['white', 2, expect.any(Number)],
      ['black', 3, anchorOf(black) + 1500],
    ]);
  });

  it('is not pushed after a pause that stops the clock before the instant', async () => {
    const id = uniqueId('low-paused');
    await api.create({ ...chess(id, 2500), low_time_ms: LOW }).expect(201);
    const w = await watch(app, id);
    await api.command(id, 'start').expect(200);
    await sleep(500);
    await api.command(id, 'pause').expect(200);
    await sleep(1500); // past the instant the running clock would have reached it
    expect(w.of('session:low_time')).toEqual([]);
    const resumed = (await api.command(id, 'resume').expect(200)).body.data;
    const warning = await w.next('session:low_time', () => true, 3000);
    const left = resumed.participants[0].time_remaining_ms;
    expect(warning.at_ms).toBe(anchorOf(resumed) + left - LOW);
    await api.command(id, 'cancel').expect(200);
  });
});

describe('Low-time warnings survive the instance that armed them', () => {
  it('the other instance pushes it, with the exact instant', async () => {
    const first = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const second = await startApp({ DEADLINE_BACKSTOP_GRACE_MS: '100' });
    const id = uniqueId('low-failover');
    const w = new Watcher(baseUrl(second));
    try {
      const api1 = new Api(first.getHttpServer());
      await api1.create({ ...chess(id, 2500), low_time_ms: LOW }).expect(201);
      await w.connected();
      await w.request('session:join', { session_id: id });
      const started = (await api1.command(id, 'start').expect(200)).body.data;
      await first.close();
      const warning = await w.next('session:low_time', () => true, 5000);
      expect(warning).toMatchObject({ participant_id: 'white', at_ms: anchorOf(started) + 1500 });
      // The flag still falls after it: the backstop that warned armed the next one.
      const timeout = await w.next('session:timeout', (t) => t.kind === 'participant', 5000);
      expect(timeout.at_ms).toBe(anchorOf(started) + 2500);
    } finally {
      w.close();
      await second.close();
      await cleanRedis();
    }
  });
});

describe('The low_time webhook', () => {
  const SECRET = 'whsec_low_time_0123456789';
  let app: INestApplication;
  let rx: WebhookReceiver;

  beforeAll(async () => {
    rx = await new WebhookReceiver().listen();
    app = await startApp({ WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await rx.close();
    await cleanRedis();
  });

  it('comes after its version’s own event, signed, with its idempotency key', async () => {
    const api = new Api(app.getHttpServer());
    const id = uniqueId('low-hook');
    await api
      .create({ ...chess(id, 2500), low_time_ms: LOW, webhook: { url: rx.url() } })
      .expect(201);
    const started = (await api.command(id, 'start').expect(200)).body.data;
    const got = await waitUntil(
      () => Promise.resolve(rx.of(id)),
      (r) => r.length >= 4,
    );
    expect(got.map((r) => [r.body.version, r.body.type])).toEqual([
      [1, 'session_created'],
      [2, 'session_started'],
      [2, 'low_time'],
      [3, 'session_expired'],
    ]);
    const warning = got[2];
    expect(warning.headers['idempotency-key']).toBe(`${id}:2:low_time`);
    const verify = readmeVerifySignature();
    expect(verify(warning.headers['synckairos-signature'] as string, warning.raw, SECRET)).toBe(
      true,
    );
    expect(warning.body).toMatchObject({
      id: `${id}:2:low_time`,
      occurred_at_ms: anchorOf(started) + 1500,
      state: { version: 2, status: 'running', time_remaining_ms: LOW },
    });
  });
});
